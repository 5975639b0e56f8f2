"""A phone sees a likely duplicate while reporting, follows it, and its receipt shows that case."""
import os
import re
from pathlib import Path

import pytest

from hazardwatch.cases.models import Case
from hazardwatch.public.tests.helpers import RECEIPT_RE
from hazardwatch.reports.models import Report
from hazardwatch.reports.services import ReportInput, report_submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_follows_a_likely_duplicate(live_server, phone_page, zhengzhou):
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/report/")
    page.wait_for_selector("#report-map[data-ready='1']")
    page.fill("#id_description", "小区楼道有人给电动车充电，堵住了安全出口")

    page.locator("#report-map").tap(position={"x": 160, "y": 110})
    page.wait_for_function("() => document.querySelector('[name=latitude]').value !== ''")
    lat = float(page.input_value("[name=latitude]"))
    lon = float(page.input_value("[name=longitude]"))

    # somebody already reported the same kind of hazard about 40 m away
    existing, _ = report_submit(ReportInput(description="电动车在楼道里充电，很危险", latitude=lat + 0.0003,
                                            longitude=lon + 0.0001, category="ebike_charging"))
    reference = existing.case.reference

    page.select_option("#id_category", "ebike_charging")
    found = page.locator(f"#duplicates [data-follow='{reference}']")
    found.wait_for(state="visible", timeout=10000)
    box_text = page.text_content("#duplicates")
    assert "楼道里充电" not in box_text  # the other reporter's words are not shown
    assert re.search(r"about \d+ m away", box_text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    assert not page.locator("#duplicates [data-unfollow]").is_visible()
    found.tap()
    assert page.input_value("[name=follow_reference]") == reference
    assert found.get_attribute("aria-pressed") == "true"
    page.locator("#duplicates [data-unfollow]").tap()  # changing one's mind files a new case again
    assert page.input_value("[name=follow_reference]") == ""
    found.tap()
    assert page.input_value("[name=follow_reference]") == reference
    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        shot = Path(__file__).resolve().parents[3] / "docs" / "img" / "report-duplicates-phone.png"
        page.locator("#duplicates").scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
    with page.expect_navigation(url=re.compile(r"/report/done/$")):
        page.click("#submit-report")
    code = page.text_content("#receipt-code").strip()
    assert RECEIPT_RE.fullmatch(code)
    assert page.locator("#followed-note").is_visible()

    assert Case.objects.count() == 1
    assert Report.objects.filter(case=existing.case, followed_existing=True).count() == 1

    page.goto(f"{live_server.url}/status/")
    page.fill("[name=receipt_code]", code)
    with page.expect_navigation():
        page.click("#status-result ~ section button, form[action='/status/'] button")
    assert reference in page.text_content("#status-result")
