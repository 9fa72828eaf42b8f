"""Faults on the wire: status codes, error formats, media types, encodings, timing, redirects."""

from __future__ import annotations

import dataclasses
import json
import re

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call, Reply
from conformance.reference.faultkit import fault

JSON_TYPE = "application/json; charset=utf-8"
SLOW_S = 3.0


def _message(reply: Reply) -> str:
    try:
        body = json.loads(reply.body)
    except ValueError:
        return reply.body.decode("utf-8", "replace")
    return str(body.get("message", "")) if isinstance(body, dict) else ""


@fault("http200-errors", "ERR-005 ERR-001 ERR-007",
       "Errors are answered with HTTP 200 and resp.respCode such as \"4003\".")
def http200_errors(b: Behaviour) -> None:
    def to_200(reply: Reply, call: Call) -> Reply:
        if not reply.error:
            return reply
        body = {"resp": {"respCode": str(reply.error_code or reply.status), "respMsg": _message(reply)}}
        return dataclasses.replace(reply, status=200, body=json.dumps(body, ensure_ascii=False).encode())

    b.reply_transforms.append(to_200)


@fault("html-errors", "ERR-002", "Errors come back as an HTML page (text/html).")
def html_errors(b: Behaviour) -> None:
    def to_html(reply: Reply, call: Call) -> Reply:
        if not reply.error:
            return reply
        page = (f"<html><head><title>Error {reply.status}</title></head><body><h1>HTTP Status {reply.status}"
                f"</h1><p>{_message(reply)}</p><hr><h3>Apache Tomcat</h3></body></html>")
        return dataclasses.replace(reply, body=page.encode(), content_type="text/html;charset=utf-8")

    b.reply_transforms.append(to_html)


@fault("own-error-format", "ERR-002 ERR-003",
       "Errors use the broker's own format {\"errorCode\": \"E9011\", ...} with HTTP 404.")
def own_error_format(b: Behaviour) -> None:
    def own(reply: Reply, call: Call) -> Reply:
        if not reply.error:
            return reply
        body = {"errorCode": f"E{reply.error_code or 9011}", "errorMessage": _message(reply) or "error"}
        return dataclasses.replace(reply, status=404, body=json.dumps(body, ensure_ascii=False).encode())

    b.reply_transforms.append(own)


_TRACE = ("\n\tat com.broker.gw.AccountController.search(AccountController.java:118)"
          "\n\tat sun.reflect.GeneratedMethodAccessor412.invoke(Unknown Source)"
          "\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n")


def _crash(reply: Reply, first_line: str) -> Reply:
    return dataclasses.replace(reply, status=500, body=(first_line + _TRACE).encode(),
                               content_type="text/plain;charset=utf-8")


@fault("crash-on-malformed", "ERR-006 ERR-002",
       "Malformed JSON or a missing body block crash the server: 500 with a text/plain stack trace.")
def crash_on_malformed(b: Behaviour) -> None:
    def crash(reply: Reply, call: Call) -> Reply:
        if reply.error_kind in ("malformed", "missing"):
            return _crash(reply, "com.fasterxml.jackson.core.JsonParseException: Unexpected character")
        return reply

    b.reply_transforms.append(crash)


@fault("fuzz-crash", "ERR-008 ERR-006",
       "Wrong-typed or missing request fields (count as a string, assetType a number, a required block left out) "
       "crash the server: 500 text/plain java.lang.NullPointerException.")
def fuzz_crash(b: Behaviour) -> None:
    # missing too: the fuzzed bodies of balance, portfolio and interest lack a block before a type is read
    def crash(reply: Reply, call: Call) -> Reply:
        return _crash(reply, "java.lang.NullPointerException") if reply.error_kind in ("type", "missing") else reply

    b.reply_transforms.append(crash)


@fault("catch-all-route", "ERR-007", "Unknown paths are answered 200 {}.")
def catch_all_route(b: Behaviour) -> None:
    def catch_all(reply: Reply, call: Call) -> Reply:
        if reply.error_kind == "route":
            return Reply(200, b"{}", JSON_TYPE)
        return reply

    b.reply_transforms.append(catch_all)


@fault("content-type-lies", "TRN-001", "JSON bodies are labelled text/html.")
def content_type_lies(b: Behaviour) -> None:
    def lie(reply: Reply, call: Call) -> Reply:
        if "json" not in reply.content_type.lower():
            return reply
        return dataclasses.replace(reply, content_type="text/html; charset=utf-8")

    b.reply_transforms.append(lie)


@fault("euc-kr-bodies", "TRN-002", "Bodies are encoded in EUC-KR (cp949) while declaring application/json.")
def euc_kr_bodies(b: Behaviour) -> None:
    def legacy(reply: Reply, call: Call) -> Reply:
        text = reply.body.decode("utf-8", "replace")
        return dataclasses.replace(reply, body=text.encode("cp949", "replace"), content_type=JSON_TYPE)

    b.reply_transforms.append(legacy)


@fault("slow-responses", "TRN-004",
       f"The first answer of every API comes after {SLOW_S:.0f} s (longer than a 1 s profile timeout).")
def slow_responses(b: Behaviour) -> None:
    # every API, not balance alone, so the matrix proves TRN-004 on each (issue 13); the first call
    # only, so the later ones are answered and the gateway is not judged unreachable as a whole
    delay, slowed = b.delay_s, set()

    def slow_first(call: Call) -> float:
        if call.api in slowed:
            return delay(call)
        slowed.add(call.api)
        return SLOW_S

    b.delay_s = slow_first


@fault("redirects", "TRN-006", "Account APIs answer 307 to another origin.")
def redirects(b: Behaviour) -> None:
    def away(reply: Reply, call: Call) -> Reply:
        if call.family != "account":
            return reply
        return Reply(307, b"", "text/plain; charset=utf-8",
                     {"Location": f"https://backup-apigw.invalid{call.path}"})

    b.reply_transforms.append(away)


@fault("junk-rate-headers", "TRN-005 TRN-001",
       "Every response carries X-RateLimit-Remaining-Day: n/a and success bodies are labelled text/plain.")
def junk_rate_headers(b: Behaviour) -> None:
    def junk(reply: Reply, call: Call) -> Reply:
        headers = {**reply.headers, "X-RateLimit-Remaining-Day": "n/a"}
        success = not reply.error and reply.status == 200
        content_type = "text/plain; charset=utf-8" if success else reply.content_type
        return dataclasses.replace(reply, headers=headers, content_type=content_type)

    b.reply_transforms.append(junk)


_RATE_RE = re.compile(rb'"earningRate":(-?[0-9.Ee+-]+)')


@fault("malformed-json", "SCHEMA-001",
       "A hand-written serializer repeats the resp key (a member answer: its first key) and writes NaN "
       "for a rate it cannot compute.")
def malformed_json(b: Behaviour) -> None:
    def sloppy(reply: Reply, call: Call) -> Reply:
        if reply.error or not reply.body.startswith(b"{"):
            return reply
        if b'"resp"' not in reply.body:  # member answers carry no resp block (issue 13: broken there too)
            doc = json.loads(reply.body)
            if not isinstance(doc, dict) or not doc:
                return reply
            first = json.dumps(dict([next(iter(doc.items()))]), ensure_ascii=False).encode("utf-8")
            return dataclasses.replace(reply, body=reply.body[:-1] + b"," + first[1:])
        body = _RATE_RE.sub(b'"earningRate":NaN', reply.body, count=1)
        body = body[:-1] + b',"resp":{"respCode":"200","respMsg":"OK"}}'
        return dataclasses.replace(reply, body=body)

    b.reply_transforms.append(sloppy)
