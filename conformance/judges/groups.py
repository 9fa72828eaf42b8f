"""Area `product-groups`: what one per-group answer proves about its groups (C10, C11).

A per-group answer carries its own group's lists only (GRP-002); a product kind sits in its own
group's list (GRP-003); a held group, and the derivatives a comprehensive account holds, show up
(GRP-004); the b2b answers to two qrAssetType groups share no item (GRP-006). The vocabulary
(groups, kinds, the derivatives, the b2b group items) is the catalogue's.
"""

from __future__ import annotations

from typing import Any

from conformance.contract import ApiSpec, ListSpec, get_api, is_no_value, product_groups
from conformance.judges import Finding
from conformance.judges.lists import item_identity, list_items, nested_entries


def kinds(api: str, group: str) -> tuple[str, ...]:
    """The documented product kinds (the kind field's enumeration) of a group's list."""
    spec = get_api(api)
    lst = next(x for x in spec.lists if x.group == group)
    info = spec.fields["response"].get(f"{lst.path}[].{product_groups().kind_field}")
    return tuple(info.enum or ()) if info else ()


def leaks(spec: ApiSpec, group: str, doc: Any) -> list[Finding]:
    """Lists of other groups that carry items in a per-group answer (GRP-002)."""
    out = []
    for lst in spec.lists:
        # the cash/summary block is the account overview: brokers may send it with every answer
        if lst.group and lst.group != group and lst.kind != "object":
            items = list_items(doc, lst)
            if items:
                out.append(Finding(lst.path, f"{lst.path} ({lst.group}) carries {len(items)} item(s) "
                                             f"in the {group} answer"))
    return out


def misplaced(api: str, doc: Any) -> list[Finding]:
    """Items whose product kind is not one of their list's documented kinds (GRP-003, C10): an
    equity kind in etcList, an etc kind in equityList, or a word of the broker's own."""
    spec = get_api(api)
    words = product_groups()
    documented = {g: kinds(api, g) for g in words.kind_groups}
    home_of = {kind: lst.path.rsplit(".", 1)[-1] for lst in spec.lists if lst.group in documented
               for kind in documented[lst.group]}
    out = []
    for lst in spec.lists:
        if lst.group not in documented:
            continue
        for index, item in enumerate(list_items(doc, lst)):
            kind = item.get(words.kind_field) if isinstance(item, dict) else None
            if not isinstance(kind, str) or is_no_value(kind) or kind.strip() in documented[lst.group]:
                continue
            where = f"{lst.path}[{index}].{words.kind_field}"
            home = home_of.get(kind.strip())
            if home:
                message = f"{where} is {kind} in the {lst.group} list; {kind} belongs in {home}"
            else:
                message = (f"{where} {kind!r} is not a documented {lst.group} kind "
                           f"({', '.join(documented[lst.group])})")
            out.append(Finding(where, message))
    return out


def has_group_items(spec: ApiSpec, group: str, doc: Any) -> bool:
    """Whether the answer carries any item (or a valued block) of the group (GRP-004)."""
    return any(list_items(doc, lst) for lst in spec.lists if lst.group == group)


def has_derivatives(spec: ApiSpec, doc: Any) -> bool:
    """Whether the derivatives' group lists a derivative kind (FUT, OPT, ELW) (GRP-004, C10)."""
    words = product_groups()
    return any(isinstance(item, dict) and str(item.get(words.kind_field, "")).strip() in words.derivative_kinds
               for lst in spec.lists if lst.group == words.derivatives_group for item in list_items(doc, lst))


def _items_at(doc: Any, path: str) -> list[Any]:
    """The values at a dotted path whose `[]` segments run through lists ("a.b[].c[]")."""
    nodes = [doc]
    for segment in path.split("."):
        name, many = (segment[:-2], True) if segment.endswith("[]") else (segment, False)
        found = [node.get(name) for node in nodes if isinstance(node, dict)]
        nodes = [x for value in found for x in (value if many and isinstance(value, list) else
                                                   [] if many else [value])]
    return [n for n in nodes if not is_no_value(n)]


def shared_items(spec: ApiSpec, answers: dict[str, Any]) -> list[Finding]:
    """Items that the answers to two qrAssetType groups both carry (GRP-006, C10): each order,
    holding or settlement belongs to one product group, so an answer carrying another group's item
    (the filter ignored) shows up as an item shared by two answers. Identity: the whole item less
    the fields that follow the market, not the list's key: order numbers and times are optional (C4)
    and may be numbered per group, so two groups' orders can agree in every key field."""
    path = spec.group_items
    if not path:
        return []
    lst = ListSpec(path=path.removesuffix("[]"))
    frame = next((x for x in spec.lists if x.nested and f"{x.path}[].{x.nested}[]" == path), None)
    seen: dict[str, str] = {}
    shared: dict[tuple[str, str], list[str]] = {}
    for group, doc in answers.items():
        market = spec.market_leaves(path, spec.is_ratio_answer(doc))
        # balancelist's securities in either shape (I46) through their frame, else the path itself
        items = ([e for el in list_items(doc, frame) for e in nested_entries(el, frame)] if frame
                 else _items_at(doc, path))
        for ident in dict.fromkeys(item_identity(item, lst, market) for item in items if not is_no_value(item)):
            first = seen.setdefault(ident, group)
            if first != group:
                shared.setdefault((first, group), []).append(ident)
    return [Finding(path, f"{path}: {len(idents)} item(s) of the {first} answer are in the {group} answer too "
                          f"({spec.asset_type_field} not honoured), e.g. {_short(idents[0])}")
            for (first, group), idents in shared.items()]


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:160] + "…"
