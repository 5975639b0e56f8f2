"""Writes for checklists: loading templates, runs and answers, one-tap hazard reports, inspections.

Every write runs in one transaction and appends an audit entry.
"""
import calendar
import datetime as dt
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.checklists import loader
from hazardwatch.checklists.models import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistRun,
    ChecklistTemplate,
    Inspection,
    InspectionInterval,
    InspectionSchedule,
    InspectionStatus,
    RunStatus,
)
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.core.files import delete_quietly

TEMPLATE_UNKNOWN = _("No checklist with this code.")
RUN_UNKNOWN = _("No checklist run with this link.")
RUN_COMPLETED = _("This checklist run is already completed; it can no longer be changed.")
UNIT_NOT_YOURS = _("You can only credit a run to a unit you belong to.")
ITEMS_UNKNOWN = _("These items are not in this checklist: {codes}.")
ANSWER_INVALID = _("Answer yes, no or not applicable (na).")
ANSWERED_CONCURRENTLY = _("These answers were just saved from elsewhere. Reload the page and try again.")
ITEM_TWICE = _("This item is answered twice in one request.")
NOTE_TOO_LONG = _("The note is longer than 500 characters.")
NO_ANSWERS = _("Give at least one answer.")
ITEMS_UNANSWERED = _("Answer every item before completing: {count} still open.")
ITEM_NOT_ANSWERED = _("Answer this item first.")
ITEM_NOT_FAILED = _("Only an item whose answer shows a hazard can be reported.")
ITEM_ALREADY_REPORTED = _("This item was already reported as case {reference}.")
ITEM_REPORTED_LOCKED = _("Item {code} was already reported as a hazard; its answer can no longer be changed.")
LOCATION_NEEDED = _("The location is needed to report this hazard: allow your phone's location and try again.")
NOT_REGULATOR = _("Only regulator staff can schedule inspections.")
UNIT_OUTSIDE = _("This unit is not in your jurisdiction.")
UNIT_UNKNOWN = _("No such unit.")
UNIT_IS_REGULATOR = _("Inspections are of enterprises, schools and communities, not of departments.")
INTERVAL_UNKNOWN = _("Choose once, weekly, monthly or quarterly.")
DATE_INVALID = _("Enter a date as YYYY-MM-DD.")
END_BEFORE_START = _("The last due date is before the first.")
DUE_IN_PAST = _("The first due date is in the past.")
INSPECTION_UNKNOWN = _("No such inspection in your jurisdiction.")
INSPECTION_DONE = _("This inspection is already done.")
SCHEDULE_INVALID = _("The inspection has errors.")

INTERVAL_MONTHS = {InspectionInterval.MONTHLY: 1, InspectionInterval.QUARTERLY: 3}


# --- templates -----------------------------------------------------------------------------------------

def templates_load(data_dir: Path = loader.DATA_DIR, actor=None) -> dict:
    """Load every template file: new codes are created, changed files add a version, the rest is unchanged.

    Raises loader.TemplateFileError (file and line) before writing anything when a file is malformed.
    """
    parsed = loader.read_all(Path(data_dir))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for entry in parsed:
            tpl = entry["template"]
            current = ChecklistTemplate.objects.select_for_update().filter(code=tpl["code"], is_current=True).first()
            if current is not None and current.fingerprint == entry["fingerprint"]:
                counts["unchanged"] += 1
                continue
            last = ChecklistTemplate.objects.filter(code=tpl["code"]).aggregate(v=Max("version"))["v"] or 0
            ChecklistTemplate.objects.filter(code=tpl["code"], is_current=True).update(is_current=False)
            template = ChecklistTemplate.objects.create(
                version=last + 1, is_current=True, fingerprint=entry["fingerprint"],
                source_file=Path(entry["path"]).name, **tpl)
            ChecklistItem.objects.bulk_create([
                ChecklistItem(template=template, position=pos, **{k: v for k, v in item.items() if k != "line"})
                for pos, item in enumerate(entry["items"])
            ])
            counts["updated" if last else "created"] += 1
        audit_append(actor=actor, action="checklists.templates_load", obj_type="checklist_template", obj_id="*",
                     payload=counts)
    return counts


def template_current(code: str) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(code=str(code or "")[:60], is_current=True).first()
    if template is None:
        raise NotFound(TEMPLATE_UNKNOWN)
    return template


# --- runs ----------------------------------------------------------------------------------------------

def _user(user):
    return user if user is not None and user.is_authenticated else None


def run_start(*, user, template_code: str, unit_id=None) -> ChecklistRun:
    """Start a run of the current version. Signed-in unit staff are credited to their unit."""
    template = template_current(template_code)
    user = _user(user)
    unit = None
    if user is not None:
        units = jurisdiction_for_user(user).unit_org_ids
        if unit_id not in (None, ""):
            try:
                unit_id = int(unit_id)
            except (TypeError, ValueError):
                raise PermissionDenied(UNIT_NOT_YOURS) from None
            if unit_id not in units:
                raise PermissionDenied(UNIT_NOT_YOURS)
            unit = Organization.objects.get(pk=unit_id)
        elif units:
            unit = Organization.objects.get(pk=min(units))
    elif unit_id not in (None, ""):
        raise PermissionDenied(UNIT_NOT_YOURS)
    with transaction.atomic():
        run = ChecklistRun.objects.create(template=template, user=user, unit=unit)
        audit_append(actor=user, action="checklists.run_start", obj_type="checklist_run", obj_id=run.pk,
                     payload={"template": template.code, "version": template.version, "unit": unit and unit.pk})
    return run


def run_get(*, token: str, user) -> ChecklistRun:
    """The run behind a link. A signed-in person's run opens only for them (anonymous runs: the link is the key)."""
    run = (ChecklistRun.objects.select_related("template", "unit", "inspection", "user")
           .filter(token=str(token or "")[:32]).first())
    if run is None:
        raise NotFound(RUN_UNKNOWN)
    if run.user_id is not None:
        u = _user(user)
        if u is None or (u.pk != run.user_id and not jurisdiction_for_user(u).is_admin):
            raise NotFound(RUN_UNKNOWN)
    return run


def run_answer(*, run: ChecklistRun, user, answers: list[dict]) -> list[ChecklistAnswer]:
    """Save answers ({"item", "answer", "note", "photo"}); all or nothing. Items not in the template → 400."""
    if run.status == RunStatus.COMPLETED:
        raise Conflict(RUN_COMPLETED)
    if not answers:
        raise ApplicationError(NO_ANSWERS, {"fields": {"answers": [str(NO_ANSWERS)]}})
    items = {i.code: i for i in run.template.items.all()}
    unknown = [str(a.get("item")) for a in answers if str(a.get("item") or "") not in items]
    if unknown:
        message = ITEMS_UNKNOWN.format(codes=", ".join(unknown[:20]))
        raise ApplicationError(message, {"fields": {"answers": [message]}, "unknown_items": unknown[:50]})
    from hazardwatch.reports.images import ImageRejected, check_clean_image

    errors: dict[str, list[str]] = {}
    clean = []
    seen: set[str] = set()
    for a in answers:
        code = str(a["item"])
        if code in seen:
            errors.setdefault(code, []).append(str(ITEM_TWICE))
            continue
        seen.add(code)
        value = str(a.get("answer") or "").strip().lower()
        if value not in Answer.values:
            errors.setdefault(code, []).append(str(ANSWER_INVALID))
            continue
        note = str(a.get("note") or "").strip()
        if len(note) > 500:
            errors.setdefault(code, []).append(str(NOTE_TOO_LONG))
        image = None
        if a.get("photo"):
            try:
                image = check_clean_image(a["photo"])  # re-encoded: no GPS of a family's home
            except ImageRejected as exc:
                errors.setdefault(code, []).append(str(exc))
        clean.append((items[code], value, note, image))
    if errors:
        raise ApplicationError(gettext("The answers have errors."), {"fields": errors})
    existing = {a.item_id: a for a in run.answers.all()}
    written, saved = [], []
    try:
        with transaction.atomic():
            for item, value, note, image in clean:
                row = existing.get(item.pk) or ChecklistAnswer(run=run, item=item)
                if row.report_id and value != row.answer:
                    raise Conflict(ITEM_REPORTED_LOCKED.format(code=item.code))
                row.answer, row.note = value, note
                if image is not None:
                    old = row.photo if row.photo else None
                    row.photo.save(f"a.{image.extension}", ContentFile(image.data), save=False)
                    row.photo_content_type = image.content_type
                    written.append(row.photo)
                    if old:
                        transaction.on_commit(lambda f=old: delete_quietly([f]))
                row.save()
                saved.append(row)
            audit_append(actor=_user(user), action="checklists.run_answer", obj_type="checklist_run", obj_id=run.pk,
                         payload={"items": [s.item.code for s in saved]})
    except IntegrityError:  # the same item answered at the same moment from another tab
        delete_quietly(written)
        raise Conflict(ANSWERED_CONCURRENTLY) from None
    except Exception:
        delete_quietly(written)
        raise
    return saved


def run_complete(*, run: ChecklistRun, user) -> ChecklistRun:
    if run.status == RunStatus.COMPLETED:
        raise Conflict(RUN_COMPLETED)
    answered = set(run.answers.values_list("item_id", flat=True))
    missing = [i.code for i in run.template.items.all() if i.pk not in answered]
    if missing:
        message = ITEMS_UNANSWERED.format(count=len(missing))
        raise ApplicationError(message, {"fields": {"answers": [message]}, "unanswered_items": missing})
    now = timezone.now()
    with transaction.atomic():
        run = ChecklistRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.COMPLETED:
            raise Conflict(RUN_COMPLETED)
        run.status, run.completed_at = RunStatus.COMPLETED, now
        run.save(update_fields=["status", "completed_at"])
        if run.inspection_id:
            insp = Inspection.objects.select_for_update().get(pk=run.inspection_id)
            insp.is_late = timezone.localdate(now) > insp.due_date
            insp.status, insp.done_at = InspectionStatus.DONE, now
            insp.save(update_fields=["status", "done_at", "is_late"])
        audit_append(actor=_user(user), action="checklists.run_complete", obj_type="checklist_run", obj_id=run.pk,
                     payload={"failed": run_failed_count(run), "inspection": run.inspection_id})
    return run


def run_failed_count(run: ChecklistRun) -> int:
    return sum(1 for a in run.answers.select_related("item") if a.is_failed)


def _description(run: ChecklistRun, item: ChecklistItem, note: str) -> str:
    parts = [f"{run.template.title}: {item.text}"]
    answer = gettext("Answer: {answer}.").format(answer=Answer(_answer_of(run, item)).label)
    parts.append(answer)
    if note:
        parts.append(note)
    if item.criterion:
        parts.append(gettext("Checklist item refers to criteria item {ref}.").format(ref=item.criterion))
    if run.unit is not None:
        parts.append(gettext("Unit: {name}.").format(name=run.unit.name))
    from django.conf import settings

    return " ".join(parts)[:settings.HAZARDWATCH_DESCRIPTION_MAX]


def _answer_of(run, item) -> str:
    return run.answers.get(item=item).answer


def answer_report(*, run: ChecklistRun, user, item_code: str, lat=None, lon=None, crs: str = "wgs84",
                  source: str = "web") -> tuple[ChecklistAnswer, str]:
    """Turn a failed item into a hazard report through the public intake (routing, receipt, audit all apply).

    The location is the unit's when it has one, else the phone's (lat/lon). The item's photo is attached.
    Returns the answer (with its report and case reference) and the receipt code (shown once).
    """
    from hazardwatch.reports.choices import ReportSource
    from hazardwatch.reports.services import ReportInput, report_submit

    item = run.template.items.filter(code=str(item_code or "")[:40]).first()
    if item is None:
        message = ITEMS_UNKNOWN.format(codes=str(item_code)[:40])
        raise ApplicationError(message, {"fields": {"item": [message]}})
    answer = run.answers.select_related("item").filter(item=item).first()
    if answer is None:
        raise ApplicationError(ITEM_NOT_ANSWERED, {"fields": {"item": [str(ITEM_NOT_ANSWERED)]}})
    if not answer.is_failed:
        raise ApplicationError(ITEM_NOT_FAILED, {"fields": {"item": [str(ITEM_NOT_FAILED)]}})
    if answer.report_id or answer.case_reference:
        raise Conflict(ITEM_ALREADY_REPORTED.format(reference=answer.case_reference or "?"))
    unit = run.unit
    if unit is not None and unit.lat is not None and unit.lon is not None:
        lat, lon, crs = unit.lat, unit.lon, "wgs84"
    elif lat in (None, "") or lon in (None, ""):
        raise ApplicationError(LOCATION_NEEDED, {"fields": {"location": [str(LOCATION_NEEDED)]}})
    photos = []
    if answer.photo:
        with answer.photo.open("rb") as fh:
            data = fh.read()
        photos.append(ContentFile(data, name=Path(answer.photo.name).name))
    if run.inspection_id:
        source = ReportSource.STAFF
    data = ReportInput(
        description=_description(run, item, answer.note), latitude=lat, longitude=lon, crs=crs or "wgs84",
        category=item.category, place_type=item.place_type, address=(unit.address if unit else "")[:300],
        source=source, photos=photos, sector=item.sector or "",
        # The hazard is at the unit that ran the checklist (or was inspected): it is the reported unit.
        reported_unit=unit if unit is not None and unit.kind != OrganizationKind.REGULATOR else None,
    )
    with transaction.atomic():
        locked = ChecklistAnswer.objects.select_for_update().get(pk=answer.pk)
        if locked.report_id or locked.case_reference:
            raise Conflict(ITEM_ALREADY_REPORTED.format(reference=locked.case_reference or "?"))
        report, receipt = report_submit(data, limit_reporter=_user(user) is None)
        reference = report.case.reference if report.case_id else ""
        locked.report, locked.case_reference, locked.reported_at = report, reference, timezone.now()
        locked.save(update_fields=["report", "case_reference", "reported_at"])
        audit_append(actor=_user(user), action="checklists.item_report", obj_type="checklist_run", obj_id=run.pk,
                     payload={"item": item.code, "report": report.pk, "case": reference, "criterion": item.criterion,
                              "sector": item.sector, "unit": unit and unit.pk})
    return locked, receipt


# --- inspections ---------------------------------------------------------------------------------------

def _parse_date(value, field, errors) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.setdefault(field, []).append(str(DATE_INVALID))
        return None


def _regulator_for(user, unit: Organization) -> Organization:
    j = jurisdiction_for_user(user)
    regs = Organization.objects.filter(pk__in=j.regulator_org_ids, kind=OrganizationKind.REGULATOR)
    regs = regs.select_related("region")
    for reg in regs:
        if unit.region.path.startswith(reg.region.path):
            return reg
    if j.is_admin and regs:
        return regs[0]
    if j.is_admin:
        reg = Organization.objects.filter(kind=OrganizationKind.REGULATOR).first()
        if reg is not None:
            return reg
    raise PermissionDenied(UNIT_OUTSIDE if j.is_regulator else NOT_REGULATOR)


def unit_in_jurisdiction(user, unit: Organization) -> bool:
    j = jurisdiction_for_user(user)
    return j.is_admin or any(unit.region.path.startswith(p) for p, _s in j.areas)


def add_interval(start: dt.date, interval: str, n: int) -> dt.date:
    if interval == InspectionInterval.WEEKLY:
        return start + dt.timedelta(weeks=n)
    months = INTERVAL_MONTHS[interval] * n
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def inspection_schedule(*, actor, data: dict, today: dt.date | None = None):
    """Schedule a one-off inspection or a recurring schedule of a unit with a template. Returns (schedule, first)."""
    j = jurisdiction_for_user(actor)
    if not (j.is_regulator or j.is_admin):
        raise PermissionDenied(NOT_REGULATOR)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    unit = None
    try:
        unit = Organization.objects.select_related("region").get(pk=int(data.get("unit_id")))
    except (TypeError, ValueError, Organization.DoesNotExist):
        errors.setdefault("unit_id", []).append(str(UNIT_UNKNOWN))
    template = ChecklistTemplate.objects.filter(code=str(data.get("template") or "")[:60], is_current=True).first()
    if template is None:
        errors.setdefault("template", []).append(str(TEMPLATE_UNKNOWN))
    interval = str(data.get("interval") or "once")
    if interval != "once" and interval not in InspectionInterval.values:
        errors.setdefault("interval", []).append(str(INTERVAL_UNKNOWN))
    due = _parse_date(data.get("due_date"), "due_date", errors)
    if due is not None and due < today:
        errors.setdefault("due_date", []).append(str(DUE_IN_PAST))
    end = None
    if data.get("end_date") not in (None, ""):
        end = _parse_date(data.get("end_date"), "end_date", errors)
        if end is not None and due is not None and end < due:
            errors.setdefault("end_date", []).append(str(END_BEFORE_START))
    if errors:
        raise ApplicationError(SCHEDULE_INVALID, {"fields": errors})
    if unit.kind == OrganizationKind.REGULATOR:
        raise ApplicationError(UNIT_IS_REGULATOR, {"fields": {"unit_id": [str(UNIT_IS_REGULATOR)]}})
    if not unit_in_jurisdiction(actor, unit):
        raise PermissionDenied(UNIT_OUTSIDE)
    regulator = _regulator_for(actor, unit)
    announced = data.get("announced", True) not in (False, "false", "0", "", None, "off")
    with transaction.atomic():
        schedule = None
        if interval == "once":
            first = Inspection.objects.create(regulator=regulator, unit=unit, template=template, due_date=due,
                                              announced=announced, created_by=actor)
        else:
            schedule = InspectionSchedule.objects.create(
                regulator=regulator, unit=unit, template_code=template.code, interval=interval, start_date=due,
                end_date=end, announced=announced, created_by=actor)
            _generate(schedule, today)
            first = schedule.occurrences.order_by("due_date").first()
        audit_append(actor=actor, action="checklists.inspection_schedule", obj_type="inspection",
                     obj_id=first.pk, payload={"unit": unit.pk, "template": template.code, "interval": interval,
                                               "due_date": due.isoformat(), "announced": announced,
                                               "schedule": schedule and schedule.pk})
    return schedule, first


def _generate(schedule: InspectionSchedule, today: dt.date) -> int:
    """Occurrences due up to today, plus the next one ahead. get_or_create keeps it idempotent."""
    template = ChecklistTemplate.objects.filter(code=schedule.template_code, is_current=True).first()
    if template is None:
        return 0
    created = 0
    n = 0
    while n < 1000:
        due = add_interval(schedule.start_date, schedule.interval, n)
        if schedule.end_date and due > schedule.end_date:
            break
        _obj, made = Inspection.objects.get_or_create(
            schedule=schedule, due_date=due,
            defaults={"regulator": schedule.regulator, "unit": schedule.unit, "template": template,
                      "announced": schedule.announced, "created_by": schedule.created_by})
        created += int(made)
        if due > today:
            break
        n += 1
    return created


def inspections_periodic(today: dt.date | None = None) -> dict:
    """Create next occurrences of active schedules and mark overdue inspections missed. Safe to run any time."""
    today = today or timezone.localdate()
    created = 0
    with transaction.atomic():
        for schedule in InspectionSchedule.objects.filter(is_active=True).select_related("regulator", "unit"):
            created += _generate(schedule, today)
        missed_ids = list(Inspection.objects.filter(status=InspectionStatus.DUE, due_date__lt=today)
                          .values_list("pk", flat=True))
        if missed_ids:
            Inspection.objects.filter(pk__in=missed_ids).update(status=InspectionStatus.MISSED,
                                                                missed_at=timezone.now())
        if created or missed_ids:
            audit_append(actor=None, action="checklists.inspections_periodic", obj_type="inspection", obj_id="*",
                         payload={"created": created, "missed": len(missed_ids)})
    return {"created": created, "missed": len(missed_ids)}


def inspection_start(*, actor, inspection_id) -> ChecklistRun:
    """The inspector starts (or resumes) the inspection's run, credited to the inspected unit."""
    j = jurisdiction_for_user(actor)
    insp = Inspection.objects.select_related("unit__region", "template").filter(pk=inspection_id).first()
    if insp is None or not (j.is_admin or (j.is_regulator and unit_in_jurisdiction(actor, insp.unit))):
        raise NotFound(INSPECTION_UNKNOWN)
    if insp.status == InspectionStatus.DONE:
        raise Conflict(INSPECTION_DONE)
    with transaction.atomic():
        existing = ChecklistRun.objects.filter(inspection=insp).first()
        if existing is not None:
            if existing.user_id != actor.pk:
                existing.user = actor
                existing.save(update_fields=["user"])
            return existing
        run = ChecklistRun.objects.create(template=insp.template, user=actor, unit=insp.unit, inspection=insp)
        audit_append(actor=actor, action="checklists.inspection_start", obj_type="inspection", obj_id=insp.pk,
                     payload={"run": run.pk})
    return run
