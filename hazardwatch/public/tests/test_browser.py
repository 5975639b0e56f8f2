"""A phone in headless Chromium reports a hazard: type, choose, tap the map, attach a photo, send.

Map tiles come from the internet, which the `phone_page` fixture blocks: the form must still work.
Set HAZARDWATCH_SCREENSHOTS=1 to refresh docs/img/report-form-phone.png from this run.
"""
import os
import re
from pathlib import Path

import pytest

from hazardwatch.public.tests.helpers import RECEIPT_RE, jpeg_bytes
from hazardwatch.reports.models import Report, ReportPhoto

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "img" / "report-form-phone.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_reports_a_hazard_with_map_tap_and_photo(live_server, phone_page, zhengzhou, tmp_path):
    page = phone_page
    photo = tmp_path / "stairwell.jpg"
    photo.write_bytes(jpeg_bytes(size=(640, 480), color=(90, 110, 140)))

    page.goto(f"{live_server.url}/report/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows the phone width
    page.wait_for_selector("#report-map[data-ready='1']")  # Leaflet started, with or without tiles

    page.fill("#id_description", "楼道里停着三辆电动车在充电，安全出口被堵住了，晚上一直这样")
    page.select_option("#id_category", "ebike_charging")
    page.select_option("#id_place_type", "residential")
    page.fill("#id_address", "金水区某小区 3 号楼 1 单元楼道")

    page.locator("#report-map").tap(position={"x": 150, "y": 120})
    page.wait_for_function("() => document.querySelector('[name=latitude]').value !== ''")
    lat = float(page.input_value("[name=latitude]"))
    lon = float(page.input_value("[name=longitude]"))
    assert 34 < lat < 35.5 and 113 < lon < 114.5  # near the configured map centre (Zhengzhou)
    assert page.input_value("[name=crs]") == "wgs84"
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.locator("#location-status.set").is_visible()

    page.set_input_files("input[name=photos]", str(photo))
    assert page.locator("#photo-count").is_visible()

    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_navigation(url=re.compile(r"/report/done/$")):
        page.click("#submit-report")

    code = page.text_content("#receipt-code").strip()
    assert RECEIPT_RE.fullmatch(code)
    assert code not in page.url

    report = Report.objects.get()
    assert report.category == "ebike_charging" and report.input_crs == "wgs84"
    assert report.lat == pytest.approx(lat, abs=1e-5) and report.lon == pytest.approx(lon, abs=1e-5)
    assert ReportPhoto.objects.filter(report=report).count() == 1
    assert report.case is not None

    page.reload()
    assert page.locator("#receipt-code").count() == 0  # shown once only
