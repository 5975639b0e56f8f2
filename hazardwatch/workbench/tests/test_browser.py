"""A regulator signs in, opens a case from the queue and accepts it, in headless Chromium.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/staff-queue.png (a queue with several cases).
"""
import datetime as dt
import os

import pytest
from django.conf import settings
from django.utils import timezone

from hazardwatch.cases import services
from hazardwatch.cases.models import Case
from hazardwatch.workbench.tests.conftest import ERQI, PASSWORD

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "staff-queue.png"

# (description, (lat, lon), category, address)
SAMPLE = [
    ("商场三楼安全出口被上锁，疏散通道堆放货物", (34.781, 113.671), "escape_route", "花园路 99 号商场"),
    ("小区地下车库有电动车在充电，飞线接到楼道插座", (34.771, 113.664), "ebike_charging", "经八路 12 号院"),
    ("饭店后厨液化气罐放在灶台旁边，没有报警器", (34.764, 113.682), "gas", "杜岭街 6 号"),
    ("写字楼消火栓箱被广告牌遮挡，灭火器过期", (34.79, 113.654), "fire_equipment", "文化路 80 号"),
    ("仓库用可燃材料隔出宿舍，晚上有人住", (34.801, 113.661), "escape_route", "东风路北侧仓储园"),
    ("菜市场电线私拉乱接，配电箱门损坏", (34.769, 113.694), "electrical", "未来路农贸市场"),
    ("工地塔吊附近没有围挡，行人从下方经过", (34.789, 113.784), "construction", "龙子湖高校园区"),
]


def _seed_queue(world):
    """Cases in various states, as a regulator sees them on an ordinary morning."""
    from hazardwatch.reports.services import ReportInput, report_submit

    from hazardwatch.accounts.models import Membership, Organization

    # The screenshot's regulator also works for the district's emergency-management bureau (more sectors).
    bureau = Organization.objects.create(kind="regulator", name="金水区应急管理局", region=world.jinshui,
                                         sectors=["gas", "electrical", "construction", "industry_trade", "other"])
    for user, role in ((world.staff, "regulator_staff"), (world.leader, "regulator_leader")):
        Membership.objects.create(user=user, organization=bureau, role=role)
    cases = []
    for description, (lat, lon), category, address in SAMPLE:
        report, _ = report_submit(ReportInput(description=description, latitude=lat, longitude=lon, crs="wgs84",
                                              category=category, address=address))
        cases.append(report.case)
    staff, leader, unit = world.staff, world.leader, str(world.enterprise.pk)

    def t(case, action, actor=staff, **data):
        services.case_transition(case_id=case.pk, action=action, actor=actor, data=data)

    # 0: major, listed, being rectified
    t(cases[0], "accept", leader)
    t(cases[0], "grade", leader, grade="major", criterion_standard="重大火灾隐患判定规则", criterion_item="6.1")
    t(cases[0], "list", leader)
    t(cases[0], "assign", leader, responsible_unit_id=unit)
    t(cases[0], "plan", leader, responsibility="法定代表人", measures="拆除锁具，清理通道", funds="2 万元",
      time_limit=(timezone.localdate() + dt.timedelta(days=20)).isoformat(), contingency_plan="专人值守")
    t(cases[0], "start", leader)
    # 1: assigned and overdue
    t(cases[1], "accept")
    t(cases[1], "grade", grade="general")
    t(cases[1], "assign", responsible_unit_id=unit)
    Case.objects.filter(pk=cases[1].pk).update(is_overdue=True, deadline=timezone.now() - dt.timedelta(days=3))
    # 2: accepted, not graded yet
    t(cases[2], "accept")
    # 3: general, being rectified
    t(cases[3], "accept")
    t(cases[3], "grade", grade="general")
    t(cases[3], "assign", responsible_unit_id=unit)
    t(cases[3], "start")
    # 5: rejected
    t(cases[5], "reject", reason="经核查已整改")
    # 4, 6: new
    return cases


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regulator_accepts_a_case(world, live_server, desktop_page):
    screenshots = os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1"
    if screenshots:
        _seed_queue(world)
    from hazardwatch.reports.services import ReportInput, report_submit

    report, _ = report_submit(ReportInput(description="二七区：网吧安全出口被锁", latitude=ERQI[0], longitude=ERQI[1],
                                          crs="wgs84", category="escape_route"))
    newest, _ = report_submit(ReportInput(description="KTV 包间疏散通道被沙发堵住，应急灯不亮",
                                          latitude=34.78, longitude=113.68, crs="wgs84", category="escape_route",
                                          address="花园路 18 号 KTV"))
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/")
    assert "/staff/login/" in page.url
    page.fill("input[name=username]", "jinshui_staff")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("table.wb-table")
    assert page.url.rstrip("/").endswith("/staff")
    assert page.locator(f"text={report.case.reference}").count() == 0  # another district's case

    if screenshots:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    # Filter without reloading the page (htmx): the table and the address follow the form.
    page.select_option("select[name=status]", "new")
    page.wait_for_url("**/staff/?*status=new*")
    page.wait_for_function("() => document.querySelectorAll('tr[data-status]:not([data-status=new])').length === 0")
    assert page.locator(f"tr[data-case-id='{newest.case.pk}']").count() == 1

    # Open the new case from the queue and accept it.
    page.click(f"tr[data-case-id='{newest.case.pk}'] a.wb-ref")
    page.wait_for_selector("#case-main[data-case-status='new']")
    page.click("form[data-action='accept'] button[type=submit]")
    page.wait_for_selector("#case-main[data-case-status='triaged']")
    assert page.locator("[data-status-badge].wb-status-triaged").count() == 1
    assert page.locator("form[data-action='grade']").count() == 1
    assert page.locator("form[data-action='accept']").count() == 0
    assert page.locator("[data-event='accept']").count() == 1
    newest.case.refresh_from_db()
    assert newest.case.status == "triaged"
    assert errors == []
