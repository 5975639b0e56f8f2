"""Demo checklists: templates loaded, self-inspections by officer_liu's unit (one failed item reported as a
hazard) and grid_zhou's community (in progress), and inspector_li's monthly inspections of officer_liu's unit
with one missed and one done late, plus an unannounced one coming up."""
import datetime as dt

from django.utils import timezone

from hazardwatch.accounts.models import Membership, OrganizationKind, Role, User
from hazardwatch.checklists import services
from hazardwatch.checklists.models import ChecklistRun, Inspection, InspectionSchedule, RunStatus


def _answers(run, hazards=(), upto=None):
    rows = []
    for item in list(run.template.items.all())[:upto]:
        safe = "yes" if item.hazard_answer == "no" else "no"
        rows.append({"item": item.code, "answer": item.hazard_answer if item.code in hazards else safe,
                     "note": "现场检查发现" if item.code in hazards else ""})
    services.run_answer(run=run, user=run.user, answers=rows)


def _unit_of(username, kind):
    m = (Membership.objects.filter(user__username=username, organization__kind=kind)
         .select_related("user", "organization__region").first())
    return (m.user, m.organization) if m else (None, None)


def seed_checklists(*, log=print) -> dict:
    counts = services.templates_load()
    if ChecklistRun.objects.exists():
        return {"checklist_runs": ChecklistRun.objects.count()}
    stats = {"checklist_templates": counts["created"] + counts["updated"] + counts["unchanged"]}
    officer, unit = _unit_of("officer_liu", OrganizationKind.ENTERPRISE)
    if officer is not None:
        run = services.run_start(user=officer, template_code="enterprise", unit_id=unit.pk)
        _answers(run, hazards={"exits-locked", "ebike-indoor"})
        lat, lon = (unit.lat, unit.lon) if unit.lat is not None else (34.7795, 113.6830)
        try:
            services.answer_report(run=run, user=officer, item_code="exits-locked", lat=lat, lon=lon)
        except Exception as exc:  # noqa: BLE001 - a demo without a located unit still gets its runs
            log(f"checklists demo: report skipped ({exc})")
        services.run_complete(run=run, user=officer)
        stats["checklist_runs"] = 1
    grid, community = _unit_of("grid_zhou", OrganizationKind.COMMUNITY)
    if grid is not None:
        run = services.run_start(user=grid, template_code="community", unit_id=community.pk)
        _answers(run, hazards={"ebike-corridor"}, upto=5)  # saved half-way: resume on /checklists/
        stats["checklist_runs"] = stats.get("checklist_runs", 0) + 1
    inspector = User.objects.filter(username="inspector_li").first()
    reg = (Membership.objects.filter(user=inspector, role__in=[Role.REGULATOR_STAFF, Role.REGULATOR_LEADER])
           .select_related("organization").first()) if inspector else None
    if reg is not None and unit is not None and unit.region.path.startswith(reg.organization.region.path):
        today = timezone.localdate()
        schedule = InspectionSchedule.objects.create(
            regulator=reg.organization, unit=unit, template_code="enterprise-industry-trade", interval="monthly",
            start_date=today - dt.timedelta(days=75), announced=True, created_by=inspector)
        services.inspections_periodic(today)  # two past occurrences become missed, the next one is due
        late = schedule.occurrences.filter(status="missed").order_by("-due_date").first()
        if late is not None:
            run = services.inspection_start(actor=inspector, inspection_id=late.pk)
            _answers(run, hazards={"confined-ledger"})
            services.run_complete(run=run, user=inspector)
        services.inspection_schedule(actor=inspector, data={
            "unit_id": unit.pk, "template": "enterprise", "interval": "once", "announced": False,
            "due_date": (today + dt.timedelta(days=10)).isoformat()})
        stats["inspections"] = Inspection.objects.count()
    stats["checklist_runs_completed"] = ChecklistRun.objects.filter(status=RunStatus.COMPLETED).count()
    log(f"Checklists: {stats}")
    return stats
