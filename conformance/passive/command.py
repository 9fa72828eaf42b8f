"""`conformance judge --har FILE [--profile P] --out DIR`: judge captured traffic, no request sent.

Entries are streamed from the HAR (passive/har.py), matched to the 11 APIs by path (and to the
profile's gateway when a profile is given; other hosts are ignored), turned into exchanges
(passive/entries.py) and judged one by one (passive/judge.py). The outputs are a run's:
results.json, report.html, junit.xml and allure-results, every file through the scrubber.
Exit 0 compliant, 1 not compliant, 2 when the HAR is broken or holds no call of the 11 APIs.
"""

from __future__ import annotations

import json
import sys
import time
from argparse import Namespace
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance import clock, outputs
from conformance.outcomes import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from conformance.passive.entries import match_api, to_entry
from conformance.passive.har import HarError, iter_entries
from conformance.passive.judge import Tally, build_results, finish, judge_entry
from conformance.profile import ProfileError, load_profile
from conformance.redact import scrub_data

MAX_NOTES = 50  # entry notes kept in results.json (the count says how many there were)


def judge_har(har: str, profile: Any, profile_path: str = "") -> dict[str, Any]:
    """Judge every API entry of `har`; returns the results record (HarError for a broken file)."""
    started, t0 = clock.now(), time.monotonic()
    base_url = profile.base_url if profile is not None else None
    short_name = profile.short_name if profile is not None else None
    tally = Tally()
    entries = judged = 0
    ignored: Counter[str] = Counter()
    notes: list[str] = []
    note_count = 0
    brokers: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    for index, item in enumerate(iter_entries(har)):
        entries += 1
        request = item.get("request") if isinstance(item, dict) else None
        url = request.get("url") if isinstance(request, dict) else None
        if not isinstance(url, str):
            ignored["not an HTTP entry"] += 1
            continue
        matched = match_api(url, base_url, short_name)
        if matched is None:
            ignored["another host or path"] += 1
            continue
        api, broker = matched
        entry = to_entry(index, item, api)
        brokers[broker] += 1
        parts = urlsplit(url)
        origins[f"{parts.scheme}://{parts.netloc}"] += 1
        judge_entry(entry, tally)
        judged += 1
        for note in entry.notes:
            note_count += 1
            if len(notes) < MAX_NOTES:
                notes.append(f"entry {index + 1} ({api}): {note}")
        entry.exchange.response_body = b""  # judged: the body leaves memory (and the body budget)
    if not judged:
        where = f" at {base_url}" if base_url else ""
        raise HarError(f"{har}: none of its {entries} entries is a call of the 11 APIs{where}; nothing to judge")
    notes += finish(tally)
    if profile is not None:
        broker_block = {"name": profile.name, "short_name": profile.short_name, "code": profile.code,
                        "base_url": profile.base_url}
    else:
        broker_block = {"name": "", "short_name": brokers.most_common(1)[0][0], "code": "",
                        "base_url": origins.most_common(1)[0][0]}
    passive = {"har": Path(har).name, "entries": entries, "judged": judged, "ignored": sum(ignored.values()),
               "ignored_by_reason": dict(ignored), "notes": notes, "notes_total": note_count}
    options = {"areas": [], "fuzz": False, "insecure": False, "profile": profile_path, "har": Path(har).name}
    return build_results(tally, passive, broker_block, started, t0, options)


def write_outputs(results: dict[str, Any], out: Path) -> None:
    from conformance.report.allure_files import write_allure_results
    from conformance.report.html import render_html
    from conformance.report.junit import write_junit

    outputs.write_text(out, out / "results.json", json.dumps(scrub_data(results), ensure_ascii=False, indent=1))
    render_html(results, out)
    write_junit(results, out / "junit.xml")
    write_allure_results(results, out)


def judge_command(args: Namespace) -> int:
    profile = None
    if args.profile:
        try:
            profile = load_profile(args.profile)
        except ProfileError as exc:
            print(f"conformance: {exc}", file=sys.stderr)
            return EXIT_USAGE
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    outputs.clear_owned(out)
    try:
        results = judge_har(args.har, profile, args.profile or "")
    except HarError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    write_outputs(results, out)
    summary, passive = results["summary"], results["passive"]
    if not args.quiet:
        print(f"conformance: judged {passive['judged']} of {passive['entries']} captured entries "
              f"({passive['ignored']} ignored); {len(passive['not_judged_rules'])} rules not judged passively")
        verdict = ("COMPLIANT" if summary["compliant"]
                   else f"NOT COMPLIANT ({summary['must_failed']} MUST rules failed)")
        print(f"conformance: {verdict}; report: {out / 'report.html'}")
    return EXIT_OK if summary["compliant"] else EXIT_FAIL
