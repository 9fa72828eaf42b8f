"""A check bound to one rule: `@check("ECHO-001", requires=...)` and the context it receives.

The registration names the rule once. It marks the test with the rule, parametrizes it over the
APIs the rule catalogue says the rule applies to (`apis:` in schemas/rules.yaml, a list or a named
set of schemas/catalogue.yaml `api_sets`), and checks the declared needs before the check runs
(also in the speculative prefetch pass, so a check that cannot apply asks nothing). The check
function takes `ctx` first; its other parameters are ordinary pytest parameters or fixtures.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import pytest

from conformance.checking import answers as _answers
from conformance.checking import paging as _paging
from conformance.checking.filing import CURRENT_RULE, not_applicable, violate
from conformance.client import Client
from conformance.contract import ApiSpec, api_set, error_code, get_api
from conformance.evidence import Exchange
from conformance.profile import Account, B2BAccount, Profile
from conformance.rules import get_rule

# what a check may declare in `requires=`: a predicate on the profile and the reason it fails
NEEDS: dict[str, tuple[Callable[[Profile], bool], str]] = {
    "account": (lambda p: bool(p.regular_accounts), "the profile lists no account for the account APIs"),
    "b2b": (lambda p: bool(p.b2b_accounts), "the profile lists no b2b account"),
    "member": (lambda p: bool(p.member_ci), "the profile has no member block (member.ci)"),
    # C17 tokens a broker's operator can hand out, or not (profile auth: block)
    "expired_token": (lambda p: bool(p.expired_bearer_token),
                      "the profile has no expired access token (auth.expired_bearer_token)"),
    "other_user_token": (lambda p: bool(p.other_user_bearer_token),
                         "the profile has no token of another user (auth.other_user_bearer_token)"),
    # C25: the quota burst is opt-in, never run against a gateway that did not ask for it
    "quota_test": (lambda p: p.quota_test, "the profile does not opt in to the quota test (limits.quota_test)"),
}


def rule_apis(rule_id: str) -> list[str]:
    """The APIs a rule applies to, from the rule catalogue (empty: the check takes no `api`)."""
    declared = get_rule(rule_id).apis
    if not declared:
        return []
    return list(api_set(declared)) if isinstance(declared, str) else list(declared)


class CheckContext:
    """What one check knows: its rule, its API (or ""), the session client and the profile. Every
    finding it files goes to its rule unless another rule is named (`rule=`)."""

    def __init__(self, rule: str, api: str, client: Client) -> None:
        self.rule, self.api, self.client = rule, api, client
        self.profile: Profile = client.profile

    # --- needs ---------------------------------------------------------------------------------
    def require(self, needs: Iterable[str]) -> None:
        if self.api and not self.profile.claims(self.api):
            not_applicable(f"the profile does not claim {self.api}")
        for need in needs:
            if need.startswith("claims:"):
                if not self.profile.claims(need[len("claims:"):]):
                    not_applicable(f"the profile does not claim {need[len('claims:'):]}")
                continue
            holds, reason = NEEDS[need]
            if not holds(self.profile):
                not_applicable(reason)

    def not_applicable(self, reason: str) -> NoReturn:
        not_applicable(reason)

    # --- findings ------------------------------------------------------------------------------
    def fail(self, message: str, *, exchanges: Iterable[Exchange] = (), path: str = "", api: str | None = None,
             rule: str | None = None) -> NoReturn:
        violate(rule or self.rule, message, exchanges=exchanges, path=path, api=self.api if api is None else api)

    # --- questions and answers -----------------------------------------------------------------
    def _api(self, api: str | None) -> str:
        return api or self.api

    def ask(self, purpose: str, *, api: str | None = None, **kwargs: Any) -> Exchange:
        return _answers.ask(self.client, self._api(api), purpose, **kwargs)

    def call(self, purpose: str, *, api: str | None = None, **kwargs: Any) -> Exchange:
        return self.client.call(self._api(api), purpose=purpose, **kwargs)

    def answer(self, exchange: Exchange, *, api: str | None = None, rule: str | None = None) -> _answers.Answer:
        return _answers.answer(exchange, self._api(api), rule or self.rule)

    def must_succeed(self, exchange: Exchange, what: str, *, api: str | None = None, baseline: bool = False,
                     rule: str | None = None) -> None:
        _answers.must_succeed(rule or self.rule, exchange, self._api(api), what,
                              baseline=self.client if baseline else None)

    def expect_error(self, name: str) -> int:
        """The documented code of a symbolic error (`invalid_page` → 6003, schemas/error_codes.yaml)."""
        return error_code(name)

    def successes(self, api: str | None = None) -> list[Exchange]:
        """The representative questions of the API that were answered successfully."""
        spec = get_api(self._api(api))
        return [e for e in _answers.representative_exchanges(self.client, spec.id) if _answers.is_success(e, spec)]

    def representative(self, api: str | None = None) -> list[Exchange]:
        return _answers.representative_exchanges(self.client, self._api(api))

    def default(self, api: str | None = None) -> Exchange:
        return _answers.default_exchange(self.client, self._api(api))

    def nothing_judged(self, api: str | None = None) -> NoReturn:
        _answers.nothing_judged(self.rule, self.client, self._api(api))

    def judge_messages(self, api: str | None = None) -> None:
        _answers.judge_messages(self.rule, self._api(api), self.client)

    def walk_pages(self, purpose: str, *, query: dict[str, Any], api: str | None = None,
                   account: Account | None = None, b2b: B2BAccount | None = None,
                   rule: str | None = None, max_pages: int = _paging.MAX_PAGES) -> tuple[list[_answers.Answer], bool]:
        return _paging.walk_pages(self.client, self._api(api), purpose, query=query, account=account, b2b=b2b,
                                  rule_id=rule or self.rule, max_pages=max_pages)

    @property
    def spec(self) -> ApiSpec:
        return get_api(self.api)

    @property
    def account(self) -> Account:
        return _answers.first_account(self.profile)

    @property
    def b2b(self) -> B2BAccount:
        return _answers.first_b2b(self.profile)

    def body(self, **kwargs: Any) -> dict[str, Any]:
        """The request body of the plain question of the API, for its family's first account."""
        spec = get_api(self.api)
        kwargs.setdefault("account", self.account if spec.family == "account" else None)
        kwargs.setdefault("b2b", self.b2b if spec.family == "b2b" else None)
        body: dict[str, Any] = self.client.body(self.api, **kwargs)
        return body


def check(*rule_ids: str, requires: Iterable[str] = (), apis: Iterable[str] | None = None,
          rule_in_id: bool = False) -> Callable[..., Any]:
    """Register a check of one rule (or of several rules judged the same way, one test each).
    `apis` overrides the catalogue's API list only where a check needs a subset of it; `rule_in_id`
    keeps a single rule's id in the node id, as an older binding wrote it (waivers key on node ids)."""
    needs = tuple(requires)
    by_rule = len(rule_ids) > 1 or rule_in_id
    if not rule_ids:
        raise TypeError("@check needs a rule id")
    api_lists = {tuple(rule_apis(r)) for r in rule_ids}
    if len(api_lists) != 1:
        raise TypeError(f"{rule_ids}: rules bound to one check must apply to the same APIs")
    api_list = list(apis) if apis is not None else list(api_lists.pop())

    def bind(fn: Callable[..., Any]) -> Any:
        names = [n for n in inspect.signature(fn).parameters if n != "ctx"]
        outer = (["rule_id"] if by_rule else []) + (["api"] if api_list else [])
        outer += [n for n in names if n not in outer] + ([] if "client" in names else ["client"])

        def run(**kwargs: Any) -> Any:
            rule = kwargs.get("rule_id", rule_ids[0])
            token = CURRENT_RULE.set(rule)  # the speculative pass runs outside the plugin's hook
            try:
                ctx = CheckContext(rule, kwargs.get("api", ""), kwargs["client"])
                ctx.require(needs)
                return fn(ctx, **{n: kwargs[n] for n in names})
            finally:
                CURRENT_RULE.reset(token)

        run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        run.__module__ = fn.__module__
        run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in outer])
        # the old order of parameter ids: rule, then api, then the check's own parameters
        marks: list[Any] = []
        if by_rule:
            marks.append(pytest.mark.parametrize(
                "rule_id", [pytest.param(r, marks=pytest.mark.rule(r), id=r) for r in rule_ids]).mark)
        else:
            marks.append(pytest.mark.rule(rule_ids[0]).mark)
        if api_list:
            marks.append(pytest.mark.parametrize("api", api_list).mark)
        run.pytestmark = marks + list(getattr(fn, "pytestmark", []))  # type: ignore[attr-defined]
        wrapped: Any = run
        wrapped.conformance_rules = rule_ids
        return wrapped

    return bind
