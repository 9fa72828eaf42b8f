"""Faults in the shape of an answer on the APIs the older faults did not reach (issue 13, item 4):
echoed numbers and dates, closed and recommended vocabularies of the b2b and history APIs, the
table spelling of `resp`, and empty containers of the wrong kind. Each is a mistake of a real
serializer or mapper, applied wherever the API's field table has such a field."""

from __future__ import annotations

from typing import Any

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.faultkit import ECHO_BLOCKS, add_no_value_literal, dashed_date, fault
from conformance.reference.values import NoValue, rewrite

# The request echo blocks of the catalogue (queryType, queryParams, queryParameter).
_ECHO_DATES = frozenset({"fromDate", "toDate", "qrOrderDate", "qrFromDate", "qrToDate"})


def _echoed(path: tuple[str, ...], names: frozenset[str] | None = None) -> bool:
    return len(path) >= 2 and path[-2] in ECHO_BLOCKS and (names is None or path[-1] in names)


@fault("echo-numbers-as-text", "ECHO-005",
       "The echo block repeats the numbers of the request as the text the gateway parsed (\"count\": \"0\") "
       "on every API, under its canonical name.")
def echo_numbers_as_text(b: Behaviour) -> None:
    def text(path: tuple[str, ...], value: Any) -> Any:
        if _echoed(path) and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, text))


@fault("echo-dates-dashed", "SCHEMA-005 ECHO-002",
       "The echo block is rebuilt from the broker's date type and writes the query dates 2026-12-02 "
       "(qrOrderDate, qrFromDate/qrToDate, fromDate/toDate).")
def echo_dates_dashed(b: Behaviour) -> None:
    b.tree_transforms.append(lambda tree, call: rewrite(
        tree, lambda path, v: dashed_date(v) if _echoed(path, _ECHO_DATES) else v))


# C10 closed list of orderdetail and settlelist: 1 sell, 2 buy; the broker's own letters instead.
_SELL_BUY = {"1": "S", "2": "B"}


@fault("sell-buy-letters", "SCHEMA-004",
       "orderdetail and settlelist write sellBuyType in the broker's letters (S, B) instead of 1 and 2.")
def sell_buy_letters(b: Behaviour) -> None:
    def letters(path: tuple[str, ...], value: Any) -> Any:
        if path[-1:] == ("sellBuyType",) and len(path) >= 2 and path[-2] in ("orderDetail", "settleInfo"):
            return _SELL_BUY.get(value, value) if isinstance(value, str) else value
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, letters))


# I32/I42: the recommended vocabularies of the history kinds and the b2b product kinds.
_OWN_WORDS = {"transType": {"BID": "SELL", "ASK": "BUY", "DEP": "IN", "WID": "OUT"},
              "assetType": {"KSP": "STOCK", "KDQ": "STOCK", "BOND": "BONDS"}}
_OWN_WORDS_AT = {"transType": ("transaction", "tradeBook"), "assetType": ("securitiesBalInfo",)}


@fault("own-trade-words", "SCHEMA-008",
       "transaction and tradebook write transType in the broker's words (BUY, SELL, IN, OUT) and "
       "balancelist securitiesBalInfo assetType STOCK, BONDS.")
def own_trade_words(b: Behaviour) -> None:
    def words(path: tuple[str, ...], value: Any) -> Any:
        leaf = path[-1] if path else ""
        if leaf in _OWN_WORDS and len(path) >= 2 and path[-2] in _OWN_WORDS_AT[leaf] and isinstance(value, str):
            return _OWN_WORDS[leaf].get(value, value)
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, words))


@fault("capitalised-resp", "SCHEMA-007",
       "The b2b APIs write the result block Resp, the spelling of their page tables.")
def capitalised_resp(b: Behaviour) -> None:
    def respell(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        if call.family != "b2b" or "resp" not in tree:
            return tree
        return {("Resp" if k == "resp" else k): v for k, v in tree.items()}

    b.tree_transforms.append(respell)


def _table_blocks(api: str, kind: str) -> list[tuple[str, ...]]:
    """Optional blocks of `kind` (object, array) in the response table outside any list item, that
    may not be an array instead (I46)."""
    import yaml

    from conformance.paths import schemas_dir

    table = yaml.safe_load((schemas_dir() / "fields" / f"{api}.yaml").read_text(encoding="utf-8"))["response"]
    return [tuple(path.split(".")) for path, spec in table.items()
            if spec.get("type") == kind and "[]" not in path and not spec.get("also_array")
            and spec.get("marker") != "required"]


def _fill_unfilled(b: Behaviour, kind: str, empty: Any) -> None:
    """Write every block of `kind` the answer leaves out as `empty` (a fresh copy each time)."""
    blocks: dict[str, list[tuple[str, ...]]] = {}

    def fill(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        if call.api not in blocks:
            blocks[call.api] = _table_blocks(call.api, kind)
        tree = rewrite(tree, lambda path, v: v)  # a copy: items may be shared with cached data
        for path in blocks[call.api]:
            parent: Any = tree
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if isinstance(parent, dict) and path[-1] not in parent:
                parent[path[-1]] = type(empty)()
        return tree

    b.tree_transforms.append(fill)


@fault("empty-object-for-array", "NULL-005",
       "Lists without content are sent as {}: absent lists (execList {}, isinInfo {}, costInfo {}) and the "
       "table's lists the broker does not fill (balancelist's flat cashBalInfo {}, securitiesBalInfo {}).")
def empty_object_for_array(b: Behaviour) -> None:
    add_no_value_literal(b, lambda nv, key: "{}" if nv.kind == "array" else None)
    _fill_unfilled(b, "array", {})


@fault("unfilled-blocks-as-lists", "NULL-005",
       "A mapper generated from the field tables writes every object block it has nothing for as [] "
       "(transaction's transactionHistoryResponseBody.accInfo []).")
def unfilled_blocks_as_lists(b: Behaviour) -> None:
    _fill_unfilled(b, "object", [])


@fault("unitemised-fund-costs", "NULL-005",
       "settlelist does not itemise the costs of fund settlements (the fund house charges them) and writes "
       "their costInfo as an empty map {}.")
def unitemised_fund_costs(b: Behaviour) -> None:
    def fund(item: Any) -> bool:
        infos = item.get("isinInfo") if isinstance(item, dict) else None
        return isinstance(infos, list) and any(isinstance(i, dict) and i.get("isinType") == "펀드코드" for i in infos)

    def unitemise(path: tuple[str, ...], value: Any) -> Any:
        if path[-2:] == ("settleList", "settleInfo") and isinstance(value, list):
            return [{**item, "costInfo": {}} if fund(item) else item for item in value]
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, unitemise) if call.api == "settlelist" else tree)


def _php_falsy(value: Any) -> bool:
    return isinstance(value, NoValue) or (value in (0, "", "0", None) and not isinstance(value, bool))


@fault("php-empty-echo", "NULL-005",
       "A PHP gateway filters the empty members (0, \"\", null) out of the echo block and writes a block "
       "left empty as [] (accountlist's queryParameter [] for count 0 and the first page).")
def php_empty_echo(b: Behaviour) -> None:
    def filtered(path: tuple[str, ...], value: Any) -> Any:
        if path and path[-1] in ECHO_BLOCKS and isinstance(value, dict) and value \
                and all(_php_falsy(v) for v in value.values()):
            return []
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, filtered))
