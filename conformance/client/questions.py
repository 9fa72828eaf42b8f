"""Each distinct question is asked once per run: the normalised cache key and the in-flight record.

Two requests are the same question when the gateway cannot tell them apart by the contract: the
same method and URL, the same headers (names compared without case, as HTTP does), and JSON bodies
with the same members in any order and any whitespace, ignoring the request id the harness
generates (`reqIdConsumer` "KC..."). Number literals are compared as written, because the suites ask
`10.0` and `1.0E1` on purpose (NUM-004); a body that is not JSON is compared byte for byte.

With several questions in flight at once (`limits.max_in_flight`), a question asked while the same
one is still on the wire waits for that answer instead of sending again, so every exchange is
recorded once whoever asks first.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from conformance.evidence import Exchange

__all__ = ["QuestionCache", "question_key"]

GENERATED_ID_PREFIX = "KC"


def _literal(tag: str) -> Callable[[str], dict[str, str]]:
    return lambda text: {tag: text}


def _canonical_body(raw: bytes) -> str | bytes:
    """The body with member order, whitespace and the generated request id made irrelevant."""
    try:
        doc = json.loads(raw, object_pairs_hook=lambda pairs: ["{}", sorted(pairs, key=lambda kv: kv[0])],
                         parse_float=_literal("#f"), parse_int=_literal("#i"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return raw
    if isinstance(doc, list) and doc and doc[0] == "{}":
        doc = ["{}", [_blank_request_id(pair) for pair in doc[1]]]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _blank_request_id(pair: tuple[str, Any]) -> Any:
    """commonHeader.reqIdConsumer as the harness generates it is not part of the question."""
    name, value = pair
    if name != "commonHeader" or not (isinstance(value, list) and value and value[0] == "{}"):
        return pair
    members = [(k, "" if k == "reqIdConsumer" and isinstance(v, str) and v.startswith(GENERATED_ID_PREFIX)
                else v) for k, v in value[1]]
    return (name, ["{}", members])


def question_key(method: str, url: str, headers: Mapping[str, str], body: bytes) -> tuple[Any, ...]:
    """The identity of a question for the exchange cache."""
    folded = tuple(sorted((name.lower(), value) for name, value in headers.items()))
    return (method.upper(), url, folded, _canonical_body(body))


class QuestionCache:
    """Answers by question; a question already on the wire is waited for, not sent again."""

    def __init__(self) -> None:
        self._answers: dict[tuple[Any, ...], Future[Exchange]] = {}
        self._lock = threading.Lock()

    def ask(self, key: tuple[Any, ...], send: Callable[[], Exchange]) -> Exchange:
        with self._lock:
            pending = self._answers.get(key)
            owner = pending is None
            if pending is None:
                pending = self._answers[key] = Future()
        if not owner:
            return pending.result()
        try:
            exchange = send()
        except BaseException as exc:  # a harness error: whoever waits sees it, a later ask tries again
            with self._lock:
                self._answers.pop(key, None)
            pending.set_exception(exc)
            raise
        pending.set_result(exchange)
        return exchange

    def __len__(self) -> int:
        return len(self._answers)
