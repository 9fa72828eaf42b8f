"""The `conformance` command. Thin: parses arguments and calls the modules that do the work.

Exit codes everywhere: 0 = fine / compliant, 1 = a verdict against the broker or message,
2 = the command could not be carried out (usage, bad profile, unreachable gateway) with one line
on stderr saying why.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from conformance import __version__
from conformance.outcomes import EXIT_FAIL, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"koscom-conformance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="audit one broker (default: the bundled reference broker diamond)")
    run.add_argument("--profile", help="broker profile (YAML); omitted: the embedded reference broker")
    run.add_argument("--out", default="reports/latest", help="output folder (default: reports/latest)")
    run.add_argument("--area", action="append", default=[], help="only these rule areas (repeatable)")
    run.add_argument("--fuzz", action=argparse.BooleanOptionalAction, default=False,
                     help="schemathesis negative testing from schemas/openapi.yaml (default: off)")
    run.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (warned)")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument("--sign-key", default=None, metavar="KEY",
                     help="Ed25519 private key (PEM) that signs the evidence bundle's manifest")
    run.add_argument("--replay", default=None, metavar="EVIDENCE",
                     help="re-judge a recording (evidence.zip or an exchanges/ folder) with no network")
    run.add_argument("--waivers", default=None, metavar="FILE",
                     help="accepted deviations (YAML): a matched failure is 'waived' until its expiry date")
    run.add_argument("--rerun-failed", default=None, metavar="RESULTS",
                     help="an earlier results.json: ask again only its failed, warned and unjudged checks, "
                          "carry the others over")
    run.add_argument("--lang", choices=["en", "ko"], default=None,
                     help="language shown first in the report (both are inside; default: the profile's "
                          "report.lang, else en)")
    run.add_argument("pytest_args", nargs="*", help="after --: arguments passed to pytest (-k, -x, -n 2)")

    judge = sub.add_parser("judge", help="judge captured traffic (a HAR file) passively, sending nothing")
    judge.add_argument("--har", required=True, help="the capture (HAR 1.2; browser, mitmproxy or gateway export)")
    judge.add_argument("--profile", default=None, help="broker profile: only its gateway's entries are judged")
    judge.add_argument("--out", default="reports/passive", help="output folder (default: reports/passive)")
    judge.add_argument("--quiet", action="store_true", help="no summary lines")

    serve = sub.add_parser("serve-reference", help="serve a reference (virtual) broker over HTTP")
    serve.add_argument("--broker", default="diamond", help="diamond | cyber | star")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700, help="0 picks a free port")
    serve.add_argument("--fault", action="append", default=[], help="inject a named fault (repeatable)")
    serve.add_argument("--null-forms", default=None,
                       choices=["absent", "null", "string", "empty", "rotate"],
                       help="express every optional no-value in this legal form")
    serve.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429")
    serve.add_argument("--window", choices=["open", "enforce"], default="open",
                       help="enforce: balancelist/settlelist refuse 08:30-16:00 Seoul time (C27; clock: "
                            "CONFORMANCE_NOW)")
    serve.add_argument("--prices", choices=["fixed", "drift"], default="fixed",
                       help="drift: prices move on every call, like a market in trading hours")
    serve.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    serve.add_argument("--lang", choices=["en", "ko"], default="en", help="language of --list-faults")

    audit = sub.add_parser("audit", help="audit every broker profile in a folder")
    audit.add_argument("--profiles", required=True, help="folder of broker profiles")
    audit.add_argument("--out", required=True, help="output folder")
    audit.add_argument("--workers", type=int, default=1, help="parallel brokers (pytest-xdist workers)")
    audit.add_argument("--history", default=None, help="SQLite history file (default: OUT/../history.sqlite)")
    audit.add_argument("--fail-on", default="must", choices=["must", "should", "regression"])
    audit.add_argument("--area", action="append", default=[], help="only these rule areas (repeatable)")
    audit.add_argument("--sign-key", default=None, metavar="KEY",
                       help="Ed25519 private key (PEM) that signs every broker's evidence bundle")
    audit.add_argument("--waivers", default=None, metavar="FILE",
                       help="accepted deviations (YAML) for the fleet (broker: NAME or \"*\")")
    audit.add_argument("--lang", choices=["en", "ko"], default=None,
                     help="language shown first in the report (both are inside; default: each profile's "
                          "report.lang, else en; the summary: en)")

    history = sub.add_parser("history", help="list past audits, or draw them as a page (--html)")
    history.add_argument("--history", required=True, help="SQLite history file")
    history.add_argument("--broker", default=None, help="only this broker (short name)")
    history.add_argument("--since", default=None, metavar="DATE", help="only audits started on or after DATE (UTC)")
    history.add_argument("--html", default=None, metavar="OUT", help="write the history page (one HTML file) to OUT")
    history.add_argument("--reports", action="append", default=[], metavar="DIR",
                         help="with --html: folder holding the audit folders to link to (default: the history's)")
    history.add_argument("--merge", action="append", default=[], metavar="OTHER",
                         help="copy the audits of another history file into --history (repeatable)")

    validate = sub.add_parser("validate", help="check one saved message against the contract")
    validate.add_argument("--api", required=True, help="API id, e.g. balance")
    kind = validate.add_mutually_exclusive_group(required=True)
    kind.add_argument("--request", dest="kind", action="store_const", const="request")
    kind.add_argument("--response", dest="kind", action="store_const", const="response")
    validate.add_argument("file", help="the saved message (JSON)")
    validate.add_argument("--strict", action="store_true", help="exit 1 on SHOULD findings too")

    sub.add_parser("rules", help="print the rule catalogue")

    report = sub.add_parser("report", help="re-render report.html from a saved results.json")
    report.add_argument("--from", dest="source", required=True, help="results.json")
    report.add_argument("--out", required=True, help="output folder")
    report.add_argument("--lang", choices=["en", "ko"], default="en", help="language shown first (default: en)")

    verify = sub.add_parser("verify-bundle", help="check an evidence.zip against its SHA-256 manifest")
    verify.add_argument("bundle", help="evidence.zip")
    verify.add_argument("--public-key", default=None, metavar="PUB",
                        help="Ed25519 public key (PEM) the bundle must be signed by")

    keygen = sub.add_parser("keygen", help="make an Ed25519 key pair for --sign-key / --public-key")
    keygen.add_argument("--private", required=True, help="private key file to create (mode 600)")
    keygen.add_argument("--public", required=True, help="public key file to create")
    return parser


def _cmd_rules() -> int:
    from conformance.rules import load_rules

    for rule in load_rules().values():
        print(f"{rule.id}\t{rule.severity}\t{rule.area}\t{rule.spec_ref}\t{rule.title}")
    return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "rules":
        return _cmd_rules()
    if command == "validate":
        from conformance.contract.cli import validate_command

        return validate_command(args.api, args.kind, args.file, strict=args.strict)
    if command == "run":
        from conformance.runner import run_command

        return run_command(args)
    if command == "judge":
        from conformance.passive.command import judge_command

        return judge_command(args)
    if command == "serve-reference":
        from conformance.reference.server import serve_command

        return serve_command(args)
    if command == "audit":
        from conformance.audit import audit_command

        return audit_command(args)
    if command == "history" and args.html:
        from conformance.report.history_page import history_page_command

        return history_page_command(args)
    if command == "history":
        from conformance.report.history_cli import history_command

        return history_command(args)
    if command == "report":
        from conformance.report.html import report_command

        return report_command(args.source, args.out, args.lang)
    if command == "verify-bundle":
        from conformance.report.bundle import verify_command

        return verify_command(args.bundle, args.public_key)
    if command == "keygen":
        from conformance.signing import keygen_command

        return keygen_command(args)
    raise UsageError(f"unknown command {command}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from conformance.terminal import CleanStream

    # everything printed from here on is scrubbed and stripped of terminal control characters
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanStream(sys.stdout), CleanStream(sys.stderr)  # type: ignore[assignment]
    try:
        return _main(args)
    finally:
        sys.stdout, sys.stderr = saved


def _main(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        print(f"conformance: {args.command} could not be carried out: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
