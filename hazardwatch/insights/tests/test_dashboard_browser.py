"""The dashboard in headless Chromium: charts render on canvases, the filter form drills into a region.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/dashboard.png (about 600 demo-like cases).
"""
import datetime as dt
import os
import random

import pytest
from django.conf import settings
from django.utils import timezone

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "dashboard.png"
TITLES = ["安全出口被锁", "消防通道堆放杂物", "电动车楼道充电", "液化气罐无报警器", "灭火器过期", "配电箱私拉乱接",
          "脚手架未设防护网", "有限空间作业未审批", "叉车无证驾驶", "危化品混存"]
SECTOR_CATEGORIES = {
    "fire": ["escape_route", "fire_equipment", "ebike_charging"], "gas": ["gas"], "electrical": ["electrical"],
    "construction": ["construction"], "industry_trade": ["workplace"], "hazardous_chemicals": ["hazardous_chemicals"],
    "special_equipment": ["special_equipment"], "household_community": ["ebike_charging", "building"],
}
STATUSES = ["closed"] * 11 + ["new", "triaged", "assigned", "assigned", "rectifying", "rectifying",
                              "awaiting_verification", "rejected", "merged"]


def seed_demo_like(n: int, seed: int = 3) -> None:
    from hazardwatch.cases.models import Case
    from hazardwatch.places.models import Division

    rng = random.Random(seed)
    leaves = list(Division.objects.filter(level__in=["township", "county"]).values_list("code", "path"))
    # Busier districts first, so the region chart has a shape.
    weights = [5 if "410105" in p else 3 if "410103" in p or "410102" in p else 1 for _, p in leaves]
    now = timezone.now()
    rows = []
    for i in range(n):
        code, path = rng.choices(leaves, weights)[0]
        sector = rng.choices(list(SECTOR_CATEGORIES), [40, 8, 8, 10, 12, 4, 6, 12])[0]
        status = rng.choice(STATUSES)
        grade = "" if status in ("new", "triaged", "rejected", "merged") else rng.choices(
            ["general", "major"], [92, 8])[0]
        created = now - dt.timedelta(days=rng.triangular(0, 365, 40), hours=rng.randrange(24))
        overdue = status in ("assigned", "rectifying") and rng.random() < 0.35
        deadline = (now - dt.timedelta(days=rng.randint(1, 40))) if overdue else (
            created + dt.timedelta(days=10) if status in ("assigned", "rectifying") else None)
        rows.append(Case(
            reference=f"ZZ{2025000 + i}", title=rng.choice(TITLES), description="演示隐患", sector=sector,
            status=status, grade=grade, criterion_item="GB35181-4.1" if grade == "major" else "",
            category=rng.choice(SECTOR_CATEGORIES[sector]), region_id=code, region_path=path,
            is_overdue=overdue, deadline=deadline, created_at=created,
            closed_at=created + dt.timedelta(days=rng.expovariate(1 / 9)) if status == "closed" else None))
    field = Case._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        Case.objects.bulk_create(rows, batch_size=500)
    finally:
        field.auto_now_add = True


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_renders_charts(city, live_server, desktop_page):
    from hazardwatch.insights.stats import stats_rebuild

    screenshots = os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1"
    seed_demo_like(600 if screenshots else 120)
    stats_rebuild()
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/dashboard/")
    assert "/staff/login/" in page.url
    page.fill("input[name=username]", "admin_chen")
    page.fill("input[name=password]", "pw-admin_chen")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.wait_for_function("() => document.documentElement.dataset.dashboardReady === '6'")
    for chart in ("status", "sector", "grade", "region", "time", "categories"):
        canvas = page.locator(f"#chart-{chart} canvas")
        assert canvas.count() >= 1, chart
        box = canvas.first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, chart
    # The canvases have pixels drawn on them (not blank).
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.dash-canvas canvas')).map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) { n++; } } return n; })""")
    assert all(n > 500 for n in drawn), drawn
    assert page.locator("#overdue-table tbody tr").count() >= 1
    assert page.locator("a[data-dl='region-xlsx']").get_attribute("href").startswith("/api/v1/stats/region.xlsx")
    if screenshots:
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.wait_for_timeout(300)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    # Drill down with the filter form: Jinshui's subdistricts become the region bars.
    page.select_option("#f-region", "410105")
    page.click(".dash-actions button[type=submit]")
    page.wait_for_url("**/dashboard/?*region=410105*")
    page.wait_for_function("() => document.documentElement.dataset.dashboardReady === '6'")
    data = page.evaluate("JSON.parse(document.getElementById('dash-data').textContent)")
    assert data["region"]["code"] == "410105"
    assert data["by_region"] and all(r["code"].startswith("410105") or r["code"] == "" for r in data["by_region"])
    assert page.locator(".dash-crumbs").inner_text().count("›") >= 2
    assert errors == []
