"""The boundary every output file crosses: scrubbed, inside --out, never through a symlink.

- `write_text` / `write_bytes` scrub the final text (`conformance.redact.scrub`: every registered
  secret and identifier in every encoding), refuse a target whose resolved folder lies outside the
  output folder, and write a temporary file that `os.replace` puts in place — which replaces a
  symlink at the target instead of following it, and never leaves half a file.
- `clear_owned` removes, before a run writes, the files and folders a run owns in --out, so stale
  exchanges of an earlier run never enter the next bundle (a symlink is removed, not followed).
- `sweep` re-scrubs, in place, files that a third-party writer produced (allure-pytest's results
  and attachments), as a last line behind the hooks that scrub them while they are written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from conformance.redact import scrub

# What `conformance run` writes into --out (and so may delete there before it writes again).
RUN_FILES = ("results.json", "report.html", "junit.xml", "evidence.zip", "evidence.zip.partial")
RUN_FOLDERS = ("exchanges", "allure-results")


class OutputError(OSError):
    """An output that would land outside the output folder or go through a symlink."""


def _inside(root: Path, target: Path) -> Path:
    base = root.resolve()
    parent = target.parent.resolve()
    if parent != base and base not in parent.parents:
        raise OutputError(f"{target}: refusing to write outside {root} (a symlinked folder points elsewhere)")
    return parent / target.name


def write_bytes(root: Path, target: Path, data: bytes) -> Path:
    """Write `data` to `target` (inside `root`) atomically, replacing rather than following a symlink."""
    target.parent.mkdir(parents=True, exist_ok=True)
    final = _inside(root, target)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def write_text(root: Path, target: Path, text: str) -> Path:
    """`write_bytes` of the scrubbed text, UTF-8."""
    return write_bytes(root, target, scrub(text).encode("utf-8"))


def clear_owned(root: Path) -> None:
    """Remove what an earlier run left in `root` (RUN_FILES, RUN_FOLDERS); symlinks are unlinked."""
    for name in (*RUN_FILES, *RUN_FOLDERS):
        path = root / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)


def sweep(root: Path, folder: str, suffixes: tuple[str, ...] = (".json", ".txt", ".xml", ".jsonl")) -> int:
    """Re-scrub every file in `root/folder` that a writer of ours did not produce; returns how many
    changed. A symlink in there is removed: nothing an output folder holds may point elsewhere."""
    changed = 0
    base = root / folder
    if not base.is_dir() or base.is_symlink():
        return 0
    for path in sorted(base.rglob("*")):
        if path.is_symlink():
            path.unlink()
            continue
        if not path.is_file() or path.suffix not in suffixes:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        clean = scrub(text)
        if clean != text:
            write_bytes(root, path, clean.encode("utf-8"))
            changed += 1
    return changed
