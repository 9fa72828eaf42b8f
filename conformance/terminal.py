"""What the `conformance` command prints passes through here: scrubbed, and free of control
characters, so a broker's text can neither leak a secret to a CI log nor drive the terminal
(ANSI escapes that recolour, move the cursor, retitle the window or hide a line)."""

from __future__ import annotations

import re
from typing import Any, TextIO

from conformance.redact import scrub

# CSI and OSC sequences whole, then any other ESC sequence, then the remaining C0/C1 controls
# except tab and newline (a lone carriage return would let a line overwrite the one before it).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without terminal escape sequences and control characters (tab and newline kept)."""
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class CleanStream:
    """A text stream that writes `strip_controls(scrub(text))` to the stream it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(strip_controls(scrub(text)))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self._inner, name)
