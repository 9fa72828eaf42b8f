"""The onboarding path (C21, C26), both ways: LINK-006..009 pass on the clean virtual brokers, fail on
the fault made for each state, are not applicable (naming the profile key) without subjects; the
reference's data say what each state is; the report shows the path with the subjects masked."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import yaml
from runs import profile_for, run

from conformance.profile import ProfileError, load_profile
from conformance.redact import mask_identifiers
from conformance.reference import ReferenceServer
from conformance.reference import examples as ex
from conformance.reference.instruments import USERS
from conformance.report.html import render_html_text
from conformance.rules import get_rule

ONBOARDING_RULES = ("LINK-006", "LINK-007", "LINK-008", "LINK-009")
STATES = ("member_without_account", "unlinked_account", "other_service_account", "expired_consent_account")


def _profile_data(broker: str) -> dict[str, Any]:
    from runs import REPO

    return yaml.safe_load((REPO / "profiles" / f"{broker}.yaml").read_text(encoding="utf-8"))


# --- the reference's data ---------------------------------------------------------------------------

def _post(client: httpx.Client, api: str, short: str, body: dict[str, Any]) -> Any:
    return client.post(ex.path(api, short), content=json.dumps(body, ensure_ascii=False).encode(),
                       headers=ex.headers(api, short))


@pytest.mark.parametrize("broker", ["diamond", "cyber", "star"])
def test_reference_answers_each_state(broker):
    """mhcha is a member with no account; the unlinked and other-service accounts are listed for no
    service but their own and refused by the account APIs with 4006; so is yuna's expired account."""
    subjects = _profile_data(broker)["onboarding"]
    with ReferenceServer(broker) as server, httpx.Client(base_url=server.base_url) as client:
        mhcha = subjects["member_without_account"]["ci"]
        assert mhcha == USERS["mhcha"][1]
        register = _post(client, "member-register", broker, ex.body("member-register", broker, ci=mhcha)).json()
        assert register["result"] == "member"
        consent = _post(client, "member-consent", broker, ex.body("member-consent", broker, ci=mhcha)).json()
        assert consent["vtAccList"] == []
        hwanny_consent = _post(client, "member-consent", broker, ex.body("member-consent", broker)).json()
        listed = {a["vtAccNo"] for a in hwanny_consent["vtAccList"]}
        for state in ("unlinked_account", "other_service_account"):
            assert subjects[state]["vtAccNo"] not in listed
        as_other = ex.body("member-consent", broker)
        as_other["partner"]["srvId"] = "314"  # the service the other-service account is linked to
        other_listed = {a["vtAccNo"] for a in _post(client, "member-consent", broker, as_other).json()["vtAccList"]}
        assert subjects["other_service_account"]["vtAccNo"] in other_listed
        assert subjects["unlinked_account"]["vtAccNo"] not in other_listed
        for state in ("unlinked_account", "other_service_account", "expired_consent_account"):
            subject = subjects[state]
            body = ex.body("balance", broker, {"assetType": "EQTY"}, vt_acc_no=subject["vtAccNo"], ci=subject["ci"])
            answer = _post(client, "balance", broker, body)
            assert answer.status_code == 500 and answer.json()["code"] == 4006, (state, answer.text[:200])
        linked_elsewhere = ex.body("balance", broker, {"assetType": "EQTY"},
                                   vt_acc_no=subjects["other_service_account"]["vtAccNo"])
        linked_elsewhere["partner"]["srvId"] = "314"
        assert _post(client, "balance", broker, linked_elsewhere).status_code == 200


# --- the profile -------------------------------------------------------------------------------------

def test_profile_reads_the_subjects_and_masks_them(tmp_path):
    path = profile_for("diamond", "http://127.0.0.1:1", tmp_path)
    profile = load_profile(path)
    assert set(profile.onboarding) == set(STATES)
    subject = profile.onboarding["unlinked_account"]
    assert subject.vtAccNo.endswith("20099") and subject.korName == "박환덕"
    assert profile.onboarding["member_without_account"].vtAccNo == ""
    expired = profile.onboarding["expired_consent_account"]
    masked = mask_identifiers(f"{expired.vtAccNo} {expired.ci}")
    assert expired.vtAccNo not in masked and expired.ci not in masked


@pytest.mark.parametrize(("change", "message"), [
    (lambda o: o["unlinked_account"].pop("vtAccNo"), "onboarding.unlinked_account.vtAccNo: missing"),
    (lambda o: o["member_without_account"].update(vtAccNo="1"),
     "onboarding.member_without_account: unknown key 'vtAccNo'"),
    (lambda o: o.update(linked_elsewhere={"ci": "x"}), "onboarding: unknown key 'linked_elsewhere'"),
    (lambda o: o["expired_consent_account"].update(ci=7), "onboarding.expired_consent_account.ci:"),
])
def test_a_bad_subject_names_the_key_and_the_file(tmp_path, change, message):
    data = _profile_data("diamond")
    change(data["onboarding"])
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).startswith(f"{path}: {message}"), str(info.value)


# --- the rules, both ways ----------------------------------------------------------------------------

def _run(tmp_path, broker, faults=(), onboarding=True):
    with ReferenceServer(broker=broker, faults=list(faults)) as server:
        path = profile_for(broker, server.base_url, tmp_path)
        if not onboarding:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.pop("onboarding")
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run(path, tmp_path / "out", "service-link")
    assert result.results is not None, result.stderr
    return result


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["diamond", "cyber", "star"])
def test_clean_brokers_pass_every_state(broker, tmp_path):
    result = _run(tmp_path, broker)
    assert {r: result.status(r) for r in ONBOARDING_RULES} == dict.fromkeys(ONBOARDING_RULES, "pass")
    rows = result.results["onboarding"]
    assert {row["state"] for row in rows} == set(STATES)
    assert {(row["state"], row["rule_id"]) for row in rows} >= {
        ("member_without_account", "LINK-006"), ("member_without_account", "LINK-007"),
        ("unlinked_account", "LINK-007"), ("unlinked_account", "LINK-008"),
        ("other_service_account", "LINK-007"), ("other_service_account", "LINK-008"),
        ("expired_consent_account", "LINK-009")}
    assert all(row["verdict"] == "pass" for row in rows), rows
    refused = [row["answered"] for row in rows if row["rule_id"] in ("LINK-008", "LINK-009")]
    assert refused and all("4006" in text for text in refused), refused
    # masked in results.json and in the report: no subject's CI or account number in the clear
    subjects = _profile_data(broker)["onboarding"].values()
    written = (tmp_path / "out" / "results.json").read_text(encoding="utf-8")
    page = render_html_text(result.results)
    for subject in subjects:
        for value in (subject["ci"], subject.get("vtAccNo")):
            if value:
                assert value not in written and value not in page
    assert 'id="onboarding"' in page
    for label in ("portal member without a virtual account", "consent for this service expired"):
        assert label in page
    assert "not exercised" not in page


# fault -> (rule it breaks, state whose row it turns)
FAULTS = {
    "member-needs-account": ("LINK-006", "member_without_account"),
    "consent-lists-unlinked": ("LINK-007", "unlinked_account"),
    "consent-ignores-srvid": ("LINK-007", "other_service_account"),
    "serves-unlinked-accounts": ("LINK-008", "unlinked_account"),
    "serves-expired-consent": ("LINK-009", "expired_consent_account"),
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_fails_its_state(fault, tmp_path):
    rule, state = FAULTS[fault]
    result = _run(tmp_path, "diamond", faults=[fault])
    severity = get_rule(rule).severity
    assert result.status(rule) == ("fail" if severity == "MUST" else "warn"), result.failing()
    assert result.exit_code == (1 if severity == "MUST" else 0)
    others = {r: result.status(r) for r in ONBOARDING_RULES if r != rule}
    assert set(others.values()) == {"pass"}, others
    rows = [row for row in result.results["onboarding"] if row["rule_id"] == rule]
    broken = {row["state"] for row in rows if row["verdict"] in ("fail", "warn")}
    assert state in broken, rows
    if fault == "consent-ignores-srvid":  # the issued-only account stays unlisted
        assert "unlinked_account" not in broken


@pytest.mark.slow
def test_without_subjects_the_checks_are_not_applicable(tmp_path):
    result = _run(tmp_path, "star", onboarding=False)
    for rule in ONBOARDING_RULES:
        entry = result.rule(rule)
        assert entry["status"] == "not_applicable", entry
        assert all("onboarding." in c["message"] and "add" in c["message"] for c in entry["checks"]), entry
    assert result.results["onboarding"] == []
    page = render_html_text(result.results)
    assert page.count('class="not-exercised"') == len(STATES)
    assert "onboarding.expired_consent_account" in page
    assert result.exit_code == 0


def test_report_without_an_onboarding_block_has_no_table():
    """Results of older versions carry no `onboarding`, and a run without the service-link area has
    nothing to say about the path: the report leaves the section out."""
    results = {"tool": {"name": "koscom-conformance", "version": "0"}, "broker": {}, "summary": {},
               "rules": []}
    assert 'id="onboarding"' not in render_html_text(results)
    other_area = {**results, "onboarding": [], "rules": [
        {"id": "ERR-001", "title": "t", "area": "errors", "severity": "MUST", "spec_ref": "C24", "status": "pass",
         "checks": [{"nodeid": "n", "api": "balance", "status": "pass", "message": ""}]}]}
    assert 'id="onboarding"' not in render_html_text(other_area)


SUBJECT_TOKEN = "subject-own-token-7f3a9c"  # a token the reference gateway does not know: 401 shows it was sent


def _written_text(folder) -> str:
    """Every file a run wrote, zip members included (the evidence bundle)."""
    import zipfile

    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as bundle:
                out += [bundle.read(name).decode("utf-8", "replace") for name in bundle.namelist()]
        else:
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.mark.slow
def test_a_subject_is_asked_with_its_own_token_which_no_output_shows(tmp_path):
    """The expired-consent subject carries its user's token: its account is asked with that token
    (here unknown to the gateway: 401, a documented refusal), the others with the run's (4006)."""
    with ReferenceServer(broker="diamond") as server:
        path = profile_for("diamond", server.base_url, tmp_path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["onboarding"]["expired_consent_account"]["bearer_token"] = SUBJECT_TOKEN
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run(path, tmp_path / "out", "service-link")
    assert result.results is not None, result.stderr
    assert result.status("LINK-008") == result.status("LINK-009") == "pass"
    answered = {(row["rule_id"], row["state"]): row["answered"] for row in result.results["onboarding"]}
    assert "HTTP 401" in answered[("LINK-009", "expired_consent_account")], answered
    assert "4006" in answered[("LINK-008", "unlinked_account")], answered
    written = _written_text(tmp_path / "out")
    assert "expired_consent_account" in written and SUBJECT_TOKEN not in written
