"""Reading a profile file within bounds, and expanding `${ENV}` only where secrets belong.

A profile may come from a broker (a fleet audit reads dozens), so reading one must never cost the
harness more than a small, fixed amount of time and memory, and must never make the harness send
the operator's environment anywhere:

- size, nesting depth, alias count and the number of values after aliases are expanded are capped
  (a "billion laughs" file is refused before anything walks it);
- duplicate keys are refused (YAML silently keeps the last one, hiding a typo);
- values that are not JSON (an unquoted date, binary, a set, a non-string key) are refused with
  their line, instead of failing somewhere later;
- `${NAME}` is expanded only in fields the profile schema marks `x-secret` (credentials, CIs);
  anywhere else it is an error naming the key.

Every problem raises `ProfileInputError` with a message naming the line or key; profile.py adds the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import yaml

MAX_PROFILE_BYTES = 256 * 1024
MAX_DEPTH = 24
MAX_ALIASES = 64
MAX_VALUES = 50_000  # after aliases are expanded
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ProfileInputError(ValueError):
    """A profile text that cannot be used; the message names the line or the key (not the file)."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader with depth and alias caps, no duplicate keys, and only JSON-like values."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ProfileInputError(f"line {self.peek_event().start_mark.line + 1}: more than "
                                        f"{MAX_ALIASES} YAML aliases (*name)")
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ProfileInputError(f"line {self.peek_event().start_mark.line + 1}: nested deeper than "
                                        f"{MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise ProfileInputError(f"line {key_node.start_mark.line + 1}: the key {key!r} is not a "
                                            "string (quote it)")
                if key in seen:
                    raise ProfileInputError(f"line {key_node.start_mark.line + 1}: the key {key!r} occurs twice "
                                            "in the same mapping")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _refuse(what: str, hint: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: Any) -> Any:
        raise ProfileInputError(f"line {node.start_mark.line + 1}: {what} {node.value!r} is not allowed in a "
                                f"profile ({hint})")
    return construct


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               _refuse("the unquoted date", 'write dates as quoted "YYYYMMDD" strings'))
_BoundedLoader.add_constructor("tag:yaml.org,2002:binary", _refuse("binary data", "write text"))
_BoundedLoader.add_constructor("tag:yaml.org,2002:set", _refuse("a set", "write a list"))
_BoundedLoader.add_constructor("tag:yaml.org,2002:omap", _refuse("an ordered map", "write a mapping"))
_BoundedLoader.add_constructor("tag:yaml.org,2002:pairs", _refuse("a list of pairs", "write a mapping"))


def _count_values(data: Any) -> None:
    """Refuse a document whose aliases expand past MAX_VALUES values (stops as soon as it does)."""
    stack, count = [data], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ProfileInputError(f"more than {MAX_VALUES:,} values once YAML aliases are expanded")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def load_text(text: str) -> Any:
    """The YAML document in `text`, within the caps above."""
    if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
        raise ProfileInputError(f"larger than {MAX_PROFILE_BYTES // 1024} KB; a profile is a short file")
    loader = _BoundedLoader(text)
    try:
        data = loader.get_single_data()
    except RecursionError:
        raise ProfileInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    _count_values(data)
    return data


def secret_paths(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The paths the schema marks `x-secret` ("*" stands for any list index)."""
    if schema.get("x-secret"):
        yield prefix
    for key, sub in (schema.get("properties") or {}).items():
        yield from secret_paths(sub, (*prefix, key))
    if isinstance(schema.get("items"), dict):
        yield from secret_paths(schema["items"], (*prefix, "*"))


def _location(path: tuple[Any, ...]) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "(top level)"


def _matches(path: tuple[Any, ...], allowed: set[tuple[str, ...]]) -> bool:
    generic = tuple("*" if isinstance(p, int) else p for p in path)
    return generic in allowed


def refuse_env_outside(data: Any, allowed: set[tuple[str, ...]], path: tuple[Any, ...] = ()) -> None:
    """Raise for the first `${...}` in a value the schema does not mark secret-capable."""
    if isinstance(data, dict):
        for key, value in data.items():
            refuse_env_outside(value, allowed, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            refuse_env_outside(value, allowed, (*path, index))
    elif isinstance(data, str) and "${" in data and not _matches(path, allowed):
        raise ProfileInputError(f"{_location(path)}: ${{...}} is expanded only in credential fields "
                                "(auth, CIs, TLS key paths); write the value itself here")


def expand_env(data: Any, allowed: set[tuple[str, ...]], path: tuple[Any, ...] = ()) -> Any:
    """`data` with `${NAME}` / `${NAME:-default}` expanded in the secret-capable fields only."""
    if isinstance(data, dict):
        return {k: expand_env(v, allowed, (*path, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [expand_env(v, allowed, (*path, i)) for i, v in enumerate(data)]
    if isinstance(data, str) and "${" in data and _matches(path, allowed):
        def sub(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            value = os.environ.get(name)
            if value is None:
                if default is None:
                    raise ProfileInputError(f"{_location(path)}: environment variable {name} is not set")
                return default
            return value
        return _ENV.sub(sub, data)
    return data
