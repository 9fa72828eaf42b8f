"""Evidence bodies for humans: pretty-print JSON as written, find a JSON path in it, cut it to size.

The printer works on tokens, not on parsed values, so what the broker wrote survives: number
literals keep their spelling (`9.816358E7` stays `9.816358E7`, which the number rules judge),
duplicate keys stay duplicated, strings keep their escapes. It records the line span of every
value's path, so a check's `path` (`balanceList.balance.equityList[3].productName`) can be
highlighted. A body cut short by the evidence recorder is printed as far as it goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INDENT = "  "
MAX_LINE_CHARS = 2_000  # one minified or binary line must not swallow the page
CONTEXT_LINES = 6  # lines shown around a highlighted field when the body is cut
MAX_HIGHLIGHT_LINES = 60  # a highlighted container longer than this shows its head and tail

# The note Exchange.to_evidence appends when it cut a body: "\n… (1234 more characters)".
_RECORDER_CUT_RE = re.compile(r"\n… \((\d+) more characters\)\Z")
_WS_RE = re.compile(r"[ \t\r\n]*")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER_RE = re.compile(r"-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERAL_RE = re.compile(r"true|false|null|NaN|-?Infinity")
_PATH_TOKEN_RE = re.compile(r"\[(\d*|\*)\]|([^.\[\]]+)")

Path = tuple[str, ...]


class _NotJson(Exception):
    pass


class _Cut(Exception):
    """The text ended inside a value."""


@dataclass
class Pretty:
    """A body printed one value per line, with the line span (first, last; 0-based) of every path."""

    lines: list[str]
    spans: dict[Path, list[tuple[int, int]]]
    is_json: bool
    cut: bool = False  # the text ended before the JSON value did
    cut_note: str = ""


def _clip_line(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return line[:MAX_LINE_CHARS] + f" … ({len(line) - MAX_LINE_CHARS} more characters on this line)"


class _Printer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: list[str] = []
        self.spans: dict[Path, list[tuple[int, int]]] = {}

    def _skip_ws(self) -> None:
        self.pos = _WS_RE.match(self.text, self.pos).end()  # type: ignore[union-attr]
        if self.pos >= len(self.text):
            raise _Cut

    def _peek(self) -> str:
        self._skip_ws()
        return self.text[self.pos]

    def _span(self, path: Path, start: int) -> None:
        self.spans.setdefault(path, []).append((start, len(self.lines) - 1))

    def value(self, path: Path, depth: int, prefix: str) -> None:
        char = self._peek()
        indent = INDENT * depth
        start = len(self.lines)
        if char in "{[":
            close = "}" if char == "{" else "]"
            self.pos += 1
            if self._peek() == close:
                self.pos += 1
                self.lines.append(f"{indent}{prefix}{char}{close}")
                self._span(path, start)
                return
            self.lines.append(f"{indent}{prefix}{char}")
            try:
                if char == "{":
                    self._members(path, depth + 1)
                else:
                    self._elements(path, depth + 1)
            except _Cut:
                self._span(path, start)
                raise
            self.lines.append(f"{indent}{close}")
            self._span(path, start)
            return
        token = self._scalar()
        self.lines.append(_clip_line(f"{indent}{prefix}{token}"))
        self._span(path, start)

    def _scalar(self) -> str:
        for pattern in (_STRING_RE, _NUMBER_RE, _LITERAL_RE):
            match = pattern.match(self.text, self.pos)
            if match:
                self.pos = match.end()
                return match.group(0)
        if self.text[self.pos] == '"':
            raise _Cut  # an unterminated string: the text ends inside it
        raise _NotJson

    def _members(self, path: Path, depth: int) -> None:
        while True:
            self._peek()
            match = _STRING_RE.match(self.text, self.pos)
            if not match:
                if self.text[self.pos] == '"':
                    raise _Cut
                raise _NotJson
            self.pos = match.end()
            raw_key = match.group(0)
            if self._peek() != ":":
                raise _NotJson
            self.pos += 1
            self.value(path + (_unescape_key(raw_key),), depth, f"{raw_key}: ")
            char = self._peek()
            self.pos += 1
            if char == "}":
                return
            if char != ",":
                raise _NotJson
            self.lines[-1] += ","

    def _elements(self, path: Path, depth: int) -> None:
        index = 0
        while True:
            self.value(path + (str(index),), depth, "")
            char = self._peek()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                raise _NotJson
            self.lines[-1] += ","
            index += 1


def _unescape_key(raw: str) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return body


def _as_text(text: str) -> Pretty:
    return Pretty(lines=[_clip_line(line) for line in text.splitlines()] or [""], spans={}, is_json=False)


def pretty(text: str) -> Pretty:
    """Print a body: JSON one value per line (as far as it goes if the recorder cut it), else as text."""
    cut = _RECORDER_CUT_RE.search(text)
    source = text[: cut.start()] if cut else text
    if not source.strip() or source.lstrip()[0] not in "{[":
        return _as_text(text)
    printer = _Printer(source)
    try:
        printer.value((), 0, "")
        printer.pos = _WS_RE.match(source, printer.pos).end()  # type: ignore[union-attr]
        if printer.pos != len(source):
            return _as_text(text)  # a JSON value followed by more text is not a JSON body
    except _NotJson:
        return _as_text(text)
    except RecursionError:
        return _as_text(text)
    except _Cut:
        if not cut:
            return _as_text(text)  # the broker's own body ends early: show exactly what came
        note = f"… body cut here by the recorder ({int(cut.group(1))} more characters in the original)"
        return Pretty(printer.lines + [note], printer.spans, is_json=True, cut=True, cut_note=note)
    if cut:  # the value ended exactly where the recorder cut: keep the note anyway
        note = f"… ({int(cut.group(1))} more characters in the original)"
        return Pretty(printer.lines + [note], printer.spans, is_json=True, cut=True, cut_note=note)
    return Pretty(lines=printer.lines, spans=printer.spans, is_json=True)


def parse_path(path: str) -> Path:
    """`a.b[3].c`, `$.a.b[3].c` or `/a/b/3/c` → ("a", "b", "3", "c"); `[]` and `[*]` become "*"."""
    text = (path or "").strip()
    if text.startswith("/"):
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/") if part)
    if text.startswith("$"):
        text = text[1:]
    parts: list[str] = []
    for index, key in _PATH_TOKEN_RE.findall(text):
        if key:
            parts.append(key.strip())
        else:
            parts.append(index if index not in ("", "*") else "*")
    return tuple(parts)


def format_path(path: Path) -> str:
    """("a", "b", "3", "c") → "a.b[3].c"."""
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() or part == "*" else (f".{part}" if out else part)
    return out


@dataclass
class Highlight:
    lines: set[int] = field(default_factory=set)
    how: str = "none"  # exact | parent | none
    note: str = ""


def find(printed: Pretty, path: str) -> Highlight:
    """The lines to highlight for a check's path: the value itself, else its nearest present parent."""
    wanted = parse_path(path)
    if not wanted or not printed.spans:
        return Highlight()
    matches = [spans for key, spans in printed.spans.items()
               if len(key) == len(wanted) and all(w in ("*", k) for w, k in zip(wanted, key, strict=True))]
    if matches:
        lines: set[int] = set()
        for spans in matches:
            for start, end in spans:
                lines.update(_span_lines(start, end))
        return Highlight(lines=lines, how="exact")
    for length in range(len(wanted) - 1, 0, -1):
        prefix = wanted[:length]
        if "*" in prefix:
            continue
        found = printed.spans.get(prefix)
        if found:
            lines = {start for start, _ in found}
            shown = format_path(prefix)
            return Highlight(lines=lines, how="parent",
                             note=f"{path} is not in this body; its nearest parent {shown} is highlighted")
    return Highlight(note=f"{path} is not in this body")


def _span_lines(start: int, end: int) -> range | list[int]:
    if end - start < MAX_HIGHLIGHT_LINES:
        return range(start, end + 1)
    return list(range(start, start + MAX_HIGHLIGHT_LINES // 2)) + [end]


@dataclass
class Segment:
    """A run of consecutive shown lines (`text`, from line `first`), or a gap of `hidden` lines."""

    first: int = 0
    text: str = ""
    highlighted: bool = False
    hidden: int = 0


def window(lines: list[str], marked: set[int], cap_chars: int) -> tuple[list[Segment], int]:
    """Choose the lines to show within about `cap_chars`: the highlighted lines with some context
    first, then the top of the body. Returns the segments and the number of lines left out."""
    total = sum(len(line) + 1 for line in lines)
    chosen: set[int] = set()
    if total <= cap_chars:
        chosen = set(range(len(lines)))
    else:
        used = 0
        # Highlighted lines first (they may overrun the cap, up to twice), their context within it...
        for mark in sorted(marked):
            for line in range(max(0, mark - CONTEXT_LINES), min(len(lines), mark + CONTEXT_LINES + 1)):
                cost = len(lines[line]) + 1
                limit = 2 * cap_chars if line in marked else cap_chars
                if line not in chosen and used + cost <= limit:
                    chosen.add(line)
                    used += cost
        # ...then the top of the body, as far as the cap allows.
        for line in range(len(lines)):
            cost = len(lines[line]) + 1
            if used + cost > cap_chars:
                break
            if line not in chosen:
                chosen.add(line)
                used += cost
    segments: list[Segment] = []
    previous = -1
    for line in sorted(chosen):
        if line != previous + 1:
            segments.append(Segment(hidden=line - previous - 1))
        highlighted = line in marked
        last = segments[-1] if segments else None
        if last is not None and not last.hidden and last.highlighted == highlighted and line == previous + 1:
            last.text += "\n" + lines[line]
        else:
            segments.append(Segment(first=line, text=lines[line], highlighted=highlighted))
        previous = line
    if previous < len(lines) - 1:
        segments.append(Segment(hidden=len(lines) - 1 - previous))
    return segments, len(lines) - len(chosen)
