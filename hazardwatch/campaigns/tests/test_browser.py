"""Headless Chromium: a school files its campaign summary on a 360 px phone; the office's overview.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/campaigns-unit-phone.png and docs/img/campaigns-office.png.
"""
import datetime as dt
import os

import pytest
from django.conf import settings

from hazardwatch.campaigns import services
from hazardwatch.campaigns.models import Campaign, Summary

IMG = settings.BASE_DIR / "docs" / "img"


def _login(page, base, username, next_url):
    page.goto(f"{base}/staff/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("form.wb-login-form button[type=submit]")


def _shot(page, name, full_page=False):
    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMG / name), full_page=full_page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_school_files_its_summary_on_a_phone(cw, live_server, phone_page):
    services.activity_create(actor=cw.teacher_ma, campaign_id=cw.campaign.pk, unit_id=cw.school.pk, data={
        "kind": "lecture", "held_on": cw.today - dt.timedelta(days=2), "place": "学校礼堂", "participants": 240})
    errors = []
    page = phone_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = f"/campaigns/{cw.campaign.pk}/unit/{cw.school.pk}/"
    _login(page, live_server.url, "teacher_ma", url)
    page.wait_for_selector("form[data-summary-form]")
    assert page.input_value("#id_summary_participants") == "240"  # pre-filled from the recorded activity
    assert page.input_value("#id_summary_activities") == "1"
    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_summary_narrative", "本校开展防溺水和消防安全专题讲座，组织学生疏散演练。")
    page.fill("#id_summary_quiz_takers", "180")
    page.locator("form[data-summary-form] button[type=submit]").click()
    page.wait_for_selector("[data-summary-state=submitted]")
    assert page.locator("[data-flash]").count() == 1
    version = Summary.objects.get(unit=cw.school).current
    assert version.figures["quiz_takers"] == 180 and version.figures["participants"] == 240
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#summary").scroll_into_view_if_needed()
    _shot(page, "campaigns-unit-phone.png")
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_overview(cw, live_server, desktop_page):
    for actor, unit, kind, n in ((cw.city.officer_liu, cw.enterprise, "drill", 120),
                                 (cw.city.officer_liu, cw.enterprise, "consultation", 300),
                                 (cw.teacher_ma, cw.school, "lecture", 240)):
        services.activity_create(actor=actor, campaign_id=cw.campaign.pk, unit_id=unit.pk, data={
            "kind": kind, "held_on": cw.today - dt.timedelta(days=3), "place": "现场", "participants": n})
    services.liaison_register(actor=cw.city.officer_liu, campaign_id=cw.campaign.pk, unit_id=cw.enterprise.pk,
                              data={"name": "刘洋", "position": "安全主管", "phone": "13800138000"})
    services.summary_file(actor=cw.city.officer_liu, campaign_id=cw.campaign.pk, unit_id=cw.enterprise.pk,
                          data={"narrative": "按时报送", "figures": {"hazards_found": 6, "hazards_fixed": 5,
                                                                   "checklists_run": 9, "quiz_takers": 85}})
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1),
                                                      liaison_due=cw.today - dt.timedelta(days=1))
    services.summary_file(actor=cw.teacher_ma, campaign_id=cw.campaign.pk, unit_id=cw.school.pk,
                          data={"narrative": "迟交", "figures": {"quiz_takers": 180}})
    page = desktop_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server.url, "office_wu", f"/staff/campaigns/{cw.campaign.pk}/")
    page.wait_for_selector("table[data-rollup]")
    summary = page.locator("[data-deadline=summary]")
    assert summary.locator("[data-count=submitted]").inner_text() == "1"
    assert summary.locator("[data-count=late]").inner_text() == "1"
    assert summary.locator("[data-count=missing]").inner_text() == "1"
    assert page.locator("table[data-rollup] tbody tr").count() == 4  # city, Erqi, Jinshui, the township
    city_row = page.locator("tr[data-region='410100'] td")
    assert city_row.nth(1).inner_text() == "3"
    _shot(page, "campaigns-office.png", full_page=True)
    assert errors == []
