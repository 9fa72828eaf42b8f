"""C17 tokens of the reference brokers: an expired token and another user's token are refused, each
broker in its own documented form (so the suite is proven to accept each), another user's token still
opens that user's own account; and a profile without them leaves their checks not applicable."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import yaml
from runs import profile_for, run

from conformance.reference import create_app
from conformance.reference import examples as ex
from conformance.reference.brokers import OTHER_USER
from conformance.reference.data import account_specs
from conformance.reference.instruments import USERS
from conformance.reference.server import ReferenceServer


def _ask(broker: str, mode: str, vt_acc_no: str | None = None, ci: str | None = None) -> tuple[int, Any]:
    kw = {k: v for k, v in (("vt_acc_no", vt_acc_no), ("ci", ci)) if v}
    body = ex.body("balance", broker, {}, **kw)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(broker))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8700") as client:
            return await client.post(ex.path("balance", broker), content=json.dumps(body).encode(),
                                     headers=ex.headers("balance", broker, mode))

    response = asyncio.run(send())
    return response.status_code, response.json()


# each broker's legal choice: 401 op-auth body, the gateway's 401 message, 403 code 2100
EXPIRED = {"diamond": (401, 401), "cyber": (401, None), "star": (403, 2100)}
# another user's token: diamond answers the broker's own 4003, the others as for an expired token
OTHER = {"diamond": (500, 4003), "cyber": (401, None), "star": (403, 2100)}


@pytest.mark.parametrize("broker", sorted(EXPIRED))
def test_expired_and_other_users_tokens_are_refused_in_the_brokers_own_form(broker):
    assert _ask(broker, "valid")[0] == 200
    for mode, expected in (("expired", EXPIRED[broker]), ("other-user", OTHER[broker])):
        status, body = _ask(broker, mode)
        assert (status, body.get("code")) == expected, (broker, mode, body)
        assert "balanceList" not in body, (broker, mode)


@pytest.mark.parametrize("broker", sorted(OTHER_USER))
def test_another_users_token_is_a_valid_token_for_that_users_own_account(broker):
    """The refusal is about whose account it is, not a token the broker does not know."""
    user = OTHER_USER[broker]
    own = next(s for s in account_specs(broker) if s.owner == user)
    status, body = _ask(broker, "other-user", vt_acc_no=own.vt_acc_no, ci=USERS[user][1])
    assert status == 200 and body["resp"]["respCode"] == "200", body


@pytest.mark.slow
def test_without_the_c17_tokens_their_checks_are_not_applicable(tmp_path):
    with ReferenceServer(broker="cyber") as server:
        path = profile_for("cyber", server.base_url, tmp_path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["auth"]["expired_bearer_token"], data["auth"]["other_user_bearer_token"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run(path, tmp_path / "out", "auth")
    assert result.exit_code == 0, result.failing()
    for rule, check, key in (("AUTH-002", "-expired]", "auth.expired_bearer_token"),
                             ("AUTH-006", "-token]", "auth.other_user_bearer_token")):
        checks = result.rule(rule)["checks"]
        mine = [c for c in checks if check in c["nodeid"]]
        assert len(mine) == 4 and all(c["status"] == "not_applicable" and key in c["message"] for c in mine)
        # the rule is still judged by its other checks, which pass
        assert result.status(rule) == "pass" and any(c["status"] == "pass" for c in checks)


def test_the_environment_adds_tokens_as_it_does_for_the_main_one(monkeypatch):
    from conformance.reference.brokers import get_broker

    monkeypatch.setenv("KOSCOM_STAR_EXPIRED_BEARER", "env-expired-1")
    monkeypatch.setenv("KOSCOM_STAR_OTHER_BEARER", "env-other-1")
    credentials = get_broker("star").credentials
    assert {"star-expired-token", "env-expired-1"} <= credentials.expired_tokens
    assert credentials.token_user("env-other-1") == credentials.token_user("star-other-user-token") == "jaerang"
    assert credentials.token_user("star-token") is None and credentials.issued("star-token")
    assert not credentials.issued("never-issued")
