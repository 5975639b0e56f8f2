"""The four-colour map in headless Chromium: zones render in their colours, tiles blocked (offline).

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/four-colour-map.png.
"""
import os

import pytest
from django.conf import settings

from hazardwatch.risk import services
from hazardwatch.risk.geometry import rectangle
from hazardwatch.risk.tests.conftest import SITE

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "four-colour-map.png"

# (name, area, (w, h, dx, dy), method, scores)
SITE_PLAN = [
    ("喷漆作业", "喷漆车间", (120, 60, 0, 0), "lec", (6, 6, 15)),        # 540 red
    ("打磨除尘", "喷漆车间", (120, 60, 0, 0), "lec", (3, 6, 7)),         # 126 yellow (same zone)
    ("危化品储存", "危化品仓库", (70, 40, 0, 75), "lec", (3, 6, 15)),    # 270 orange
    ("配电柜运行", "配电房", (30, 30, 85, -20), "ls", (3, 4)),           # 12 yellow
    ("办公区用电", "办公楼", (50, 35, -95, 10), "ls", (2, 2)),           # 4 blue
    ("叉车装卸", "装卸区", (60, 35, 80, 60), "lec", (3, 6, 3)),          # 54 blue
    ("燃气锅炉", "锅炉房", (35, 30, -80, -60), "lec", (3, 6, 15)),       # 270 orange
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_four_colour_map_draws_the_site_zones(city, live_server, desktop_page, major_case):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])
    first = None
    for name, area, (w, h, dx, dy), method, scores in SITE_PLAN:
        data = {"organization_id": city.enterprise.pk, "name": name, "area": area, "method": method,
                "zone": rectangle(*SITE, w, h, dx, dy), "control_level": "department", "responsible_person": "刘洋",
                "accident_types": ["fire"]}
        data.update(dict(zip(("l", "e", "c") if method == "lec" else ("l", "s"), scores)))
        point = services.risk_point_create(actor=city.officer_liu, data=data)
        first = first or point
    type(major_case).objects.filter(pk=major_case.pk).update(lat=SITE[0] + 0.0003, lon=SITE[1] + 0.0006)
    services.risk_point_link_case(actor=city.officer_liu, point_id=first.pk, case_id=major_case.pk)

    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/login/?next=/staff/risk/map/")
    page.fill("input[name=username]", "officer_liu")
    page.fill("input[name=password]", "pw-officer_liu")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("#risk-map[data-loaded='1']", timeout=15000)

    assert page.get_attribute("#risk-map", "data-features") == "6"  # 6 zones (two points share one)
    assert page.locator("path.leaflet-interactive.risk-zone").count() == 6
    assert page.locator("path.risk-zone-major").count() == 1
    assert page.locator("path.risk-zone-high").count() == 2
    assert page.locator("path.risk-zone-general").count() == 1
    assert page.locator("path.risk-zone-low").count() == 2
    assert page.locator("[data-major-hazard]").count() == 1
    fill = page.get_attribute("path.risk-zone-major", "fill")
    assert fill and fill.lower() == "#e03131"
    assert errors == []

    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
