"""Demo scenes of public trust (issue #5): a reporter flagged for untrue reports, reports that followed an
existing case, a merge undone, and honeypot hits. ("Was it fixed?" answers are played in the history itself,
see `Seeder._case_steps`; this module names one case still open to the question.)

Called from `demo.seed` after the history has been played and the rewards seeded, on the real clock, through
the same services as the site (`report_submit`, `case_transition`, `report_fix_feedback`), so everything is
validated and audited. Every scene is skipped (and counted as 0) when the city is too small for it.
"""
import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from hazardwatch.accounts.models import Membership, Role, User
from hazardwatch.cases import services as case_services
from hazardwatch.cases.choices import CaseStatus, RejectCode
from hazardwatch.cases.duplicates import duplicate_candidates
from hazardwatch.cases.models import Case
from hazardwatch.core.errors import ApplicationError
from hazardwatch.reports import services as report_services
from hazardwatch.reports.models import IntakeCounter
from hazardwatch.reports.services import ReportInput

FIXED_YES = ["已经整改好了，通道畅通。", "现场看过，问题解决了，谢谢。", "", "灭火器已经换新，谢谢处理。"]
UNTRUE_REPORTS = [  # one person, the same phone, reports that the departments found to be false
    ("escape_route", "shop", "商场所有安全出口全部锁死，里面几百人，马上要出大事！！"),
    ("fire_equipment", "shop", "这家店的灭火器全是空的，消防栓也没有水，必须马上罚款。"),
    ("escape_route", "residential", "小区所有楼道都被电动车堵死了，物业收钱不办事。"),
    ("fire_equipment", "restaurant", "饭店后厨消防设施全部损坏，举报要求奖励。"),
]
UNTRUE_REASON = "经现场核查，所反映情况不存在，安全出口和消防设施均完好，系不实举报。"
FOLLOW_TEXT = "我也看到了这个问题，和已有的举报是同一处，情况还没有改善。"
UNMERGE_NOTE = "经复核，两起举报分别是同一楼宇不同楼层的问题，撤销合并，分别办理。"


def _regulator_user(case: Case) -> User | None:
    m = (Membership.objects.filter(organization_id=case.regulator_id,
                                   role__in=[Role.REGULATOR_STAFF, Role.REGULATOR_LEADER])
         .select_related("user").order_by("role", "user_id").first())
    return m.user if m is not None else None


def _try_it(receipts: dict[int, str], log) -> dict:
    """Name one closed, unanswered case still within the feedback window, for a visitor to try on /status/.

    The answers themselves are part of the played history (`Seeder`: "yes" after some closures, "no" for the
    cases the reporter disputed).
    """
    from hazardwatch.reports.models import FixFeedback

    window = dt.timedelta(days=settings.HAZARDWATCH_FEEDBACK_WINDOW_DAYS)
    answered = set(FixFeedback.objects.values_list("case_id", flat=True))
    case = (Case.objects.filter(pk__in=list(receipts), status=CaseStatus.CLOSED,
                                closed_at__gte=timezone.now() - window)
            .exclude(pk__in=answered).order_by("-closed_at").first())
    if case is not None:
        log(f'Try "was it fixed?" on /status/ with receipt code {receipts[case.pk]} (case {case.reference}).')
    return {}


def _untrue_reporter(rng: random.Random, log) -> dict:
    """One reporter (one phone) with four reports, three rejected as untrue: flagged for review."""
    places = list(Case.objects.filter(lat__isnull=False, region_path__contains="/410105/")
                  .order_by("pk").values_list("lat", "lon")[:40])
    if len(places) < len(UNTRUE_REPORTS):
        return {"untrue_reports": 0}
    phone = "13700" + "".join(str(rng.randrange(10)) for _ in range(6))
    rejected = 0
    for i, (category, place_type, text) in enumerate(UNTRUE_REPORTS):
        lat, lon = places[rng.randrange(len(places))]
        lat += rng.uniform(-0.004, 0.004)  # a few hundred metres away from any real case
        lon += rng.uniform(-0.004, 0.004)
        try:
            report, _ = report_services.report_submit(ReportInput(
                description=text, latitude=round(lat, 6), longitude=round(lon, 6), crs="wgs84", category=category,
                place_type=place_type, contact_name="张先生", contact_phone=phone))
        except ApplicationError as exc:
            log(f"demo untrue report skipped: {exc} {exc.extra}")
            continue
        if i == len(UNTRUE_REPORTS) - 1:
            continue  # the newest one is still waiting: the flag shows on its case page
        staff = _regulator_user(report.case)
        if staff is None:
            continue
        try:
            case_services.case_transition(case_id=report.case_id, action="reject", actor=staff,
                                          data={"reason": UNTRUE_REASON, "reason_code": RejectCode.UNTRUE})
            rejected += 1
        except ApplicationError as exc:
            log(f"demo untrue rejection skipped: {exc}")
    return {"untrue_reports": rejected}


def _followed(rng: random.Random, log, wanted: int = 3) -> dict:
    """New reports that followed an open case shown as a likely duplicate, instead of opening a case."""
    window = dt.timedelta(days=settings.HAZARDWATCH_DUPLICATE_WINDOW_DAYS)
    recent = (Case.objects.open().filter(created_at__gte=timezone.now() - window, lat__isnull=False)
              .exclude(category="").order_by("-created_at", "pk")[:40])
    done = 0
    for case in recent:
        if done >= wanted:
            break
        lat, lon = case.lat + rng.uniform(-0.0002, 0.0002), case.lon + rng.uniform(-0.0002, 0.0002)
        if case.pk not in {c.case.pk for c in duplicate_candidates(lat=lat, lon=lon, category=case.category)}:
            continue
        try:
            report_services.report_submit(ReportInput(
                description=FOLLOW_TEXT, latitude=round(lat, 6), longitude=round(lon, 6), crs="wgs84",
                category=case.category, address=case.address, follow_reference=case.reference))
        except ApplicationError as exc:
            log(f"demo follow of {case.reference} skipped: {exc}")
            continue
        done += 1
    return {"followed_reports": done}


def _unmerge_one(log) -> dict:
    """Undo one merge (the demo keeps at least one other merged case)."""
    merged = list(Case.objects.filter(status=CaseStatus.MERGED, merged_into__isnull=False).order_by("-pk")[:10])
    if len(merged) < 2:
        return {"unmerged": 0}
    for case in merged:
        staff = _regulator_user(case)
        if staff is None:
            continue
        try:
            case_services.case_transition(case_id=case.pk, action="unmerge", actor=staff, data={"note": UNMERGE_NOTE})
        except ApplicationError as exc:
            log(f"demo unmerge of {case.reference} skipped: {exc}")
            continue
        return {"unmerged": 1}
    return {"unmerged": 0}


def _honeypot(rng: random.Random) -> dict:
    """Robots caught by the report form's hidden field over the last two weeks (counts only)."""
    today = timezone.localdate()
    total = 0
    for back in range(14):
        n = rng.choice([0, 0, 1, 2, 3, 5])
        if back == 0:
            n = max(n, 1)
        if n:
            IntakeCounter.objects.update_or_create(day=today - dt.timedelta(days=back), name="honeypot",
                                                   defaults={"count": n})
            total += n
    return {"honeypot_hits": total}


def seed_trust(*, receipts: dict[int, str], rng_seed: int, log=print) -> dict:
    rng = random.Random(rng_seed + 5)
    result = {}
    result.update(_try_it(receipts, log))
    result.update(_untrue_reporter(rng, log))
    result.update(_followed(rng, log))
    result.update(_unmerge_one(log))
    result.update(_honeypot(rng))
    log("Public trust: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return result
