"""Every write to drills: plan, edit, start, record, cancel, observe, photos, issues → hazard reports.

Each service validates everything first (one ApplicationError listing the field problems), then writes in one
transaction with an audit entry, so a rejected request changes nothing.
"""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.core.files import delete_quietly
from hazardwatch.drills.choices import DrillAction, DrillKind, DrillStatus
from hazardwatch.drills.models import Drill, DrillIssue, DrillObservation, DrillPhoto
from hazardwatch.drills.transitions import EDITABLE, NOTES_ALLOWED, TRANSITIONS
from hazardwatch.reports.images import ImageRejected, check_clean_image

INVALID = _("The drill has errors. Please correct them and try again.")
REQUIRED = _("This field is required.")
TOO_LONG = _("At most {limit} characters.")
NOT_A_NUMBER = _("Enter a whole number.")
NEGATIVE = _("Enter a number that is not negative.")
TOO_BIG = _("Enter a number up to {limit}.")
NOT_A_TIME = _("Enter a date and time like 2026-06-12 09:30.")
KIND_UNKNOWN = _("Unknown kind of drill.")
UNIT_REQUIRED = _("Choose the organizing unit.")
UNIT_NOT_YOURS = _("You can plan drills only for your own unit.")
NOT_FOUND = _("No such drill in your view.")
READ_ONLY = _("You can view this drill; only the organizing unit's staff can change it.")
END_BEFORE_START = _("The end must be after the start.")
END_IN_FUTURE = _("The end cannot be in the future.")
ACCOUNTED_OVER_EXPECTED = _("More people accounted for than expected: explain it in the headcount note "
                            "(for example visitors who joined).")
NOT_EDITABLE = _("Only a planned drill can be changed; this one is {status}.")
TRANSITION_NOT_ALLOWED = _("This drill is {status}; it cannot be {action}.")
ACTION_DONE = {DrillAction.START: _("started"), DrillAction.RECORD: _("recorded"), DrillAction.CANCEL: _("cancelled")}
NOTES_NOT_ALLOWED = _("Start the drill first; observations and issues are added to a drill in progress or recorded.")
TOO_MANY_PHOTOS = _("At most {limit} photos can be attached at once.")
LOCATION_NEEDED = _("Give the issue's location: neither the drill nor its unit has coordinates.")
COORDINATES_INVALID = _("Latitude and longitude must be numbers.")
UNKNOWN_FIELDS = _("Unknown fields: {names}.")

TEXT_LIMIT = 4000
MAX_PEOPLE = 1_000_000
MAX_MINUTES = 7 * 24 * 60
PLAN_FIELDS = ("organization_id", "kind", "title", "scenario", "scheduled_at", "place", "lat", "lon",
               "planned_minutes", "planned_participants", "participant_groups")
RECORD_FIELDS = ("started_at", "ended_at", "participants", "went_well", "problems", "evacuation_seconds",
                 "headcount_expected", "headcount_accounted", "headcount_note")
UNIT_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.SCHOOL, OrganizationKind.COMMUNITY,
              OrganizationKind.REGULATOR)


class _Errors:
    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, name, message):
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self, message=INVALID):
        if self.fields:
            raise ApplicationError(message, {"fields": self.fields})


def _text(data, name, errors, *, limit=TEXT_LIMIT, required=False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        errors.add(name, REQUIRED)
    elif len(value) > limit:
        errors.add(name, TOO_LONG.format(limit=limit))
    return value


def _int(data, name, errors, *, required=False, limit=MAX_PEOPLE) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, REQUIRED)
        return None
    if isinstance(value, bool):
        errors.add(name, NOT_A_NUMBER)
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(name, NOT_A_NUMBER)
        return None
    if number < 0:
        errors.add(name, NEGATIVE)
        return None
    if number > limit:
        errors.add(name, TOO_BIG.format(limit=limit))
        return None
    return number


def _when(data, name, errors, *, required=False) -> dt.datetime | None:
    value = data.get(name)
    if isinstance(value, dt.datetime):
        parsed = value
    elif value in (None, ""):
        if required:
            errors.add(name, REQUIRED)
        return None
    else:
        text = str(value).strip().replace(" ", "T", 1)
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            day = parse_date(text) if len(text) == 10 else None
            parsed = dt.datetime.combine(day, dt.time(0, 0)) if day else None
        if parsed is None:
            errors.add(name, NOT_A_TIME)
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _coords(data, errors, prefix="") -> tuple[float | None, float | None]:
    lat, lon = data.get(prefix + "lat"), data.get(prefix + "lon")
    if lat in (None, "") and lon in (None, ""):
        return None, None
    try:
        lat, lon = float(lat), float(lon)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError
    except (TypeError, ValueError):
        errors.add(prefix + "location", COORDINATES_INVALID)
        return None, None
    return lat, lon


def _check_photos(uploads, errors, name="photos") -> list:
    uploads = list(uploads or [])
    if len(uploads) > settings.HAZARDWATCH_MAX_PHOTOS:
        errors.add(name, TOO_MANY_PHOTOS.format(limit=settings.HAZARDWATCH_MAX_PHOTOS))
        return []
    images = []
    for upload in uploads:
        try:
            images.append(check_clean_image(upload))  # re-encoded: no metadata, no appended payload
        except ImageRejected as exc:
            errors.add(name, exc)
    return images


def _reject_unknown(data, allowed) -> None:
    unknown = sorted(k for k in data if k not in allowed and k not in ("csrfmiddlewaretoken",))
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(names=", ".join(unknown)),
                               {"fields": {k: ["unknown"] for k in unknown}})


# --- permissions --------------------------------------------------------------------------------------

def own_org_ids(user) -> set[int]:
    """Organizations whose drills this user may plan and record (unit staff; regulators for their own)."""
    j = jurisdiction_for_user(user)
    return set(j.unit_org_ids) | set(j.regulator_org_ids)


def plannable_orgs(user):
    j = jurisdiction_for_user(user)
    qs = Organization.objects.filter(kind__in=UNIT_KINDS)
    if not j.is_admin:
        qs = qs.filter(pk__in=sorted(own_org_ids(user)))
    return qs.order_by("kind", "name")


def can_edit(user, drill: Drill) -> bool:
    j = jurisdiction_for_user(user)
    return j.is_admin or drill.organization_id in own_org_ids(user)


def drill_for_user(user, drill_id, *, for_update=False, write=False) -> Drill:
    """The drill if the user may see it (404 otherwise); with write=True, 403 unless they may change it."""
    qs = Drill.objects.visible_to(user).select_related("organization")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        drill = qs.filter(pk=int(drill_id)).first()
    except (TypeError, ValueError):
        drill = None
    if drill is None:
        raise NotFound(NOT_FOUND)
    if write and not can_edit(user, drill):
        raise PermissionDenied(READ_ONLY)
    return drill


# --- the plan -----------------------------------------------------------------------------------------

@dataclass
class _Plan:
    values: dict
    organization: Organization | None


def _clean_plan(user, data: dict, *, partial: bool, current: Drill | None = None) -> _Plan:
    _reject_unknown(data, PLAN_FIELDS)
    errors = _Errors()
    values = {}
    org = None
    if not partial or "organization_id" in data:
        choices = list(plannable_orgs(user))
        raw = data.get("organization_id")
        if raw in (None, "") and len(choices) == 1 and not partial:
            org = choices[0]
        elif raw in (None, ""):
            errors.add("organization_id", UNIT_REQUIRED)
        else:
            try:
                org = next((o for o in choices if o.pk == int(raw)), None)
            except (TypeError, ValueError):
                org = None
            if org is None:
                raise PermissionDenied(UNIT_NOT_YOURS, {"fields": {"organization_id": [str(UNIT_NOT_YOURS)]}})
            if current is not None and org.pk != current.organization_id:
                raise PermissionDenied(UNIT_NOT_YOURS, {"fields": {"organization_id": [str(UNIT_NOT_YOURS)]}})
    if not partial or "kind" in data:
        kind = str(data.get("kind") or "").strip()
        if kind not in DrillKind.values:
            errors.add("kind", KIND_UNKNOWN if kind else REQUIRED)
        values["kind"] = kind
    if not partial or "title" in data:
        values["title"] = _text(data, "title", errors, limit=120, required=True)
    if not partial or "scenario" in data:
        values["scenario"] = _text(data, "scenario", errors, required=True)
    if not partial or "scheduled_at" in data:
        values["scheduled_at"] = _when(data, "scheduled_at", errors, required=True)
    if not partial or "place" in data:
        values["place"] = _text(data, "place", errors, limit=200, required=True)
    if not partial or "lat" in data or "lon" in data:
        values["lat"], values["lon"] = _coords(data, errors)
    if not partial or "planned_minutes" in data:
        values["planned_minutes"] = _int(data, "planned_minutes", errors, required=True, limit=MAX_MINUTES)
        if values["planned_minutes"] == 0:
            errors.add("planned_minutes", NEGATIVE)
    if not partial or "planned_participants" in data:
        values["planned_participants"] = _int(data, "planned_participants", errors, required=True)
    if not partial or "participant_groups" in data:
        values["participant_groups"] = _text(data, "participant_groups", errors)
    errors.raise_if_any()
    return _Plan(values, org)


def drill_plan(*, actor, data: dict) -> Drill:
    clean = _clean_plan(actor, data, partial=False)
    org = clean.organization
    with transaction.atomic():
        drill = Drill(organization=org, region_path=org.region.path, created_by=actor, **clean.values)
        drill.full_clean()
        drill.save()
        audit_append(actor=actor, action="drill.plan", obj_type="drill", obj_id=drill.pk,
                     payload={"organization": org.pk, "kind": drill.kind, "scheduled_at": drill.scheduled_at})
    return drill


def drill_update(*, actor, drill_id, data: dict) -> Drill:
    with transaction.atomic():
        drill = drill_for_user(actor, drill_id, for_update=True, write=True)
        clean = _clean_plan(actor, data, partial=True, current=drill)
        if drill.status not in EDITABLE:
            raise Conflict(NOT_EDITABLE.format(status=drill.get_status_display()))
        changed = {}
        for name, value in clean.values.items():
            if getattr(drill, name) != value:
                changed[name] = value
                setattr(drill, name, value)
        if changed:
            drill.full_clean()
            drill.save()
            audit_append(actor=actor, action="drill.update", obj_type="drill", obj_id=drill.pk,
                         payload={"changed": changed})
    return drill


# --- state changes ------------------------------------------------------------------------------------

def _check_transition(drill: Drill, action: str) -> str:
    rule = TRANSITIONS[action]
    if drill.status not in rule.sources:
        raise Conflict(TRANSITION_NOT_ALLOWED.format(status=str(drill.get_status_display()).lower(),
                                                     action=ACTION_DONE[action]))
    return rule.target


def drill_start(*, actor, drill_id) -> Drill:
    with transaction.atomic():
        drill = drill_for_user(actor, drill_id, for_update=True, write=True)
        target = _check_transition(drill, DrillAction.START)
        before = drill.status
        drill.status, drill.started_at = target, timezone.now()
        drill.save(update_fields=["status", "started_at", "updated_at"])
        audit_append(actor=actor, action="drill.start", obj_type="drill", obj_id=drill.pk,
                     payload={"from": before, "to": target, "started_at": drill.started_at})
    return drill


def drill_cancel(*, actor, drill_id, reason: str = "") -> Drill:
    errors = _Errors()
    reason = _text({"reason": reason}, "reason", errors, limit=500, required=True)
    with transaction.atomic():
        drill = drill_for_user(actor, drill_id, for_update=True, write=True)
        target = _check_transition(drill, DrillAction.CANCEL)
        errors.raise_if_any()
        before = drill.status
        drill.status, drill.cancel_reason = target, reason
        drill.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_append(actor=actor, action="drill.cancel", obj_type="drill", obj_id=drill.pk,
                     payload={"from": before, "to": target, "reason": reason})
    return drill


def _store_photos(*, drill, images, actor, observation=None, written: list) -> list[DrillPhoto]:
    photos = []
    for image in images:
        photo = DrillPhoto(drill=drill, observation=observation, extension=image.extension,
                           content_type=image.content_type, width=image.width, height=image.height,
                           size_bytes=len(image.data), sha256=image.sha256, uploaded_by=actor)
        photo.file.save(f"p.{image.extension}", ContentFile(image.data), save=False)
        written.append(photo.file)
        photo.save()
        photos.append(photo)
    return photos


def drill_record(*, actor, drill_id, data: dict, photos=()) -> Drill:
    """Record what happened: actual start and end, participants, evaluation, evacuation time and headcount.

    Allowed from planned (recorded afterwards) and in progress. The start defaults to the time the drill was
    started on the platform; the end to now.
    """
    _reject_unknown(data, RECORD_FIELDS)
    drill = drill_for_user(actor, drill_id, write=True)
    _check_transition(drill, DrillAction.RECORD)
    errors = _Errors()
    started = _when(data, "started_at", errors) or drill.started_at
    ended = _when(data, "ended_at", errors)
    if started is None and "started_at" not in errors.fields:
        errors.add("started_at", REQUIRED)
    if ended is None and "ended_at" not in errors.fields:
        if drill.status == DrillStatus.IN_PROGRESS:
            ended = timezone.now()
        else:
            errors.add("ended_at", REQUIRED)
    if started and ended:
        if ended <= started:
            errors.add("ended_at", END_BEFORE_START)
        elif ended > timezone.now() + dt.timedelta(minutes=5):
            errors.add("ended_at", END_IN_FUTURE)
    participants = _int(data, "participants", errors, required=True)
    went_well = _text(data, "went_well", errors)
    problems = _text(data, "problems", errors)
    evacuation = expected = accounted = None
    note = _text(data, "headcount_note", errors, limit=500)
    if drill.is_evacuation:
        evacuation = _int(data, "evacuation_seconds", errors, required=True, limit=24 * 3600)
        expected = _int(data, "headcount_expected", errors, required=True)
        accounted = _int(data, "headcount_accounted", errors, required=True)
        if expected is not None and accounted is not None and accounted > expected and not note:
            errors.add("headcount_accounted", ACCOUNTED_OVER_EXPECTED)
    else:
        evacuation = _int(data, "evacuation_seconds", errors, limit=24 * 3600)
        expected = _int(data, "headcount_expected", errors)
        accounted = _int(data, "headcount_accounted", errors)
        if expected is not None and accounted is not None and accounted > expected and not note:
            errors.add("headcount_accounted", ACCOUNTED_OVER_EXPECTED)
    images = _check_photos(photos, errors)
    errors.raise_if_any()
    written: list = []
    try:
        with transaction.atomic():
            drill = drill_for_user(actor, drill_id, for_update=True, write=True)
            target = _check_transition(drill, DrillAction.RECORD)
            before = drill.status
            drill.status = target
            drill.started_at, drill.ended_at = started, ended
            drill.participants, drill.went_well, drill.problems = participants, went_well, problems
            drill.evacuation_seconds, drill.headcount_expected = evacuation, expected
            drill.headcount_accounted, drill.headcount_note = accounted, note
            drill.recorded_by = actor
            drill.full_clean()
            drill.save()
            stored = _store_photos(drill=drill, images=images, actor=actor, written=written)
            audit_append(actor=actor, action="drill.record", obj_type="drill", obj_id=drill.pk, payload={
                "from": before, "to": target, "started_at": started, "ended_at": ended,
                "duration_minutes": drill.duration_minutes, "participants": participants,
                "evacuation_seconds": evacuation, "headcount": [expected, accounted], "photos": len(stored)})
    except Exception:
        delete_quietly(written)
        raise
    return drill


# --- on site: observations, photos, issues ------------------------------------------------------------

def drill_observe(*, actor, drill_id, text: str, at=None, photos=()) -> DrillObservation:
    errors = _Errors()
    body = _text({"text": text}, "text", errors, required=True)
    when = _when({"at": at}, "at", errors) or timezone.now()
    images = _check_photos(photos, errors)
    drill = drill_for_user(actor, drill_id, write=True)
    if drill.status not in NOTES_ALLOWED:
        raise Conflict(NOTES_NOT_ALLOWED)
    errors.raise_if_any()
    written: list = []
    try:
        with transaction.atomic():
            drill = drill_for_user(actor, drill_id, for_update=True, write=True)
            if drill.status not in NOTES_ALLOWED:
                raise Conflict(NOTES_NOT_ALLOWED)
            observation = DrillObservation.objects.create(drill=drill, at=when, text=body, author=actor)
            stored = _store_photos(drill=drill, images=images, actor=actor, observation=observation, written=written)
            drill.save(update_fields=["updated_at"])
            audit_append(actor=actor, action="drill.observe", obj_type="drill", obj_id=drill.pk,
                         payload={"observation": observation.pk, "at": when, "photos": len(stored)})
    except Exception:
        delete_quietly(written)
        raise
    return observation


@dataclass
class IssueResult:
    issue: DrillIssue
    receipt_code: str


def drill_report_issue(*, actor, drill_id, data: dict, photos=()) -> IssueResult:
    """Turn a problem found during the drill into a hazard report through the public intake service.

    Source "entered by staff"; the place defaults to the drill's coordinates, else the unit's. The organizing
    unit is passed to the intake as the reported unit, so it becomes the new case's responsible unit and the unit
    sees and rectifies it.
    """
    from hazardwatch.reports.choices import ReportCategory, ReportSource
    from hazardwatch.reports.services import ReportInput, report_submit

    _reject_unknown(data, ("description", "category", "lat", "lon", "crs", "address"))
    drill = drill_for_user(actor, drill_id, write=True)
    if drill.status not in NOTES_ALLOWED:
        raise Conflict(NOTES_NOT_ALLOWED)
    errors = _Errors()
    lat, lon = _coords(data, errors)
    crs = str(data.get("crs") or "wgs84")
    if lat is None and "location" not in errors.fields:
        crs = "wgs84"
        if drill.lat is not None:
            lat, lon = drill.lat, drill.lon
        elif drill.organization.lat is not None:
            lat, lon = drill.organization.lat, drill.organization.lon
        else:
            errors.add("location", LOCATION_NEEDED)
    errors.raise_if_any()
    description = str(data.get("description") or "").strip()
    category = str(data.get("category") or ReportCategory.OTHER).strip()
    address = str(data.get("address") or "").strip() or drill.place
    with transaction.atomic():
        drill = drill_for_user(actor, drill_id, for_update=True, write=True)
        if drill.status not in NOTES_ALLOWED:
            raise Conflict(NOTES_NOT_ALLOWED)
        unit = drill.organization if drill.organization.kind != OrganizationKind.REGULATOR else None
        report, receipt = report_submit(ReportInput(
            description=description, latitude=lat, longitude=lon, crs=crs, category=category,
            address=address[:300], source=ReportSource.STAFF, photos=list(photos or []), reported_unit=unit,
        ))
        issue = DrillIssue.objects.create(drill=drill, description=report.description, category=report.category,
                                          report=report, created_by=actor)
        drill.save(update_fields=["updated_at"])
        audit_append(actor=actor, action="drill.issue", obj_type="drill", obj_id=drill.pk,
                     payload={"issue": issue.pk, "report": report.pk, "case": report.case_id})
    return IssueResult(issue, receipt)
