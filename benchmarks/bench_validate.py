"""How much full contract validation costs next to plain json.loads on a large message.

A 10,000-item `balance` response (assetType ALL: equities, funds and other assets), with big
amounts in exponent notation as the contract writes them (C8) and every legal no-value form
sprinkled in. Both are timed in the same run on the same bytes, best of N; the target is a ratio
of at most 3.

    python benchmarks/bench_validate.py [--items 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from conformance.contract import get_api, validate
from conformance.contract.catalogue import validators

NO_VALUES: list[Any] = [None, "null", ""]
CI = "S1V7HGXBV1EPGBJastZf4fQV+eOpOc1pfizByV6UIEEJHM/PF9QKu+PU2OThEog7QmVKSZNibNGg+/k0XB/9jQ=="
# The fields an item must keep (required in the field table), per list.
KEYS = {group: {f.path.rsplit(".", 1)[-1] for f in get_api("balance").fields["response"].values()
                if f.marker == "required" and f.path.startswith(f"balanceList.balance.{group}List[].")}
        for group in ("equity", "fund", "etc")}


class Lit(str):
    """A JSON number literal, written as is (json.dumps would re-spell the number)."""


def _amount(rng: random.Random, scale: float) -> Lit:
    """Amounts as Java's Double.toString writes them: exponent notation from 10^7 on (C8, I10)."""
    value = round(rng.uniform(-0.2, 1.0) * scale, 1)
    if abs(value) < 1e7:
        return Lit(repr(float(value)))
    mantissa, exponent = f"{value:.9E}".split("E")
    return Lit(f"{mantissa.rstrip('0').rstrip('.') or '0'}E{int(exponent)}")


def _maybe(rng: random.Random, value: Any) -> Any:
    """One value in twenty becomes a legal no-value form (or disappears, see _item)."""
    return rng.choice(NO_VALUES) if rng.random() < 0.05 else value


def _item(rng: random.Random, group: str, index: int) -> dict[str, Any]:
    if group == "equity":
        item = {"assetType": rng.choice(["KSP", "KDQ", "ETF", "FUT", "OPT", "ELW"]),
                "productType": _maybe(rng, "01"), "isinCode": f"KR7{index:09d}",
                "productName": _maybe(rng, f"종목{index}"), "qty": Lit(f"{rng.randint(1, 5000)}.0"),
                "tradeType": rng.choice(["NRM", "CRD", "SUM"]),
                "valAtTrade": _amount(rng, 4e9), "valAtCur": _amount(rng, 4e9), "proLoss": _amount(rng, 2e8),
                "earningRate": Lit(f"{rng.uniform(-30, 30):.2f}")}
    elif group == "fund":
        item = {"fundType": _maybe(rng, "02"), "fundCode": f"KRZ{index:09d}", "fundName": f"펀드{index}호",
                "valAtTrade": _amount(rng, 1e8), "valAtCur": _amount(rng, 1e8), "proLoss": _amount(rng, 1e7),
                "firstDateBuy": "20160112", "lastDateBuy": _maybe(rng, "20160113"), "maturity": "00000000",
                "earningRate": Lit(f"{rng.uniform(-30, 30):.2f}")}
    else:
        item = {"assetType": rng.choice(["BOND", "CP", "ELS", "DLS", "RP"]), "assetName": f"채권{index}",
                "qty": _amount(rng, 1e10), "tradeType": "SUM", "valAtTrade": _amount(rng, 1e10),
                "valAtCur": _amount(rng, 1e10), "earningRate": Lit(f"{rng.uniform(-5, 25):.2f}")}
    if rng.random() < 0.03:  # absence is the fourth legal form (identity keys stay, I1)
        item.pop(rng.choice([k for k in item if k not in KEYS[group]]))
    return item


def _raw_json(node: Any) -> str:
    if isinstance(node, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_raw_json(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ",".join(_raw_json(v) for v in node) + "]"
    if isinstance(node, Lit):
        return str(node)
    return json.dumps(node, ensure_ascii=False)


def build_message(items: int, seed: int = 20240102) -> bytes:
    rng = random.Random(seed)
    split = {"equity": items * 6 // 10, "fund": items * 2 // 10}
    split["etc"] = items - split["equity"] - split["fund"]
    doc = {
        "commonHeader": {"reqIdPlatform": "fagbbs22321", "reqIdConsumer": "ID00002", "certDn": "", "ci": CI},
        "accInfo": {"realAccNo": "", "vtAccNo": "160678007213500001"},
        "balanceResponseBody": {
            "queryType": {"assetType": "ALL", "rspType": None, "count": "0", "page": "null"},
            "queryResult": {"totalCnt": Lit(f"{items}.0"), "count": Lit(f"{items}.0"), "page": "null"}},
        "balanceList": {"balance": {
            "summary": {name: Lit(text) for name, text in [
                ("cashBalance", "6976542.0"), ("d1", "6976542.0"), ("d2", "6976542.0"),
                ("substitute", "9.816358E7"), ("receivable", "0.0"), ("subsMargin", "762635.0"),
                ("loanCredit", "0.0"), ("valAtTrade", "3.69827563509E11"), ("valueAtCur", "3.89165300498E11"),
                ("proLoss", "1.9337736989E10"), ("totalAccVal", "3.8917227704E11"),
                ("cashAvWithdraw", "6976542.0")]},
            "equityList": [_item(rng, "equity", i) for i in range(split["equity"])],
            "fundList": [_item(rng, "fund", i) for i in range(split["fund"])],
            "etcList": [_item(rng, "etc", i) for i in range(split["etc"])],
        }},
        "resp": {"respCode": "200", "respMsg": "OK"},
    }
    return _raw_json(doc).encode("utf-8")


def best_of(repeat: int, *funcs: Callable[[], Any]) -> list[float]:
    """Best time of each function over `repeat` rounds, interleaved, each after a full collection
    so that neither pays for the other's garbage."""
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            gc.collect()
            start = time.perf_counter()
            func()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    raw = build_message(args.items)
    validators("balance", "response")  # compile once, as a run does, outside the timing
    violations = validate("balance", "response", raw)
    must = [v for v in violations if v.severity == "MUST"]
    if must:
        print("the benchmark message is not conforming:", *[v.line() for v in must[:5]], sep="\n  ")
        return 1
    loads, full = best_of(args.repeat, lambda: json.loads(raw), lambda: validate("balance", "response", raw))
    print(f"message: {len(raw) / 1e6:.2f} MB, {args.items} items, {len(violations)} SHOULD findings")
    print(f"json.loads:        {loads * 1000:8.1f} ms")
    print(f"contract validate: {full * 1000:8.1f} ms")
    print(f"ratio:             {full / loads:8.2f}x (target <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
