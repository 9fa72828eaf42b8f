"""What `conformance run --replay EVIDENCE` prepares before the suites run: the recording, the
profile the recorded run used, and the clock of that run.

The profile is the one the bundle carries (profile.json: credentials gone, account numbers and CIs
masked), or with an exchanges/ folder the `--profile` given (or the one the run's results.json
names), masked the same way: requests are then built from the same masked values the recording
shows, so they meet the recorded questions. Credentials are placeholders: they are redacted in the
recording anyway. A bundle must verify against its manifest (report/bundle_verify.py) before it is
replayed. The clock is pinned to the recorded run's start (unless CONFORMANCE_NOW is set),
so date windows and the C27 hours are judged as they were then.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conformance import clock
from conformance.client.replay import Recording, RecordingError, load_recording
from conformance.outcomes import UsageError
from conformance.profile import ProfileError, load_profile

PLACEHOLDER = "replay-placeholder-credential"
# the optional C17 tokens too (where the recorded run had none, their questions are not in the
# recording, so their checks are not judged in the replay either), each its own placeholder: the
# client's cache must tell their questions from the valid token's, as it did in the live run
_AUTH = {"bearer_token": PLACEHOLDER, "basic": {"apikey": PLACEHOLDER, "secret": PLACEHOLDER},
         "com_id": PLACEHOLDER, "apikey": PLACEHOLDER,
         "expired_bearer_token": f"{PLACEHOLDER}-expired", "other_user_bearer_token": f"{PLACEHOLDER}-other-user"}


def prepare(evidence: str, profile_arg: str | None, workdir: Path) -> tuple[Recording, str, dict[str, str]]:
    """(the recording, a profile file to run with, environment additions); UsageError if unusable."""
    from conformance.report.bundle import safe_profile, verify_bundle

    if Path(evidence).is_file():  # altered evidence proves nothing: the manifest must hold first
        try:
            intact, why = verify_bundle(Path(evidence))
        except Exception as exc:  # noqa: BLE001 - any unreadable archive is one sentence
            intact, why = False, f"{type(exc).__name__}: {exc}"
        if not intact and "damaged archive" not in why:
            raise UsageError(f"{evidence}: the bundle does not verify ({why}); it cannot be replayed")
    try:
        recording = load_recording(evidence)
    except RecordingError as exc:
        raise UsageError(str(exc)) from None
    if not recording.exchanges:
        raise UsageError(f"{evidence}: the recording holds no exchanges")
    if profile_arg:
        try:
            raw = load_profile(profile_arg).public_dict()
        except ProfileError as exc:
            raise UsageError(str(exc)) from None
        data: dict[str, Any] = safe_profile(raw)
    elif recording.profile is not None:
        data = dict(recording.profile)
    else:
        named = str(((recording.results or {}).get("options") or {}).get("profile") or "")
        if not named or not Path(named).is_file():
            raise UsageError(f"{evidence}: an exchanges/ folder carries no profile; pass --profile FILE")
        data = safe_profile(load_profile(named).public_dict())
    data["auth"] = _AUTH
    path = workdir / "replay-profile.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env: dict[str, str] = {}
    if not os.environ.get(clock.ENV, "").strip() and recording.recorded_at:
        env[clock.ENV] = recording.recorded_at
    return recording, str(path), env
