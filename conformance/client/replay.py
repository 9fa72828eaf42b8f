"""Answers from a recording instead of the network: `conformance run --replay EVIDENCE`.

The recording is a run's evidence (evidence.zip's exchanges.json, or the exchanges/*.jsonl folder a
run writes). The client asks its questions as always; `Recording.answer` looks each up and returns
the recorded answer as a `TransportResult`, so the suites run unchanged and no byte reaches a
gateway (the client makes no HTTP client at all in replay).

"Equivalent" is the live run's own cache key (`questions.question_key`), applied to what a
recording can still show: the URL's path and query (not the host: the broker may have moved), the
headers as recorded, that is with credentials redacted and the b2b comId (a credential the bundle's
profile does not keep) blanked, and the body as written to evidence (account numbers and CIs
masked, the generated request id ignored). Two recorded questions that differ only by a redacted
credential (a valid and a wrong token) are told apart by the check's purpose. A question not in the
recording comes back with `error_kind` `not_recorded`: the verdict layer reports the check as not
judged, never as a pass or a fail.
"""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.client.questions import question_key
from conformance.client.transport import TransportResult
from conformance.redact import REDACTED, SECRET_HEADERS, scrub
from conformance.results_doc import ResultsError, load_results, parse_record

__all__ = ["NOT_RECORDED", "Recording", "RecordingError", "load_recording"]

NOT_RECORDED = "not_recorded"
_BLANKED = SECRET_HEADERS | {"comid"}
MAX_EXCHANGES_BYTES = 512 * 1024 * 1024  # exchanges.json of a bundle is read whole: refuse a bomb


class RecordingError(Exception):
    """The evidence cannot be replayed (one sentence)."""


@dataclass
class Recording:
    source: str
    exchanges: list[dict[str, Any]]
    results: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    manifest_sha256: str = ""
    misses: int = 0
    _by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for record in self.exchanges:
            request = record.get("request") or {}
            key = replay_key(str(request.get("method", "")), str(request.get("url", "")),
                             request.get("headers") or {}, str(request.get("body", "")).encode("utf-8"))
            self._by_key.setdefault(key, []).append(record)

    @property
    def recorded_at(self) -> str:
        return str((self.results or {}).get("started_at", ""))

    def info(self) -> dict[str, Any]:
        """The `replay` block of results.json."""
        return {"bundle": self.source, "manifest_sha256": self.manifest_sha256, "recorded_at": self.recorded_at,
                "recorded_exchanges": len(self.exchanges)}

    def find(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
             purpose: str = "") -> dict[str, Any] | None:
        candidates = self._by_key.get(replay_key(method, url, headers, body), [])
        if len(candidates) > 1:  # the same question but for a redacted credential: the purpose says which
            same = [c for c in candidates if c.get("purpose") == purpose]
            answers = {json.dumps(c.get("response"), sort_keys=True) for c in candidates}
            if same:
                candidates = same
            elif len(answers) > 1:
                return None  # several different answers and nothing to choose by: not judged
        return candidates[0] if candidates else None

    def answer(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
               purpose: str = "") -> tuple[TransportResult, str]:
        """(the recorded answer, the instant it was asked) or a `not_recorded` result."""
        record = self.find(method, url, headers, body, purpose)
        if record is None:
            with self._lock:
                self.misses += 1
            path = urlsplit(url).path
            return TransportResult(status=None, headers={}, body=b"", elapsed_ms=0.0,
                                   error=f"not in the recording: {method} {path} was not asked in the "
                                         "recorded run (replay answers only recorded questions)",
                                   error_kind=NOT_RECORDED), ""
        response = record.get("response") or {}
        status = response.get("status")
        return TransportResult(
            status=int(status) if isinstance(status, int) else None,
            headers={str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()},
            body=str(response.get("body") or "").encode("utf-8"),
            elapsed_ms=float(record.get("elapsed_ms") or 0.0),
            error=response.get("error"), error_kind=response.get("error_kind"),
            notes=[*record.get("notes", []), f"replayed from the recording ({record.get('id', '?')})"],
        ), str(record.get("asked_at") or "")


def replay_key(method: str, url: str, headers: Mapping[str, Any], body: bytes) -> tuple[Any, ...]:
    """The live cache key over what a recording keeps (see the module docstring)."""
    parts = urlsplit(url)
    where = parts.path + (f"?{parts.query}" if parts.query else "")
    shown = {str(name): (REDACTED if str(name).lower() in _BLANKED else scrub(str(value)))
             for name, value in headers.items()}
    text = body.decode("utf-8", "replace")
    return question_key(method, where, shown, scrub(scrub(text)).encode("utf-8"))


def load_recording(path: str | Path) -> Recording:
    """An evidence.zip (its manifest checked first) or an exchanges/ folder of *.jsonl files."""
    source = Path(path)
    if source.is_dir():
        return _load_folder(source)
    if not source.is_file():
        raise RecordingError(f"{path}: no such file or folder")
    if not zipfile.is_zipfile(source):
        raise RecordingError(f"{path}: neither an evidence.zip nor an exchanges/ folder")
    try:
        with zipfile.ZipFile(source) as archive:  # only named members are read, never unpacked
            names = set(archive.namelist())
            if "exchanges.json" not in names:
                raise RecordingError(f"{path}: the bundle holds no exchanges.json")
            exchanges = json.loads(_read(archive, "exchanges.json"))
            results = parse_record(_read(archive, "results.json")) if "results.json" in names else None
            profile = json.loads(_read(archive, "profile.json")) if "profile.json" in names else None
            comment = archive.comment.decode("ascii", "replace")
    except (zipfile.BadZipFile, ValueError, OSError, ResultsError) as exc:
        raise RecordingError(f"{path}: damaged bundle ({exc})") from None
    if not isinstance(exchanges, list):
        raise RecordingError(f"{path}: exchanges.json is not a list of exchanges")
    return Recording(source=source.name, exchanges=exchanges, results=results, profile=profile,
                     manifest_sha256=comment.removeprefix("manifest-sha256="))


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as stream:
        data = stream.read(MAX_EXCHANGES_BYTES + 1)
    if len(data) > MAX_EXCHANGES_BYTES:
        raise RecordingError(f"{name} inflates past {MAX_EXCHANGES_BYTES >> 20} MB (refused)")
    return data


def _load_folder(folder: Path) -> Recording:
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise RecordingError(f"{folder}: no *.jsonl exchange files in the folder")
    exchanges: list[dict[str, Any]] = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").split("\n"), 1):
            if line.strip():
                try:
                    exchanges.append(json.loads(line))
                except ValueError:
                    raise RecordingError(f"{file}: line {number} is not JSON") from None
    results_file = folder.parent / "results.json"
    try:
        results = load_results(results_file) if results_file.is_file() else None
    except ResultsError as exc:
        raise RecordingError(str(exc)) from None
    return Recording(source=folder.name + "/", exchanges=exchanges, results=results)
