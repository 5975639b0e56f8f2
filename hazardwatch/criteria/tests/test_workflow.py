"""Criteria in the workflow: candidates stored on intake, shown to staff, confirmed by a named official."""
import json
from pathlib import Path

import pytest

from hazardwatch.criteria.models import ReportCriterionMatch
from hazardwatch.criteria.services import catalogue_load
from hazardwatch.reports.models import Report

SAMPLE = Path(__file__).parent / "data" / "sample"
JINSHUI = {"latitude": 34.78, "longitude": 113.672}


@pytest.fixture
def catalogue(db):
    catalogue_load(SAMPLE)


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def submit(client, text, **extra):
    resp = post_json(client, "/api/v1/reports", {"description": text, **JINSHUI, **extra})
    assert resp.status_code == 201, resp.content
    return resp.json()


def act(client, user, case_id, expect=200, **data):
    client.force_login(user)
    resp = post_json(client, f"/api/v1/cases/{case_id}/transitions", data)
    assert resp.status_code == expect, resp.content
    client.logout()
    return resp.json()


@pytest.mark.django_db
def test_intake_stores_candidates_with_the_catalogue_version(client, city, catalogue):
    receipt = submit(client, "KTV包厢没有喷淋，只有一个出口", place_type="entertainment")
    report = Report.objects.get()
    assert report.is_major_candidate and report.sector_guess == "fire"
    match = ReportCriterionMatch.objects.filter(report=report).order_by("rank").first()
    assert (match.criterion.standard.code, match.criterion.standard.edition, match.criterion.code) == (
        "firetest", "2025", "5.6")
    assert match.criterion.standard.version == 1 and match.is_full and match.reasons
    # the public never sees "major" or the candidates
    status = post_json(client, "/api/v1/reports/lookup", {"receipt_code": receipt["receipt_code"]}).json()
    shown = json.dumps({k: v for k, v in status.items() if k not in ("submitted_at", "closed_at")}
                       | {"history": [{k: v for k, v in h.items() if k != "at"} for h in status["history"]]})
    assert "major" not in shown and "5.6" not in shown and "firetest" not in shown and "candidate" not in shown


@pytest.mark.django_db
def test_sector_from_the_words_routes_the_case(client, city, catalogue):
    submit(client, "化工厂罐区可燃气体报警器坏了一直没修", category="other")
    report = Report.objects.get()
    assert report.sector_guess == "hazardous_chemicals" and report.case.regulator == city.jinshui_em


@pytest.mark.django_db
def test_leader_confirms_a_candidate_item_in_one_step(client, city, catalogue):
    submit(client, "KTV包厢没有喷淋，只有一个出口", place_type="entertainment", category="fire_equipment")
    case_id = Report.objects.get().case_id
    act(client, city.inspector_li, case_id, action="accept")
    client.force_login(city.inspector_li)
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    client.logout()
    assert detail["is_major_candidate"]
    best = detail["candidates"][0]
    assert (best["standard"], best["edition"], best["item"]) == ("firetest", "2025", "5.6") and best["reasons"]
    # staff cannot confirm; the leader can, and the case becomes major under that edition
    act(client, city.inspector_li, case_id, expect=403, action="grade", criterion_id=best["criterion_id"])
    out = act(client, city.leader_zhao, case_id, action="grade", criterion_id=best["criterion_id"], note="集体讨论确认")
    assert out["grade"] == "major" and out["criterion_edition"] == "2025" and out["criterion_item"] == "5.6"
    assert out["criterion_standard"] == "TEST 1-2025" and "list" in out["allowed_actions"]
    out = act(client, city.inspector_li, case_id, action="assign", responsible_unit_id=city.enterprise.pk)
    import datetime as dt

    from django.utils import timezone

    assert (dt.datetime.fromisoformat(out["deadline"]) - timezone.now()).days >= 59  # the major-hazard policy


@pytest.mark.django_db
def test_an_item_of_an_edition_not_in_force_on_the_finding_date_is_refused(client, city, catalogue):
    from hazardwatch.criteria.models import Criterion

    submit(client, "KTV包厢没有喷淋")
    case_id = Report.objects.get().case_id
    act(client, city.inspector_li, case_id, action="accept")
    old = Criterion.objects.get(standard__code="firetest", standard__edition="2017", code="6.6")
    out = act(client, city.leader_zhao, case_id, expect=400, action="grade", criterion_id=old.pk)
    assert "criterion_id" in out["extra"]["fields"]
    act(client, city.leader_zhao, case_id, expect=400, action="grade", criterion_id=999999)


@pytest.mark.django_db
def test_confirming_none_grades_general(client, city, catalogue):
    submit(client, "KTV包厢没有喷淋")
    case_id = Report.objects.get().case_id
    act(client, city.inspector_li, case_id, action="accept")
    out = act(client, city.inspector_li, case_id, action="grade", grade="general", note="经核查已有喷淋，仅个别喷头损坏")
    assert out["grade"] == "general" and out["criterion_id"] is None


@pytest.mark.django_db
def test_a_candidate_stored_before_a_reload_confirms_the_current_version(client, city, tmp_path):
    import shutil

    from hazardwatch.criteria.models import Criterion

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    catalogue_load(data)
    submit(client, "KTV包厢没有喷淋")
    case_id = Report.objects.get().case_id
    old = ReportCriterionMatch.objects.get(report__case_id=case_id, rank=0).criterion
    path = data / "firetest" / "2025.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("人员密集场所未设置", "人员密集场所没有设置"), encoding="utf-8")
    catalogue_load(data)
    act(client, city.inspector_li, case_id, action="accept")
    out = act(client, city.leader_zhao, case_id, action="grade", criterion_id=old.pk)
    current = Criterion.objects.get(standard__code="firetest", standard__edition="2025", standard__is_current=True,
                                    code="5.6")
    assert out["criterion_id"] == current.pk != old.pk and current.standard.version == 2
