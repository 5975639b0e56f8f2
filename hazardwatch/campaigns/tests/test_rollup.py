"""Platform figures for a unit and period, and the roll-up up the region tree against a hand-made example."""
import datetime as dt
import io

import pytest
from django.utils import timezone

from hazardwatch.campaigns import selectors
from hazardwatch.campaigns.models import Campaign
from hazardwatch.campaigns.tests.conftest import API, post, put, unit_url

pytestmark = pytest.mark.django_db


def _case(ref, unit=None, *, created, closed=None, region="410105"):
    from hazardwatch.cases.models import Case
    from hazardwatch.places.models import Division

    division = Division.objects.get(code=region)
    case = Case.objects.create(reference=ref, status="closed" if closed else "rectifying", sector="industry_trade",
                               title="安全出口堵塞", description="安全出口堵塞", region=division,
                               region_path=division.path, responsible_unit=unit, closed_at=closed)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    return case


def _at(day: dt.date, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_hazards_found_and_fixed_for_a_unit_over_the_campaign_period(cw):
    from hazardwatch.reports.models import Report

    start, end = cw.campaign.starts_on, cw.campaign.ends_on
    e = cw.enterprise
    _case("HW1", e, created=_at(start), closed=_at(start + dt.timedelta(days=3)))  # found + fixed
    _case("HW2", e, created=_at(start + dt.timedelta(days=1)))  # found
    _case("HW3", e, created=_at(start - dt.timedelta(days=5)), closed=_at(start + dt.timedelta(days=2)))  # fixed
    _case("HW4", e, created=_at(start - dt.timedelta(days=1), 23))  # before the period: nothing
    _case("HW5", e, created=_at(end + dt.timedelta(days=1), 0))  # after the period: nothing
    about = _case("HW6", None, created=_at(start + dt.timedelta(days=2)))  # reported about the unit: found
    Report.objects.create(receipt_hash="a" * 64, submitted_at=_at(start), description="d", reported_unit=e,
                          case=about)
    Report.objects.create(receipt_hash="b" * 64, submitted_at=_at(start), description="d", reported_unit=e,
                          case=about)  # a second report on the same case counts once
    _case("HW7", cw.other, created=_at(start + dt.timedelta(days=1)))  # another unit
    figures = selectors.unit_platform_figures(cw.campaign, [e.pk])
    assert figures["hazards_found"] == 3
    assert figures["hazards_fixed"] == 2
    # the other apps' figures come through the contract functions (None while a provider is missing)
    for key, (module, name, field) in selectors.CONTRACT.items():
        fn = selectors._provider(module, name)
        expected = None if fn is None else int(fn([e.pk], start, end)[field])
        assert figures[key] == expected, key


def _file(client, cw, user, unit, body):
    client.force_login(user)
    r = post(client, unit_url(cw, unit, "/summary"), body)
    assert r.status_code == 201, r.content
    return r


def _activity(client, cw, user, unit, kind, participants, days_ago=2):
    client.force_login(user)
    r = post(client, unit_url(cw, unit, "/activities"), {
        "kind": kind, "held_on": str(cw.today - dt.timedelta(days=days_ago)), "place": "会议室",
        "participants": participants})
    assert r.status_code == 201, r.content


@pytest.fixture
def example(client, cw):
    """Enterprise E (Jinshui), school S (a Jinshui township), other enterprise O (Erqi); community not included.

    E: lecture 30 + drill 50, files on time with its own figures. S: training 40, files late with defaults.
    O: nothing.
    """
    _activity(client, cw, cw.city.officer_liu, cw.enterprise, "lecture", 30)
    _activity(client, cw, cw.city.officer_liu, cw.enterprise, "drill", 50)
    _activity(client, cw, cw.teacher_ma, cw.school, "training", 40)
    _file(client, cw, cw.city.officer_liu, cw.enterprise, {"narrative": "按时", "figures": {
        "hazards_found": 2, "hazards_fixed": 1, "checklists_run": 4, "quiz_takers": 12, "drills": 1}})
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1))
    _file(client, cw, cw.teacher_ma, cw.school, {"narrative": "迟交", "figures": {
        "hazards_found": 5, "hazards_fixed": 3, "checklists_run": 0, "quiz_takers": 300, "drills": 2}})
    return cw


EXPECTED = {
    # code: units, submitted, late, lecture, drill, training, participants, found, fixed, checklists, quiz, drills
    "410100": (3, 2, 1, 1, 1, 1, 120, 7, 4, 4, 312, 3),
    "410105": (2, 2, 1, 1, 1, 1, 120, 7, 4, 4, 312, 3),
    "410105002": (1, 1, 1, 0, 0, 1, 40, 5, 3, 0, 300, 2),
    "410103": (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}
KEYS = ("units", "submitted", "late", "lecture", "drill", "training", "participants", "hazards_found",
        "hazards_fixed", "checklists_run", "quiz_takers", "drills")


def test_rollup_matches_the_hand_made_example_over_three_levels(client, example):
    client.force_login(example.office_wu)
    rows = client.get(f"{API}/{example.campaign.pk}/rollup").json()
    assert [r["code"] for r in rows] == ["410100", "410103", "410105", "410105002"]  # tree order
    assert [r["depth"] for r in rows] == [0, 1, 1, 2]
    for row in rows:
        assert tuple(row[k] for k in KEYS) == EXPECTED[row["code"]], row["code"]
        assert row["activities"] == row["lecture"] + row["drill"] + row["training"]
        assert row["consultation"] == row["contest"] == row["other"] == 0


def test_excel_export_holds_the_rollup(client, example):
    from openpyxl import load_workbook

    client.cookies["django_language"] = "en"
    client.force_login(example.office_wu)
    for url in (f"{API}/{example.campaign.pk}/rollup.xlsx", f"/staff/campaigns/{example.campaign.pk}/rollup.xlsx"):
        r = client.get(url)
        assert r.status_code == 200
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(r.content))
        ws = wb.worksheets[0]
        assert ws["A1"].value == "2026年安全生产月"
        header = [c.value for c in ws[3]]
        assert header[:4] == ["Region", "Units", "Summaries filed", "Filed late"]
        data = {row[0].strip("\u3000"): row for row in ws.iter_rows(min_row=4, values_only=True)}
        city = data["Zhengzhou"]
        assert city[1:4] == (3, 2, 1)
        assert city[header.index("Participants")] == 120 and city[header.index("Quiz takers")] == 312
        assert data["Erqi District"][1:3] == (1, 0)
        units = {row[0]: row for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
        assert units["花园路小学"][3] == "late" and units["另一家公司"][3] == "missing"


def _inflate(pdf: bytes) -> bytes:
    """The PDF with every Flate stream decompressed (no PDF text library is installed)."""
    import re
    import zlib

    out = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[m.end():]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_pdf_export_is_produced_with_cjk_fonts(client, example):
    client.force_login(example.office_wu)
    r = client.get(f"/staff/campaigns/{example.campaign.pk}/rollup.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    inflated = _inflate(pdf)
    assert b"NotoSansCJK" in inflated  # the Chinese text was set in the CJK font
    # the ToUnicode maps carry the characters drawn (郑 of the region 郑州市, 花园 of the school's name)
    for ch in "郑花园":
        assert f"<{ord(ch):04X}>".encode() in inflated.upper(), ch
    assert client.get(f"{API}/{example.campaign.pk}/rollup.pdf").content.startswith(b"%PDF")
    client.force_login(example.city.officer_liu)
    assert client.get(f"/staff/campaigns/{example.campaign.pk}/rollup.pdf").status_code == 403


def test_liaison_registered_after_its_deadline_is_marked_late(client, cw):
    Campaign.objects.filter(pk=cw.campaign.pk).update(liaison_due=cw.today - dt.timedelta(days=1))
    client.force_login(cw.teacher_ma)
    r = put(client, unit_url(cw, cw.school, "/liaison"), {"name": "马", "position": "安全员", "phone": "13900139000"})
    assert r.status_code == 200 and r.json()["late"] is True


def test_drills_and_quiz_takers_flow_into_the_summary_prefill(client, cw):
    """Rows made in the drills and quizzes apps reach the unit's pre-filled summary through the contract."""
    from hazardwatch.drills.models import Drill
    from hazardwatch.quizzes.models import Attempt, TakerProfile

    e, region = cw.enterprise, cw.enterprise.region
    in_period = _at(cw.today - dt.timedelta(days=3))
    for when, status in ((in_period, "recorded"), (in_period, "planned"),
                         (_at(cw.campaign.starts_on - dt.timedelta(days=2)), "recorded")):
        Drill.objects.create(organization=e, region_path=region.path, kind="evacuation", title="疏散演练",
                             scenario="仓库起火", scheduled_at=when, place="仓库", planned_minutes=30,
                             planned_participants=50, status=status,
                             started_at=when if status == "recorded" else None,
                             participants=48 if status == "recorded" else None)
    takers = [TakerProfile.objects.create(token=f"t{i}", region=region, unit=e) for i in range(2)]
    for i, (taker, day) in enumerate([(takers[0], cw.today), (takers[0], cw.today - dt.timedelta(days=1)),
                                      (takers[1], cw.today), (takers[1], cw.campaign.starts_on - dt.timedelta(1))]):
        Attempt.objects.create(token=f"a{i}", taker=taker, day=day, region=region, unit=e,
                               started_at=_at(day), deadline_at=_at(day, 11))
    client.force_login(cw.city.officer_liu)
    prefill = client.get(unit_url(cw, e)).json()["prefill"]
    assert prefill["drills"] == 1 and prefill["quiz_takers"] == 2 and prefill["checklists_run"] == 0
    r = post(client, unit_url(cw, e, "/summary"), {"narrative": "按平台数据报送"})
    assert r.json()["figures"]["drills"] == 1 and r.json()["figures"]["quiz_takers"] == 2
