"""history.html: the operator's view over time, one self-contained page drawn from the SQLite history.

Per broker a timeline (its outcome per audit, MUST and SHOULD failures, capability drift), the
fleet's trend (compliant brokers, failed rules per area), recurring rules, the brokers longest
non-compliant, capability drift and waivers expiring soon, all on one time axis with the newest
audit on the right. Points link to the audit's report.html while that is still on disk.

`conformance history --history FILE --html OUT [--since DATE] [--broker NAME] [--reports DIR]`
writes it; every fleet audit writes one beside its summary.html (`write_for_audit`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from argparse import Namespace
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from conformance.outcomes import EXIT_OK, EXIT_USAGE
from conformance.redact import scrub, scrub_data
from conformance.report import history_svg as svg
from conformance.report.history import HistoryError, open_history, parse_since
from conformance.report.history_data import (
    HistoryView,
    Point,
    audit_folders,
    load_view,
    non_compliant,
)
from conformance.report.templating import environment

TEMPLATE = "history.html.j2"
PAGE_NAME = "history.html"  # beside each audit's summary.html
# Rendering the history in an audit costs it seconds at most; beyond this many audits the page
# an audit writes starts at the latest ones (the command line draws any range on request).
AUDIT_PAGE_MAX_AUDITS = 1000


def _environment() -> jinja2.Environment:
    env = environment(extensions=["jinja2.ext.i18n"])
    # The page's fixed texts are gettext calls; with no catalogue installed they are the English
    # source. A Korean catalogue installed here later translates them without touching the template.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def _href(page_dir: Path) -> Any:
    """Point → the relative link from the page to its report; one relpath per audit folder."""
    base = os.path.abspath(page_dir)
    folders: dict[Path, str] = {}

    def href(point: Point) -> str | None:
        if point.report is None:
            return None
        folder = point.report.parent.parent  # AUDIT/<short_name>/report.html
        if folder not in folders:
            rel = Path(os.path.relpath(os.path.abspath(folder), base)).as_posix()
            folders[folder] = "" if rel == "." else quote(rel) + "/"
        return f"{folders[folder]}{quote(point.report.parent.name)}/report.html"

    return href


def _scrub_view(view: HistoryView) -> None:
    """Scrub every text the history supplies (names, reasons) before it is drawn: the same
    guarantee as scrubbing the whole page, at a fraction of the cost for a page of megabytes."""
    seen: dict[str, str] = {}

    def clean(text: str) -> str:
        if text not in seen:
            seen[text] = scrub(text)
        return seen[text]

    for broker in view.brokers:
        broker.name = clean(broker.name)
        for point in broker.points:
            point.reason = clean(point.reason)
    for drift in view.drift:
        drift.was, drift.now = scrub_data(drift.was), scrub_data(drift.now)
    for waiver in view.waivers or []:
        waiver.update(scrub_data(waiver))


def render_page(view: HistoryView, page_dir: Path, *, history_name: str = "") -> str:
    """The page as a string (secrets scrubbed from the history's texts); links are relative to `page_dir`."""
    _scrub_view(view)
    axis = svg.Axis.fit(len(view.audits))
    drift_by: dict[str, list[Any]] = defaultdict(list)
    for d in view.drift:
        drift_by[d.short_name].append(d)
    href = _href(page_dir)
    points = {(b.short_name, p.audit): p for b in view.brokers for p in b.points}

    def link_at(short: str, index: int) -> str | None:
        point = points.get((short, index))
        return href(point) if point is not None else None

    page = _environment().get_template(TEMPLATE).render(
        view=view,
        axis=axis,
        audits=view.audits,
        brokers=view.brokers,
        drift_by=drift_by,
        non_compliant=non_compliant(view),
        latest=view.audits[-1] if view.audits else None,
        href=href,
        link_at=link_at,
        svg=svg,
        outcome=svg.outcome,
        when=svg.when,
        history_name=history_name,
        generated_at=view.now.astimezone(UTC).replace(microsecond=0).isoformat(),
    )
    return page


def write_page(
    conn: sqlite3.Connection,
    out: Path,
    *,
    now: datetime | None = None,
    since: str | None = None,
    broker: str | None = None,
    report_roots: list[Path] | None = None,
    extra_folders: dict[str, list[Path]] | None = None,
    history_name: str = "",
) -> tuple[Path, HistoryView]:
    """Render the history into the file `out`; reports are looked for in `report_roots`
    (each holding audit folders with a summary.json; default the folder `out` is in and its
    parent) and in `extra_folders` (an audit's started_at → its folder)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    roots = report_roots if report_roots is not None else [out.parent, out.parent.parent]
    folders = audit_folders(roots)
    for started_at, extra in (extra_folders or {}).items():
        folders[started_at] = [*extra, *folders.get(started_at, [])]
    view = load_view(conn, now=now or datetime.now(UTC), since=since, broker=broker, folders=folders)
    out.write_text(render_page(view, out.parent, history_name=history_name), encoding="utf-8")
    return out, view


def write_for_audit(conn: sqlite3.Connection, out_dir: Path, history_path: Path, started_at: str) -> Path:
    """The page beside an audit's summary.html: every audit of the history, links into this
    audit's folder and the audit folders beside it (the dated-folder layout of docs/scheduling.md).
    Written before this audit's summary.json exists, so its own folder is named by `started_at`."""
    since = None
    rows = conn.execute(
        "SELECT started_at FROM audits WHERE finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1 OFFSET ?",
        (AUDIT_PAGE_MAX_AUDITS - 1,),
    ).fetchone()
    if rows:
        since = rows[0]
    out = Path(out_dir) / PAGE_NAME
    write_page(conn, out, since=since, report_roots=[Path(out_dir).resolve().parent],
               extra_folders={started_at: [Path(out_dir).resolve()]}, history_name=Path(history_path).name)
    return out


def history_page_command(args: Namespace) -> int:
    """`conformance history --history FILE --html OUT`: exit 0, or 2 with one line on stderr."""
    path = Path(args.history)
    if not path.is_file():
        print(f"conformance: {path}: no such history file", file=sys.stderr)
        return EXIT_USAGE
    try:
        since = parse_since(getattr(args, "since", None))
    except ValueError:
        print(f"conformance: --since {args.since!r} is not a date (YYYY-MM-DD) or ISO time", file=sys.stderr)
        return EXIT_USAGE
    roots = [Path(r) for r in (getattr(args, "reports", None) or [])] or [path.resolve().parent]
    try:
        conn = open_history(path)
        try:
            out, view = write_page(conn, Path(args.html), since=since, broker=args.broker,
                                   report_roots=roots, history_name=path.name)
        finally:
            conn.close()
    except (HistoryError, sqlite3.Error) as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"conformance: cannot write {args.html}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.broker and not view.brokers:
        print(f"conformance: no runs of broker {args.broker!r} in {path}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{out}\t{len(view.audits)} audits\t{len(view.brokers)} brokers")
    return EXIT_OK
