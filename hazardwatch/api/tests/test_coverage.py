"""Operations added so that the REST API covers the workbench: thin wrappers over the services the staff pages
use (inspection start, case photos, flagged sources, Excel exports, quiz contests and results), and the list
filters that match the pages' filter forms."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from hazardwatch.checklists.models import Inspection
from hazardwatch.campaigns.tests.conftest import cw  # noqa: F401  (fixture)
from hazardwatch.checklists.tests.conftest import templates  # noqa: F401  (fixture)
from hazardwatch.drills.tests.conftest import located_city, plan_payload  # noqa: F401  (fixtures)
from hazardwatch.quizzes.tests.conftest import bank  # noqa: F401  (fixture)
from hazardwatch.risk.tests.conftest import point_payload  # noqa: F401  (fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.django_db
def test_inspection_start_through_the_api(client, city, templates):  # noqa: F811
    client.force_login(city.inspector_li)
    r = post(client, "/api/v1/checklists/inspections", {
        "unit_id": city.enterprise.pk, "template": "enterprise", "interval": "once", "announced": False,
        "due_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 201
    inspection = Inspection.objects.get()
    r = post(client, f"/api/v1/checklists/inspections/{inspection.pk}/start")
    assert r.status_code == 201, r.content
    inspection.refresh_from_db()
    assert r.json()["token"] == inspection.run.token and inspection.run.unit_id == city.enterprise.pk
    client.force_login(city.erqi_wang)  # another district cannot
    assert post(client, f"/api/v1/checklists/inspections/{inspection.pk}/start").status_code == 404
    listed = client.get("/api/v1/checklists/inspections", {"limit": 1})
    assert listed.status_code == 200 and listed.json()["items"] == listed.json()["results"]


@pytest.mark.django_db
def test_case_photos_and_flagged_sources(client, city):
    from hazardwatch.api.tests.test_pagination import _case

    case = _case()
    other = _case(region_code="410103")
    client.force_login(city.inspector_li)
    assert client.get(f"/api/v1/cases/{case.pk}/photos").json() == []
    assert client.get(f"/api/v1/cases/{other.pk}/photos").status_code == 404
    assert client.get("/api/v1/cases/photos/report/999999").status_code == 404
    assert client.get("/api/v1/cases/photos/evidence/999999").status_code == 404
    flagged = client.get("/api/v1/cases/flagged-sources")
    assert flagged.status_code == 200 and flagged.json() == {"count": 0, "items": [], "next_cursor": None}
    client.logout()
    assert client.get("/api/v1/cases/flagged-sources").status_code == 401


@pytest.mark.django_db
def test_risk_export_and_filters(client, city, point_payload):  # noqa: F811
    from hazardwatch.risk import services

    services.risk_point_create(actor=city.officer_liu, data=point_payload())
    services.risk_point_create(actor=city.officer_liu, data=point_payload(
        name="配电房", method="ls", l=2, s=2, e=None, c=None, accident_types=["electric_shock"]))
    client.force_login(city.officer_liu)
    r = client.get("/api/v1/risk/points/export.xlsx", {"org": city.enterprise.pk})
    assert r.status_code == 200 and r["Content-Type"] == XLSX and r.content[:2] == b"PK"
    assert client.get("/api/v1/risk/points/export.xlsx", {"bogus": 1}).status_code == 400
    # the risk page's filters: q, level, method, accident_type, control_level, overdue
    assert [p["name"] for p in client.get("/api/v1/risk/points", {"method": "ls"}).json()["items"]] == ["配电房"]
    assert [p["name"] for p in client.get("/api/v1/risk/points", {"q": "危化"}).json()["items"]] == ["危化品仓库"]
    assert client.get("/api/v1/risk/points", {"accident_type": "electric_shock"}).json()["count"] == 1
    seen = []
    body = client.get("/api/v1/risk/points", {"limit": 1}).json()
    seen += [p["id"] for p in body["items"]]
    body = client.get("/api/v1/risk/points", {"limit": 1, "cursor": body["next_cursor"]}).json()
    seen += [p["id"] for p in body["items"]]
    assert len(set(seen)) == 2 and body["next_cursor"] is None


@pytest.mark.django_db
def test_drill_export_and_paging(client, located_city, plan_payload):  # noqa: F811
    from hazardwatch.drills import services

    for title in ("一", "二", "三"):
        services.drill_plan(actor=located_city.officer_liu, data=plan_payload(title=f"演练{title}"))
    client.force_login(located_city.officer_liu)
    r = client.get("/api/v1/drills/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX and r.content[:2] == b"PK"
    assert client.get("/api/v1/drills/export.xlsx", {"nope": "1"}).status_code == 400
    first = client.get("/api/v1/drills/", {"limit": 2}).json()
    second = client.get("/api/v1/drills/", {"limit": 2, "cursor": first["next_cursor"]}).json()
    titles = [d["title"] for d in first["items"] + second["items"]]
    assert sorted(titles) == ["演练一", "演练三", "演练二"] and second["next_cursor"] is None
    assert client.get("/api/v1/drills/", {"cursor": "bad"}).status_code == 400


@pytest.mark.django_db
def test_quiz_staff_contests_and_results(client, city, bank):  # noqa: F811
    now = timezone.now()
    body = {"title_zh": "安全知识竞赛", "starts_at": now.isoformat(), "ends_at": (now + dt.timedelta(days=7)).isoformat(),
            "tags": "", "question_count": 5, "time_limit_seconds": 300, "points_per_correct": 10}
    client.force_login(city.officer_liu)  # a unit: staff, but may not run contests
    assert post(client, "/api/v1/quizzes/staff/contests", body).status_code == 403
    client.force_login(city.inspector_li)
    bad = post(client, "/api/v1/quizzes/staff/contests", {**body, "question_count": 0})
    assert bad.status_code == 400 and "question_count" in bad.json()["extra"]["fields"]
    r = post(client, "/api/v1/quizzes/staff/contests", body)
    assert r.status_code == 201, r.content
    assert r.json()["tags"] == [] and r.json()["question_count"] == 5
    listed = client.get("/api/v1/quizzes/staff/contests").json()
    assert [c["id"] for c in listed["items"]] == [r.json()["id"]]
    results = client.get("/api/v1/quizzes/staff/results")
    assert results.status_code == 200 and results.json()["items"] == []
    assert client.get("/api/v1/quizzes/staff/results", {"scope": "weird"}).status_code == 400
    csv = client.get("/api/v1/quizzes/staff/results.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    client.force_login(city.reporter_wang)
    assert client.get("/api/v1/quizzes/staff/results").status_code == 403
    client.logout()
    assert client.get("/api/v1/quizzes/staff/contests").status_code == 401


@pytest.mark.django_db
def test_campaign_list_status_filter(client, city):
    client.force_login(city.admin_chen)
    body = client.get("/api/v1/campaigns/", {"status": "open"}).json()
    assert body == {"count": 0, "items": [], "next_cursor": None}
    assert client.get("/api/v1/campaigns/", {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_campaign_overview_state_filter_matches_the_office_page(client, cw):  # noqa: F811
    from hazardwatch.campaigns.tests.conftest import post as c_post
    from hazardwatch.campaigns.tests.conftest import unit_url

    client.force_login(cw.city.officer_liu)
    assert c_post(client, unit_url(cw, cw.enterprise, "/summary"), {"narrative": "按时"}).status_code == 201
    client.force_login(cw.office_wu)
    url = f"/api/v1/campaigns/{cw.campaign.pk}/overview"
    assert [r["unit"] for r in client.get(url, {"state": "submitted"}).json()["rows"]] == [cw.enterprise.pk]
    assert cw.enterprise.pk not in [r["unit"] for r in client.get(url, {"state": "pending"}).json()["rows"]]
    assert len(client.get(url).json()["rows"]) == 3
    assert client.get(url, {"state": "odd"}).status_code == 400
    listed = client.get("/api/v1/campaigns/", {"status": cw.campaign.status}).json()
    assert [c["id"] for c in listed["items"]] == [cw.campaign.pk]


@pytest.mark.django_db
def test_case_photo_downloads_follow_the_workbench_rules(client, city, make_jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazardwatch.reports.models import Report

    data = {"description": "商场安全出口被货物堵塞，消防通道不通", "latitude": 34.78, "longitude": 113.672,
            "category": "escape_route"}
    r = client.post("/api/v1/reports", {"data": json.dumps(data),
                                        "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert r.status_code == 201, r.content
    case = Report.objects.get().case
    assert case is not None
    client.force_login(city.admin_chen)
    photos = client.get(f"/api/v1/cases/{case.pk}/photos").json()
    assert [p["kind"] for p in photos] == ["report"]
    image = client.get(photos[0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content if image.streaming else [image.content])[:2] == b"\xff\xd8"
    client.force_login(city.erqi_wang)  # not their case
    assert client.get(photos[0]["url"]).status_code == 404
    client.force_login(city.reporter_wang)  # no staff role
    r = client.get(photos[0]["url"])
    assert r.status_code == 403 and set(r.json()) == {"message", "extra"}


@pytest.mark.django_db
def test_drill_photo_through_the_api(client, located_city, plan_payload, make_jpeg):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazardwatch.drills import services

    drill = services.drill_plan(actor=located_city.officer_liu, data=plan_payload())
    client.force_login(located_city.officer_liu)
    assert client.post(f"/api/v1/drills/{drill.pk}/start").status_code == 200
    r = client.post(f"/api/v1/drills/{drill.pk}/observations", {
        "text": "警报响起", "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 201, r.content
    photo_id = client.get(f"/api/v1/drills/{drill.pk}").json()["photos"][0]["id"]
    image = client.get(f"/api/v1/drills/photos/{photo_id}")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    client.force_login(located_city.other_officer)  # another enterprise
    assert client.get(f"/api/v1/drills/photos/{photo_id}").status_code == 404
    client.force_login(located_city.reporter_wang)
    assert client.get(f"/api/v1/drills/photos/{photo_id}").status_code == 403
    assert client.get("/api/v1/exposure/photos/1").status_code == 403
    client.force_login(located_city.inspector_li)
    assert client.get("/api/v1/exposure/photos/999999").status_code == 404
