"""Recording an evacuation drill on a 360 px phone in headless Chromium: plan, start, an observation with a
photo, an issue that becomes a hazard case, then the record with evacuation time and headcount.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/drills-phone.png (the recorded drill's page) and
docs/img/drills-record-phone.png (the record form, after a refused headcount).
"""
import datetime as dt
import os

import pytest
from django.conf import settings
from django.utils import timezone

from hazardwatch.drills.models import Drill
from hazardwatch.drills.tests.conftest import local
from hazardwatch.reports.models import Report

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "drills-phone.png"
SCREENSHOT_FORM = settings.BASE_DIR / "docs" / "img" / "drills-record-phone.png"
SCREENSHOTS = os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_record_an_evacuation_drill_on_a_phone(located_city, live_server, phone_page, make_jpeg):
    errors = []
    page = phone_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/login/?next=/staff/drills/")
    page.fill("input[name=username]", "officer_liu")
    page.fill("input[name=password]", "pw-officer_liu")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("[data-plan-drill]")
    assert no_sideways_scroll(page)

    # plan
    page.click("[data-plan-drill]")
    page.wait_for_selector("[data-plan-form]")
    assert no_sideways_scroll(page)
    page.select_option("select[name=kind]", "evacuation")
    page.fill("input[name=title]", "五月消防疏散演练")
    page.fill("textarea[name=scenario]", "二楼仓库起火，全员沿两侧楼梯撤离到东侧广场集合点清点人数")
    page.fill("input[name=place]", "营业楼及东侧广场")
    page.fill("input[name=planned_participants]", "80")
    page.click("[data-plan-form] button[type=submit]")
    page.wait_for_selector("[data-drill-status=planned]")
    drill = Drill.objects.get()

    # start, then an observation with a photo
    page.click("[data-action=start]")
    page.wait_for_selector("[data-drill-status=in_progress]")
    page.fill("[data-observe-form] textarea[name=text]", "警报响起，二楼东侧楼梯口拥堵，引导员分流到西侧楼梯")
    page.set_input_files("[data-observe-form] input[name=photos]",
                         files=[{"name": "stairs.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg()}])
    page.click("[data-observe-form] button[type=submit]")
    page.wait_for_selector("[data-timeline] [data-event=observation] img")

    # an issue found → a hazard case for the unit
    page.fill("[data-issue-form] textarea[name=description]", "东侧安全出口门被货物堵住，只能打开一半")
    page.select_option("[data-issue-form] select[name=category]", "escape_route")
    page.click("[data-issue-form] button[type=submit]")
    page.wait_for_selector("[data-case-reference]")
    report = Report.objects.select_related("case").get()
    assert page.text_content("[data-case-reference]").strip() == report.case.reference
    assert report.reported_unit_id == located_city.enterprise.pk
    assert report.case.responsible_unit_id == located_city.enterprise.pk
    assert report.source == "staff"

    # the record
    page.click("[data-action=record]")
    page.wait_for_selector("[data-record-form]")
    assert no_sideways_scroll(page)
    start = timezone.now() - dt.timedelta(minutes=25)
    page.fill("input[name=started_at]", local(start))
    page.fill("input[name=ended_at]", local(start + dt.timedelta(minutes=22)))
    page.fill("input[name=participants]", "78")
    page.fill("input[name=evacuation_seconds]", "245")
    page.fill("input[name=headcount_expected]", "80")
    page.fill("input[name=headcount_accounted]", "82")  # more than expected, no note: refused
    page.click("[data-record-form] button[type=submit]")
    page.wait_for_selector("[data-error-for=headcount_accounted]")
    drill.refresh_from_db()
    assert drill.status == "in_progress"
    page.fill("input[name=headcount_accounted]", "78")
    page.fill("input[name=headcount_note]", "2 人外出办事，电话核实")
    page.fill("textarea[name=went_well]", "引导员 1 分钟内到位")
    page.fill("textarea[name=problems]", "东侧楼梯口拥堵；东侧安全出口被货物堵住")
    if SCREENSHOTS:
        SCREENSHOT_FORM.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT_FORM), full_page=True)
    page.click("[data-record-form] button[type=submit]")
    page.wait_for_selector("[data-drill-status=recorded]")
    assert page.get_attribute("[data-duration]", "data-duration") == "22"
    assert page.get_attribute("[data-evacuation]", "data-evacuation") == "245"
    drill.refresh_from_db()
    assert (drill.status, drill.participants, drill.headcount_accounted) == ("recorded", 78, 78)
    assert drill.observations.count() == 1 and drill.issues.count() == 1
    assert no_sideways_scroll(page)
    assert errors == []

    if SCREENSHOTS:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT), full_page=True)
