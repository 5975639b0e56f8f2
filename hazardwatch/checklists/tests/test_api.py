"""The checklists API: templates, anonymous and unit runs, answers (bad items → 400), one-tap reports, figures."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.checklists.models import ChecklistRun
from hazardwatch.checklists.selectors import unit_checklist_figures
from hazardwatch.checklists.tests.conftest import SITE
from hazardwatch.reports.models import Report

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def safe(item):
    return "yes" if item["hazard_answer"] == "no" else "no"


def test_templates_list_and_detail(client, templates):
    resp = client.get("/api/v1/checklists/templates")
    assert resp.status_code == 200
    codes = {t["code"] for t in resp.json()}
    assert {"family-home", "school", "rural", "community", "enterprise"} <= codes
    assert {t["audience"] for t in client.get("/api/v1/checklists/templates?audience=school").json()} == {"school"}
    detail = client.get("/api/v1/checklists/templates/enterprise-industry-trade").json()
    confined = next(i for i in detail["items"] if i["code"] == "confined-permit")
    assert confined["criterion"] == "gongmao:13.2" and confined["sector"] == "industry_trade"
    assert confined["text_zh"] and confined["text_en"]
    assert client.get("/api/v1/checklists/templates/nope").status_code == 404


def test_anonymous_family_run_answer_complete_and_report(client, city, templates, make_jpeg):
    resp = post(client, "/api/v1/checklists/runs", {"template": "family-home"})
    assert resp.status_code == 201, resp.content
    run = resp.json()
    token, total = run["token"], run["items_total"]
    assert run["unit_id"] is None and run["status"] == "in_progress"
    items = client.get("/api/v1/checklists/templates/family-home").json()["items"]

    # items not in the template → 400, nothing saved
    bad = post(client, f"/api/v1/checklists/runs/{token}/answers",
               {"answers": [{"item": "gas-hose", "answer": "yes"}, {"item": "moon-base", "answer": "no"}]})
    assert bad.status_code == 400 and "moon-base" in bad.json()["message"]
    assert bad.json()["extra"]["unknown_items"] == ["moon-base"]
    assert client.get(f"/api/v1/checklists/runs/{token}").json()["answers"] == []
    # invalid answer value → 400
    assert post(client, f"/api/v1/checklists/runs/{token}/answers",
                {"answers": [{"item": "gas-hose", "answer": "maybe"}]}).status_code == 400
    assert post(client, f"/api/v1/checklists/runs/{token}/answers", {"answers": []}).status_code == 400
    twice = post(client, f"/api/v1/checklists/runs/{token}/answers",
                 {"answers": [{"item": "gas-hose", "answer": "yes"}, {"item": "gas-hose", "answer": "no"}]})
    assert twice.status_code == 400 and "gas-hose" in twice.json()["extra"]["fields"]

    # save part, resume, complete too early → 400 listing the open items
    first = [{"item": i["code"], "answer": safe(i)} for i in items[:3]]
    assert post(client, f"/api/v1/checklists/runs/{token}/answers", {"answers": first}).status_code == 200
    early = post(client, f"/api/v1/checklists/runs/{token}/complete")
    assert early.status_code == 400 and len(early.json()["extra"]["unanswered_items"]) == total - 3

    rest = [{"item": i["code"], "answer": "yes" if i["code"] == "ebike-indoor" else safe(i)} for i in items[3:]]
    rest[-1]["note"] = "门口堆了纸箱"
    resp = post(client, f"/api/v1/checklists/runs/{token}/answers", {"answers": rest})
    assert resp.status_code == 200
    failed = [a for a in resp.json()["answers"] if a["failed"]]
    assert [a["item"] for a in failed] == ["ebike-indoor"]

    # a photo on the failed item, validated like intake photos
    photo_url = f"/api/v1/checklists/runs/{token}/items/ebike-indoor/photo"
    from django.core.files.uploadedfile import SimpleUploadedFile

    not_image = client.post(photo_url, {"photo": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")})
    assert not_image.status_code == 400 and "JPEG" in json.dumps(not_image.json(), ensure_ascii=False)
    ok = client.post(photo_url, {"photo": SimpleUploadedFile("p.jpg", make_jpeg(), "image/jpeg")})
    assert ok.status_code == 200 and next(a for a in ok.json()["answers"] if a["item"] == "ebike-indoor")["has_photo"]
    assert client.post(f"/api/v1/checklists/runs/{token}/items/nope/photo",
                       {"photo": SimpleUploadedFile("p.jpg", make_jpeg(), "image/jpeg")}).status_code == 400

    assert post(client, f"/api/v1/checklists/runs/{token}/complete").status_code == 200
    again = post(client, f"/api/v1/checklists/runs/{token}/complete")
    assert again.status_code == 409
    assert post(client, f"/api/v1/checklists/runs/{token}/answers",
                {"answers": [{"item": "gas-hose", "answer": "no"}]}).status_code == 409

    # report: a safe item → 400; an unknown item → 400; no location for an anonymous run → 400
    assert post(client, f"/api/v1/checklists/runs/{token}/items/gas-hose/report",
                {"lat": SITE[0], "lon": SITE[1]}).status_code == 400
    assert post(client, f"/api/v1/checklists/runs/{token}/items/nope/report",
                {"lat": SITE[0], "lon": SITE[1]}).status_code == 400
    no_loc = post(client, f"/api/v1/checklists/runs/{token}/items/ebike-indoor/report", {})
    assert no_loc.status_code == 400 and "location" in no_loc.json()["extra"]["fields"]

    resp = post(client, f"/api/v1/checklists/runs/{token}/items/ebike-indoor/report", {"lat": SITE[0], "lon": SITE[1]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert len(body["receipt_code"].replace("-", "")) == 16
    case = Case.objects.get(reference=body["case_reference"])
    assert case.category == "ebike_charging" and case.sector == "fire"
    report = Report.objects.get(case=case)
    assert report.photos.count() == 1 and "电动自行车" in report.description
    dup = post(client, f"/api/v1/checklists/runs/{token}/items/ebike-indoor/report", {"lat": SITE[0], "lon": SITE[1]})
    assert dup.status_code == 409 and case.reference in dup.json()["message"]
    detail = client.get(f"/api/v1/checklists/runs/{token}").json()
    assert next(a for a in detail["answers"] if a["item"] == "ebike-indoor")["case_reference"] == case.reference


def test_unknown_run_is_404(client, templates):
    assert client.get("/api/v1/checklists/runs/not-a-token").status_code == 404
    assert post(client, "/api/v1/checklists/runs", {"template": "nope"}).status_code == 404
    assert post(client, "/api/v1/checklists/runs", {}).status_code == 400


def test_safety_officer_run_is_credited_and_reported_at_the_unit(client, city, templates):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1], address="金水路1号")
    client.force_login(city.officer_liu)
    # a unit the user does not belong to → 403
    assert post(client, "/api/v1/checklists/runs",
                {"template": "enterprise-industry-trade", "unit_id": city.other_enterprise.pk}).status_code == 403
    resp = post(client, "/api/v1/checklists/runs", {"template": "enterprise-industry-trade"})
    assert resp.status_code == 201 and resp.json()["unit_id"] == city.enterprise.pk
    token = resp.json()["token"]
    items = client.get("/api/v1/checklists/templates/enterprise-industry-trade").json()["items"]
    answers = [{"item": i["code"], "answer": "no" if i["code"] == "confined-permit" else safe(i)} for i in items]
    assert post(client, f"/api/v1/checklists/runs/{token}/answers", {"answers": answers}).status_code == 200
    resp = post(client, f"/api/v1/checklists/runs/{token}/items/confined-permit/report")  # location: the unit's
    assert resp.status_code == 201, resp.content
    assert resp.json()["criterion"] == "gongmao:13.2"
    case = Case.objects.get(reference=resp.json()["case_reference"])
    assert case.category == "workplace" and case.responsible_unit_id == city.enterprise.pk
    assert case.sector == "industry_trade"  # pre-classified by the item, not guessed from the words
    assert Report.objects.get(case=case).reported_unit_id == city.enterprise.pk
    assert post(client, f"/api/v1/checklists/runs/{token}/complete").status_code == 200

    # someone else's signed-in run is not found, for another user and for anonymous visitors
    client.force_login(city.other_officer)
    assert client.get(f"/api/v1/checklists/runs/{token}").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/checklists/runs/{token}").status_code == 404

    today = timezone.localdate()
    figures = unit_checklist_figures([city.enterprise.pk], today - dt.timedelta(days=1), today)
    assert figures == {"runs": 1, "failed_items": 1, "hazards_reported": 1}
    assert unit_checklist_figures([city.other_enterprise.pk], today, today) == {
        "runs": 0, "failed_items": 0, "hazards_reported": 0}
    assert unit_checklist_figures([city.enterprise.pk], today + dt.timedelta(days=1), today + dt.timedelta(days=9))[
        "runs"] == 0


def test_figures_count_only_completed_runs(city, templates):
    from hazardwatch.checklists.services import run_complete, run_start
    from hazardwatch.checklists.tests.conftest import answer_all

    done = run_start(user=city.officer_liu, template_code="enterprise")
    answer_all(done, hazard_on={"exits-locked", "permits"})
    run_complete(run=done, user=city.officer_liu)
    open_run = run_start(user=city.officer_liu, template_code="enterprise")
    answer_all(open_run, hazard_on={"exits-locked"})
    today = timezone.localdate()
    assert unit_checklist_figures([city.enterprise.pk], today, today) == {
        "runs": 1, "failed_items": 2, "hazards_reported": 0}
    assert ChecklistRun.objects.filter(unit=city.enterprise).count() == 2
