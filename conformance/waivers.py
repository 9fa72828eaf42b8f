"""Governed waivers: a known, accepted deviation does not count against compliance until a date.

A waivers file is a YAML list; each entry names a rule, a broker (short name or "*"), optionally an
API and a check (an fnmatch pattern on the pytest node id), and says why (`reason`, `clause`),
who accepted it (`approved_by`) and until when (`expires`, a date). A waiver is valid through its
`expires` date, inclusive, in Seoul time (the contract's clock; schemas/DECISIONS.md), and
expired from the next day; "today" comes from `conformance.clock` (CONFORMANCE_NOW pins it).

`apply_waivers` is the one place a waiver changes a verdict: it runs on the folded results record,
so a fresh run, a rerun and a replay waive the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from conformance import clock, profile_load
from conformance.contract import API_IDS
from conformance.outcomes import UsageError
from conformance.rules import load_rules, rule_status

__all__ = ["EXPIRY_WARNING_DAYS", "Waiver", "WaiverError", "apply_waivers", "load_waivers", "node_pattern",
           "seoul_date"]

EXPIRY_WARNING_DAYS = 14  # reports list waivers that end within this many days
WAIVABLE = ("fail", "warn")
REQUIRED = ("rule", "broker", "reason", "approved_by", "expires")
OPTIONAL = ("api", "check", "clause")


class _Loader(profile_load._BoundedLoader):
    """The profile's bounded YAML loader (depth, alias and duplicate-key caps), but dates are kept
    as their text: `expires: 2026-12-31` is the natural way to write one (checked in `_expires`)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


class WaiverError(UsageError):
    """A waivers file that cannot be used: one line naming the file, the entry and the key (exit 2)."""


@dataclass(frozen=True)
class Waiver:
    index: int  # position in its file, from 0
    file: str
    rule: str
    broker: str
    reason: str
    approved_by: str
    expires: date
    clause: str = ""
    api: str = ""
    check: str = ""

    def matches(self, rule_id: str, broker: str, api: str, nodeid: str) -> bool:
        return (self.rule == rule_id and self.broker in ("*", broker) and (not self.api or self.api == api)
                and (not self.check or node_pattern(self.check).fullmatch(nodeid) is not None))

    def expired(self, today: date) -> bool:
        return today > self.expires  # valid through `expires`, inclusive

    def as_dict(self, today: date) -> dict[str, Any]:
        return {"entry": self.index, "file": self.file, "rule": self.rule, "broker": self.broker,
                "api": self.api, "check": self.check, "reason": self.reason, "clause": self.clause,
                "approved_by": self.approved_by, "expires": self.expires.isoformat(),
                "expires_in_days": (self.expires - today).days}


def node_pattern(pattern: str) -> re.Pattern[str]:
    """A `check` pattern as a regex: fnmatch's `*` and `?`, but `[` and `]` literal, since every
    parametrized node id has them (`test_numbers.py::test_number_literals[NUM-001-balance]`)."""
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern))


def seoul_date(at: datetime | None = None) -> date:
    """The Seoul calendar date of `at` (default: the run's clock)."""
    return (at or clock.now()).astimezone(clock.SEOUL).date()


def _text(source: str, index: int, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WaiverError(f"{source}: entry [{index}]: {key}: must be a non-empty string, not {value!r}")
    return value.strip()


def _expires(source: str, index: int, value: Any) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise WaiverError(f"{source}: entry [{index}]: expires: {value!r} is not a date (YYYY-MM-DD)")


def _entry(source: str, index: int, raw: Any) -> Waiver:
    if not isinstance(raw, dict):
        raise WaiverError(f"{source}: entry [{index}]: must be a mapping (rule:, broker:, reason:, ...)")
    for key in raw:
        if key not in REQUIRED + OPTIONAL:
            raise WaiverError(f"{source}: entry [{index}]: unknown key {key!r}; "
                              f"keys: {', '.join(REQUIRED + OPTIONAL)}")
    for key in REQUIRED:
        if key not in raw:
            raise WaiverError(f"{source}: entry [{index}]: {key}: missing")
    rule = _text(source, index, "rule", raw["rule"])
    rules = load_rules()
    if rule not in rules:
        raise WaiverError(f"{source}: entry [{index}]: rule: unknown rule id {rule!r} (see `conformance rules`)")
    api = _text(source, index, "api", raw["api"]) if raw.get("api") is not None else ""
    if api and api not in API_IDS:
        raise WaiverError(f"{source}: entry [{index}]: api: unknown API id {api!r}; valid ids: {', '.join(API_IDS)}")
    clause = _text(source, index, "clause", raw["clause"]) if raw.get("clause") is not None else ""
    return Waiver(index=index, file=Path(source).name, rule=rule, broker=_text(source, index, "broker", raw["broker"]),
                  reason=_text(source, index, "reason", raw["reason"]),
                  approved_by=_text(source, index, "approved_by", raw["approved_by"]),
                  expires=_expires(source, index, raw["expires"]), clause=clause or rules[rule].spec_ref,
                  api=api, check=_text(source, index, "check", raw["check"]) if raw.get("check") is not None else "")


def load_waivers(path: str | Path) -> list[Waiver]:
    """Read and validate a waivers file; WaiverError (exit 2) names the file, entry and key."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WaiverError(f"{source}: no such waivers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{source}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if len(text.encode("utf-8")) > profile_load.MAX_PROFILE_BYTES:
        raise WaiverError(f"{source}: larger than {profile_load.MAX_PROFILE_BYTES // 1024} KB")
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except (profile_load.ProfileInputError, yaml.YAMLError, RecursionError) as exc:
        raise WaiverError(f"{source}: not a usable waivers file ({' '.join(str(exc).split())})") from None
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list):
        raise WaiverError(f"{source}: a waivers file is a YAML list of entries (- rule: ..., broker: ...)")
    return [_entry(source, index, raw) for index, raw in enumerate(data)]


def _fold(results: dict[str, Any]) -> None:
    """Rule statuses and the summary again, after check statuses changed."""
    counts: dict[str, int] = {}
    must_failed = 0
    for rule in results.get("rules", []):
        if rule.get("checks"):
            rule["status"] = rule_status(rule.get("severity", "MUST"), [c["status"] for c in rule["checks"]])
        counts[rule["status"]] = counts.get(rule["status"], 0) + 1
        must_failed += rule["status"] == "fail"
    summary = results.setdefault("summary", {})
    for status in ("pass", "fail", "warn", "skip", "not_applicable", "waived"):
        summary[status] = counts.get(status, 0)
    summary["must_failed"] = must_failed
    summary["compliant"] = must_failed == 0 and not results.get("run_errors")


def apply_waivers(results: dict[str, Any], waivers: Iterable[Waiver], today: date) -> dict[str, Any]:
    """Waive the failed and warned checks a valid waiver matches (status `waived`, the waiver and
    the status it had), fold rules and summary again, and say which waivers were applied, expired
    or unused (`results["waivers"]`). Changes `results` in place and returns it."""
    entries = list(waivers)
    broker = str((results.get("broker") or {}).get("short_name") or "")
    valid = [w for w in entries if not w.expired(today)]
    used: dict[Waiver, int] = {}
    blocked: dict[Waiver, int] = {}  # expired waivers that would have matched
    waived_checks = 0
    for rule in results.get("rules", []):
        rule_waivers: list[dict[str, Any]] = []
        for check in rule.get("checks") or []:
            if check.get("status") not in WAIVABLE:
                continue
            hit = [w for w in entries if w.matches(rule["id"], broker, check.get("api", ""), check.get("nodeid", ""))]
            waiver = next((w for w in hit if w in valid), None)
            for w in hit:
                if w.expired(today):
                    blocked[w] = blocked.get(w, 0) + 1
            if waiver is None:
                continue
            used[waiver] = used.get(waiver, 0) + 1
            record = waiver.as_dict(today)
            check.update(waived_status=check["status"], status="waived", waiver=record)
            waived_checks += 1
            if record not in rule_waivers:
                rule_waivers.append(record)
        if rule_waivers:
            rule["waiver"], rule["waivers"] = rule_waivers[0], rule_waivers
    _fold(results)
    results["summary"]["waived_checks"] = waived_checks
    results["waivers"] = {
        "today": today.isoformat(), "timezone": "Asia/Seoul", "count": len(entries),
        "applied": [{**w.as_dict(today), "checks": n} for w, n in used.items()],
        "expired": [{**w.as_dict(today), "would_match": blocked.get(w, 0)} for w in entries if w.expired(today)],
        "unused": [w.as_dict(today) for w in valid if w not in used],
        "expiring_soon": [w.as_dict(today) for w in valid if (w.expires - today).days <= EXPIRY_WARNING_DAYS],
    }
    return results
