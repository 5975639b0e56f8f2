"""The case page: likely duplicates with a merge button, undo of a merge, reject reason codes, flagged list."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from hazardwatch.cases.models import Case

pytestmark = pytest.mark.django_db

POINT = {"latitude": 34.78, "longitude": 113.672}


def submit(client, **extra):
    body = {"description": "商场安全出口被货物堵塞，消防通道无法通行", **POINT, "category": "escape_route", **extra}
    resp = client.post("/api/v1/reports", data=json.dumps(body), content_type="application/json")
    assert resp.status_code == 201, resp.content
    return Case.objects.get(reference=resp.json()["reference"])


def test_merge_from_the_duplicates_panel_and_undo(client, city):
    client.cookies["django_language"] = "en"
    a = submit(client)
    b = submit(client)
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{b.pk}/").content.decode()
    assert f'data-merge-into="{a.pk}"' in page and "Likely duplicates" in page
    assert 'name="reason_code"' in page and 'value="untrue"' in page
    resp = client.post(f"/staff/cases/{b.pk}/actions/merge/", {"target_case_id": str(a.pk)})
    assert resp.status_code == 303
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a
    page = client.get(f"/staff/cases/{b.pk}/").content.decode()
    assert 'data-action="unmerge"' in page
    page = client.get(f"/staff/cases/{a.pk}/").content.decode()
    assert "from merged case" in page and page.count("data-first-reporter") == 1
    resp = client.post(f"/staff/cases/{b.pk}/actions/unmerge/", {"note": "不是同一处"})
    assert resp.status_code == 303
    b.refresh_from_db()
    assert b.status == "new" and b.merged_into is None
    page = client.get(f"/staff/cases/{b.pk}/").content.decode()
    assert "Restored status" in page
    # a bad merge from the page: 400 with the message, nothing changed
    resp = client.post(f"/staff/cases/{b.pk}/actions/merge/", {"target_case_id": str(b.pk)})
    assert resp.status_code == 400 and "cannot be merged into itself" in resp.content.decode()
    b.refresh_from_db()
    assert b.status == "new"


def test_flagged_list_needs_a_workbench_role(client, city):
    assert client.get("/staff/reporters/flagged/").status_code == 302
    client.force_login(city.reporter_wang)
    assert client.get("/staff/reporters/flagged/").status_code == 403
    client.force_login(city.inspector_li)
    client.cookies["django_language"] = "en"
    assert "No reporter or device is above the threshold." in client.get("/staff/reporters/flagged/").content.decode()


def test_flagged_page_counts_honeypot_hits_of_the_last_30_days(client, city):
    from hazardwatch.public.tests.helpers import report_data
    from hazardwatch.reports.models import IntakeCounter, Report

    assert client.post("/report/", report_data(homepage="http://spam.example")).status_code == 303
    client.post("/report/", report_data(homepage="x"))
    assert Report.objects.count() == 0
    IntakeCounter.objects.create(day=timezone.localdate() - dt.timedelta(days=45), name="honeypot", count=7)  # too old
    client.force_login(city.inspector_li)
    client.cookies["django_language"] = "en"
    page = client.get("/staff/reporters/flagged/").content.decode()
    assert 'data-honeypot="2"' in page and "2 submissions of the public report form" in page
