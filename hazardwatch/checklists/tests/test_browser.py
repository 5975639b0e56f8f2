"""A family runs a checklist on a 360 px phone in headless Chromium, fails an item and reports it in one tap.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/checklists-phone.png.
"""
import os

import pytest
from django.conf import settings

from hazardwatch.cases.models import Case
from hazardwatch.checklists.models import ChecklistRun
from hazardwatch.checklists.tests.conftest import SITE

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "checklists-phone.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_run_fail_one_item_and_report_it_in_one_tap(city, templates, live_server, phone_page):
    page = phone_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": SITE[0], "longitude": SITE[1], "accuracy": 10})

    page.goto(f"{live_server.url}/checklists/")
    page.click("form[data-template=community] button[type=submit]")
    page.wait_for_selector("#run-form")
    run = ChecklistRun.objects.get()
    items = list(run.template.items.all())
    assert page.locator(".cl-item").count() == len(items)

    # answer every item, the corridor e-bike question with the hazard answer ("yes")
    for item in items:
        value = item.hazard_answer if item.code == "ebike-corridor" else ("yes" if item.hazard_answer == "no" else "no")
        page.locator(f"#item-{item.code} input[value={value}]").check()
    page.click("#save")
    page.wait_for_selector("#item-ebike-corridor.is-failed")
    assert page.locator("button.cl-report").count() == 1
    # the page fits the phone: nothing wider than the viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        page.evaluate("document.querySelector('#item-ebike-corridor').scrollIntoView({block: 'start'});"
                      "window.scrollBy(0, -90)")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    page.click("#item-ebike-corridor button.cl-report")  # the one tap (location from the phone)
    page.wait_for_selector("#report-receipt")
    reference = page.get_attribute("#report-receipt", "data-case")
    case = Case.objects.get(reference=reference)
    assert case.category == "ebike_charging" and case.sector == "fire"
    assert abs(case.lat - SITE[0]) < 0.01 and abs(case.lon - SITE[1]) < 0.01
    assert page.locator(f"[data-reported='{reference}']").count() == 1

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("#complete")
    page.wait_for_selector("#run-completed")
    run.refresh_from_db()
    assert run.status == "completed"
    assert errors == []



@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inspections_board_shows_missed_and_late(city, live_server, desktop_page):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.checklists.demo import seed_checklists

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])
    seed_checklists(log=lambda *a: None)
    page = desktop_page
    page.goto(f"{live_server.url}/staff/login/?next=/staff/checklists/%3Fstate%3Dall")
    page.fill("input[name=username]", "inspector_li")
    page.fill("input[name=password]", "pw-inspector_li")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("#inspections")
    assert page.locator("tr[data-status=missed]").count() == 2
    assert page.locator("tr[data-late='1']").count() == 1
    assert page.locator("tr[data-status=due]").count() == 2
    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOT.with_name("checklists-inspections.png")), full_page=True)
