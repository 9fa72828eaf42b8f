"""The API catalogue: schemas/catalogue.yaml plus each API's JSON Schemas and their field index."""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import yaml

from conformance.contract.nullforms import MISSING, get_path, is_no_value
from conformance.paths import schemas_dir

API_IDS: tuple[str, ...] = (
    "portfolio", "balance", "transaction", "interest",
    "orderdetail", "balancelist", "settlelist", "accountlist", "tradebook",
    "member-register", "member-consent",
)
FAMILIES = ("account", "b2b", "member")


@dataclass(frozen=True)
class ListSpec:
    path: str  # dotted, without [] (the array itself, or an object for kind == "object")
    group: str | None = None
    key: tuple[str, ...] = ()
    kind: str = "array"
    nested: str | None = None  # the list inside each element whose entries are the paged items (C13)


@dataclass(frozen=True)
class FieldInfo:
    """What the schema says about one field (read from its x-* annotations)."""

    path: str  # normalized: list items as []
    type: str
    marker: str
    length: dict[str, int] | None = None
    enum: tuple[Any, ...] | None = None
    enum_recommended: tuple[Any, ...] | None = None
    format: str | None = None
    pattern_recommended: str | None = None
    echo: dict[str, str] | None = None
    alias_of: str | None = None
    description: str = ""
    market: bool | str | None = None  # follows the market between calls (True), or only as a ratio ("RAT")


@dataclass
class ApiSpec:
    id: str
    family: str
    title: str
    spec_ref: str
    path: str
    request_body: str | None
    response_body: str | None
    query_request: str | None
    query_response: str | None
    result: str | None
    lists: tuple[ListSpec, ...]
    groups: tuple[str, ...] = ()
    asset_type_field: str | None = None
    date_range: dict[str, str] | None = None
    time_window: bool = False
    paging_capability: str | None = None
    filters: dict[str, dict[str, Any]] = field(default_factory=dict)  # query filters (catalogue `filters:`)
    group_items: str | None = None  # the items a b2b qrAssetType selects ("a.b[].c[]")
    rsp_type_field: str | None = None  # the query field choosing ratios or quantities (C29)
    member: dict[str, str] = field(default_factory=dict)  # a member API's fields by role (catalogue `member:`)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, dict[str, FieldInfo]] = field(default_factory=dict)

    def member_field(self, role: str) -> str:
        """The name (or body path) of a member API's field by role: name, membership, expiry, accounts,
        broker, account, base_url (schemas/catalogue.yaml `member:`)."""
        if role not in self.member:
            raise KeyError(f"{self.id} names no member field {role!r}; roles: {', '.join(sorted(self.member))}")
        return self.member[role]

    def url_path(self, short_name: str) -> str:
        return self.path.replace("{shortName}", short_name)

    @property
    def paged(self) -> bool:
        return self.result is not None

    def field_at(self, kind: str, path: str) -> FieldInfo | None:
        """The field at a normalized path ("a.b[].c"), also when the path runs through a table
        spelling (transactionHistoryResponseBody.queryPrams.fromDate → the queryParams field)."""
        fields = self.fields[kind]
        info = fields.get(path)
        if info is not None:
            return info
        canonical = ""
        for segment in path.split("."):
            name, suffix = (segment[:-2], "[]") if segment.endswith("[]") else (segment, "")
            probe = f"{canonical}.{name}" if canonical else name
            hit = fields.get(probe)
            if hit is not None and hit.alias_of:
                name = hit.alias_of
            canonical = (f"{canonical}.{name}" if canonical else name) + suffix
        return fields.get(canonical)

    def market_leaves(self, block: str, ratio: bool) -> frozenset[str]:
        """Names (table spellings included) of the fields under `block` ("a.list[]" for list items,
        "a.cash" for an object block) whose value follows the market between two calls: prices,
        valuations, P/L, rates, and shares of a ratio answer (`market` in the field tables)."""
        prefix = block + "."
        out = set()
        for path, info in self.fields["response"].items():
            if not path.startswith(prefix) or "." in path[len(prefix):]:
                continue
            canonical = self.fields["response"].get(f"{block}.{info.alias_of}") if info.alias_of else None
            target = canonical or info
            if target.market is True or (target.market == "RAT" and ratio):
                out.add(path[len(prefix):])
        return frozenset(out)

    def is_ratio_answer(self, doc: Any) -> bool:
        """Whether an answer carries ratios (rspType RAT, the default where the request has a
        rspType) rather than quantities."""
        echo = next((p for p in self.fields["response"] if p.endswith(".rspType")), None)
        if echo is None:
            return False
        value = get_path(doc, echo)
        if is_no_value(value) or value is MISSING:
            return any(p.endswith(".rspType") for p in self.fields["request"])
        return bool(value == "RAT")

    def echo_fields(self) -> list[FieldInfo]:
        return [f for f in self.fields["response"].values() if f.echo and not f.alias_of]


def _field_index(schema: dict[str, Any]) -> dict[str, FieldInfo]:
    index: dict[str, FieldInfo] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if "x-path" in node:
                path = node["x-path"]
                alias = node.get("x-alias-of")
                if alias:
                    parent, _, _leaf = path.rpartition(".")
                    path = f"{parent}.{_alias_leaf(node, path)}" if parent else _alias_leaf(node, path)
                enum = _find_enum(node)
                index[path] = FieldInfo(
                    path=path, type=node.get("x-type", "object"), marker=node.get("x-marker", "none"),
                    length=node.get("x-length"), enum=tuple(enum) if enum else None,
                    enum_recommended=(tuple(node["x-enum-recommended"]) if "x-enum-recommended" in node
                                      else None),
                    format=node.get("x-format"), pattern_recommended=node.get("x-pattern-recommended"),
                    echo=node.get("x-echo"), alias_of=alias, description=node.get("description", ""),
                    market=node.get("x-market"))
            for key, value in node.items():
                if key == "properties":
                    for name, sub in value.items():
                        if isinstance(sub, dict) and sub.get("x-alias-of"):
                            sub = {**sub, "x-alias-name": name}
                        visit(sub)
                elif key != "$defs":
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return index


def _alias_leaf(node: dict[str, Any], path: str) -> str:
    name = node.get("x-alias-name", path.rsplit(".", 1)[-1])
    return name + ("[]" if path.endswith("[]") else "")


def _find_enum(node: dict[str, Any]) -> list[Any] | None:
    for holder in [node, *node.get("allOf", [])]:
        then = holder.get("then") if isinstance(holder, dict) else None
        if isinstance(then, dict) and "enum" in then:
            return list(then["enum"])
    return None


def advisory_schema(strict: dict[str, Any]) -> dict[str, Any]:
    """Turn the SHOULD annotations into keywords: a schema whose failures are warnings.

    Typed constraints are dropped (the strict schema judges them); only recommended lengths,
    recommended vocabularies and patterns, loose date formats, canonical names and numbers-
    as-numbers for echoed fields remain.
    """
    from conformance.contract.build import DATE_PATTERN

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "x-alias-of" in node:
            return False  # a table spelling present → SCHEMA-007
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "items"):
                out[key] = ({k: convert(v) for k, v in value.items()} if key == "properties"
                            else convert(value))
            elif key == "$defs":
                out[key] = value
        checks: list[dict[str, Any]] = []
        length = node.get("x-length") or {}
        if "recommended" in length and node.get("x-type") == "string":  # lengths judge values, not "null"
            checks.append({"if": {"type": "string", "not": {"enum": ["", "null"]}},
                           "then": {"maxLength": length["recommended"]}})
        if "x-enum-recommended" in node:
            checks.append({"if": {"type": "string", "not": {"enum": ["", "null"]}},
                           "then": {"enum": node["x-enum-recommended"]}})
        if "x-pattern-recommended" in node:
            checks.append({"if": {"type": "string", "not": {"enum": ["", "null"]}},
                           "then": {"pattern": node["x-pattern-recommended"]}})
        if node.get("x-format") == "date-loose":
            checks.append({"if": {"type": "string", "not": {"enum": ["", "null"]}},
                           "then": {"pattern": DATE_PATTERN}})
        if node.get("x-echo") and node.get("x-type") == "number":
            checks.append({"not": {"type": "string", "not": {"enum": ["", "null"]}}})
        # objects/arrays keep recursing through anyOf branches that carry structure
        for branch_key in ("anyOf", "allOf"):
            for branch in node.get(branch_key, []):
                if isinstance(branch, dict) and ("properties" in branch or "items" in branch):
                    checks.append({"if": {"type": branch.get("type", "object")}, "then": convert(branch)})
                elif isinstance(branch, dict) and "anyOf" in branch:
                    for sub in branch["anyOf"]:
                        if isinstance(sub, dict) and ("properties" in sub or "items" in sub):
                            checks.append({"if": {"type": sub.get("type", "object")}, "then": convert(sub)})
        if checks:
            out["allOf"] = checks
        for keep in ("x-path", "x-type", "x-marker", "x-length", "x-echo", "x-format",
                     "x-enum-recommended", "x-pattern-recommended"):
            if keep in node:
                out[keep] = node[keep]
        return out

    return convert(copy.deepcopy(strict))


@functools.lru_cache(maxsize=1)
def load_catalogue() -> dict[str, ApiSpec]:
    base = schemas_dir()
    data = yaml.safe_load((base / "catalogue.yaml").read_text(encoding="utf-8"))
    apis: dict[str, ApiSpec] = {}
    for api_id, entry in data["apis"].items():
        query = entry.get("query") or {}
        spec = ApiSpec(
            id=api_id, family=entry["family"], title=entry["title"], spec_ref=entry["spec_ref"],
            path=entry["path"], request_body=entry.get("request_body"),
            response_body=entry.get("response_body"), query_request=query.get("request"),
            query_response=query.get("response"), result=entry.get("result"),
            lists=tuple(ListSpec(path=row["path"], group=row.get("group"), key=tuple(row.get("key", ())),
                                 kind=row.get("kind", "array"), nested=row.get("nested"))
                         for row in entry.get("lists", [])),
            groups=tuple(entry.get("groups", ())), asset_type_field=entry.get("asset_type_field"),
            date_range=entry.get("date_range"), time_window=bool(entry.get("time_window")),
            paging_capability=entry.get("paging_capability"), filters=dict(entry.get("filters") or {}),
            group_items=entry.get("group_items"), rsp_type_field=entry.get("rsp_type_field"),
            member={str(k): str(v) for k, v in (entry.get("member") or {}).items()},
        )
        for kind in ("request", "response"):
            schema = json.loads((base / "json" / f"{api_id}.{kind}.json").read_text(encoding="utf-8"))
            spec.schemas[kind] = schema
            spec.fields[kind] = _field_index(schema)
        apis[api_id] = spec
    return apis


def get_api(api_id: str) -> ApiSpec:
    catalogue = load_catalogue()
    if api_id not in catalogue:
        raise KeyError(f"unknown API id {api_id!r}; valid ids: {', '.join(catalogue)}")
    return catalogue[api_id]


@functools.lru_cache(maxsize=64)
def validators(api_id: str, kind: str) -> tuple[Any, Any]:
    """(strict, advisory) jsonschema-rs validators for one API message kind, compiled once."""
    schema = get_api(api_id).schemas[kind]
    return (jsonschema_rs.validator_for(schema), jsonschema_rs.validator_for(advisory_schema(schema)))


@functools.lru_cache(maxsize=1)
def _api_sets() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load((schemas_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    sets = {name: tuple(ids) for name, ids in (data.get("api_sets") or {}).items()}
    sets["all"] = tuple(data["apis"])
    for family in ("account", "b2b", "member"):  # family:<f>, the APIs of one auth family
        sets[f"family:{family}"] = tuple(a for a, entry in data["apis"].items() if entry["family"] == family)
    return sets


@functools.lru_cache(maxsize=1)
def _paging_fields() -> dict[str, str]:
    data = yaml.safe_load((schemas_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (data.get("paging") or {}).items()}


def paging_field(role: str) -> str:
    """The name of a paging field (schemas/catalogue.yaml `paging`): `count` and `page` of the
    request's query block, `total` (totalCnt) and `here` (count) of the response's result block;
    `first_page` is the page key's value on a chain's first request."""
    names = _paging_fields()
    if role not in names:
        raise KeyError(f"unknown paging field {role!r}; roles: {', '.join(sorted(names))}")
    return names[role]


@dataclass(frozen=True)
class ProductGroups:
    """schemas/catalogue.yaml `product_groups`: the words of the group queries (the paging names
    are `paging_field`'s)."""

    all: str
    kind_field: str
    kind_groups: tuple[str, ...]
    derivatives: str  # the profile's name for the derivatives a comprehensive account may hold
    derivatives_group: str
    derivative_kinds: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def product_groups() -> ProductGroups:
    data = yaml.safe_load((schemas_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    groups = data["product_groups"]
    derivatives = groups["derivatives"]
    return ProductGroups(all=groups["all"], kind_field=groups["kind_field"], kind_groups=tuple(groups["kind_groups"]),
                         derivatives=derivatives["name"], derivatives_group=derivatives["group"],
                         derivative_kinds=tuple(derivatives["kinds"]))


def api_set(name: str) -> tuple[str, ...]:
    """A named set of API ids (schemas/catalogue.yaml `api_sets`; `all`; `family:account` etc.)."""
    sets = _api_sets()
    if name not in sets:
        raise KeyError(f"unknown API set {name!r}; sets: {', '.join(sorted(sets))}")
    return sets[name]



@functools.lru_cache(maxsize=1)
def empty_request_fields() -> dict[str, tuple[str, ...]]:
    """API → the request paths the checker sends "" in where it has no value (C3, catalogue.yaml)."""
    data = yaml.safe_load((schemas_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    return {api: tuple(paths) for api, paths in (data.get("empty_request_fields") or {}).items()}


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((schemas_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    return data


def empty_means_all(api_id: str) -> tuple[str, ...]:
    """The query fields of an API whose "" means no filter, today or the first page (C3, C32;
    catalogue.yaml `empty_means_all`), in the order asked; () where none is listed."""
    return tuple(_data().get("empty_means_all", {}).get(api_id) or ())


def unused_request_values(family: str) -> dict[str, Any]:
    """Body path → the value sent in the request fields no broker reads (C6, I29; catalogue.yaml
    `unused_request_values`): those of every API, then those of the family."""
    table = _data().get("unused_request_values") or {}
    return {**(table.get("all") or {}), **(table.get(family) or {})}


@dataclass(frozen=True)
class RequestVariant:
    """A request block sent in other legal forms (catalogue.yaml `request_variants`)."""

    block: str  # the block's name in the body
    forms: dict[str, dict[str, Any]]  # form name → the block's fields


def request_variant(name: str) -> RequestVariant:
    variants = _data().get("request_variants") or {}
    if name not in variants:
        raise KeyError(f"unknown request variant {name!r}; variants: {', '.join(sorted(variants))}")
    entry = variants[name]
    return RequestVariant(block=str(entry["block"]), forms={str(k): dict(v) for k, v in entry["forms"].items()})
