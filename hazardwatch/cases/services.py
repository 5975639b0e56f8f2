"""Every write to a case: opening, routing, and the one transition service."""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import DEFAULT_POLICY, Organization, OrganizationKind, OrgPolicy
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.cases.choices import CaseAction as A
from hazardwatch.cases.choices import CaseGrade, CaseStatus, RejectCode
from hazardwatch.cases.models import Case, CaseEvent, EvidencePhoto, MajorHazardPlan
from hazardwatch.cases.transitions import ALLOWED, PREVIOUS
from hazardwatch.core.audit import audit_append
from hazardwatch.core.files import delete_quietly
from hazardwatch.core.choices import Sector
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.webhooks.services import webhooks_on_case_event

CASE_NOT_FOUND = _("No such case.")
CASE_TRANSITION_NOT_ALLOWED = _("“{action}” is not possible while the case is “{status}”.")
CASE_ACTION_FORBIDDEN = _("You are not allowed to do “{action}” on this case.")
CASE_ACTION_UNKNOWN = _("Unknown action.")
REASON_REQUIRED = _("Please give a reason; it is shown to the reporter.")
GRADE_REQUIRED = _("Choose the grade: general or major.")
GRADE_UNKNOWN = _("Unknown grade.")
MAJOR_NEEDS_CRITERION = _("A major hazard needs the standard and the item of the criteria it meets.")
MAJOR_NEEDS_LEADER = _("Only a regulator leader can confirm a major accident hazard.")
CRITERION_NOT_IN_FORCE = _("Choose an item of a criteria edition in force on the date the hazard was found.")
ASSIGN_NEEDS_GRADE = _("Determine the grade before assigning rectification.")
ASSIGN_NEEDS_UNIT = _("Choose the responsible unit.")
UNIT_UNKNOWN = _("Unknown responsible unit.")
DEADLINE_INVALID = _("The deadline must be a date in the future.")
PLAN_FIELDS_REQUIRED = _("All five implementations are required: responsibility, measures, funds, time limit, plan.")
MAJOR_NEEDS_PLAN = _("A major hazard needs the five implementations before rectification starts.")
LIST_NEEDS_MAJOR = _("Only major hazards are listed for supervision.")
ALREADY_LISTED = _("This case is already listed for supervision.")
EVIDENCE_REQUIRED = _("Describe what was done and attach at least one photo.")
MERGE_TARGET_INVALID = _("Choose an open case, other than this one, to merge into.")
MERGE_INTO_ITSELF = _("A case cannot be merged into itself.")
MERGE_TARGET_NOT_OPEN = _("The case to merge into is closed, rejected or itself merged; choose an open case.")
MERGE_ACROSS_JURISDICTIONS = _("The case to merge into belongs to another regulator's jurisdiction.")
UNMERGE_NO_MERGE = _("This case has no merge to undo.")
REJECT_CODE_UNKNOWN = _("Unknown rejection reason code.")
NOTE_REQUIRED = _("The note is empty.")
TEXT_TOO_LONG = _("The text is longer than {limit} characters.")
TEXT_REQUIRED = _("{field} must be text.")

TEXT_LIMIT = 2000


# --- routing --------------------------------------------------------------------------------------

def regulator_for(*, region, sector: str) -> Organization | None:
    """The deepest regulator whose region contains `region` and who supervises `sector`.

    Falls back to the department that takes "other" (the emergency-management bureau) at the same
    depth, so every located case gets a regulator.
    """
    if region is None:
        return None
    ancestor_codes = [code for code in region.path.strip("/").split("/") if code]
    candidates = list(
        Organization.objects.filter(kind=OrganizationKind.REGULATOR, region__code__in=ancestor_codes)
        .select_related("region")
    )
    for wanted in (sector, Sector.OTHER):
        matching = [o for o in candidates if wanted in o.sectors]
        if matching:
            return max(matching, key=lambda o: (len(o.region.path), -o.pk))
    return None


def next_level_regulator(org: Organization, sector: str) -> Organization | None:
    """The regulator one level up (parent region) for the same sector."""
    parent = org.region.parent
    while parent is not None:
        found = regulator_for(region=parent, sector=sector)
        if found is not None and found.pk != org.pk:
            return found
        parent = parent.parent
    return None


def policy_for(org: Organization | None) -> OrgPolicy:
    if org is None:
        return DEFAULT_POLICY
    return OrgPolicy.objects.filter(organization=org).first() or DEFAULT_POLICY


# --- opening ----------------------------------------------------------------------------------------

def _title_from(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:60] + ("…" if len(first) > 60 else "")


def case_open_for_report(*, report) -> Case:
    """Open a case for a new report, routed to the regulator for (region, sector)."""
    sector = report.sector_guess or Sector.OTHER
    regulator = regulator_for(region=report.region, sector=sector)
    policy = policy_for(regulator)
    case = Case(
        reference=f"tmp-{report.public_id.hex[:16]}",
        status=CaseStatus.NEW,
        sector=sector,
        category=report.category,
        place_type=report.place_type,
        title=_title_from(report.description),
        description=report.description,
        address=report.address,
        region=report.region,
        region_path=report.region.path if report.region else "",
        regulator=regulator,
        responsible_unit=report.reported_unit,
        deadline=timezone.now() + dt.timedelta(days=policy.acceptance_days),
        lat=report.lat, lon=report.lon, input_crs=report.input_crs, input_lat=report.input_lat,
        input_lon=report.input_lon, h3_r5=report.h3_r5, h3_r7=report.h3_r7, h3_r9=report.h3_r9,
    )
    case.save()
    case.reference = f"HW{timezone.localdate():%Y}{case.pk:07d}"
    case.save(update_fields=["reference"])
    report.case = case
    report.save(update_fields=["case"])
    _record(case=case, actor=None, action="open", from_status="", to_status=CaseStatus.NEW, note="",
            payload={"source": report.source, "regulator": regulator.pk if regulator else None}, public=True)
    return case


FOLLOW_NOT_CANDIDATE = _("That case can no longer be followed from here (it is closed, too far away or of another "
                         "kind). Submit your report as a new one instead.")


def case_follow_for_report(*, report, reference: str, phashes=()) -> Case:
    """Attach a new report to an open case the reporter chose among the likely duplicates shown to them.

    The case must still be a duplicate candidate for the report's own place, category and photos (so a
    reference typed by hand cannot attach a report to an unrelated case). No new case is opened; an
    internal event records the follower. Runs inside the intake transaction.
    """
    from hazardwatch.cases.duplicates import duplicate_candidates

    candidates = duplicate_candidates(lat=report.lat, lon=report.lon, category=report.category,
                                      phashes=phashes, limit=0)
    match = next((c.case for c in candidates if c.case.reference == reference), None)
    if match is not None:
        match = Case.objects.select_for_update().filter(pk=match.pk).first()
    if match is None or not match.is_open:
        raise ApplicationError(FOLLOW_NOT_CANDIDATE, {"fields": {"follow_reference": [str(FOLLOW_NOT_CANDIDATE)]}})
    report.case = match
    report.save(update_fields=["case"])
    _record(case=match, actor=None, action="follow", from_status="", to_status="", note="",
            payload={"report_id": report.pk, "source": report.source}, public=False)
    match.save(update_fields=["updated_at"])
    return match


# --- permissions ------------------------------------------------------------------------------------

def roles_on_case(user, case: Case) -> set[str]:
    """Which of the transition table's "who" labels this user has on this case."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    j = jurisdiction_for_user(user)
    roles = set()
    if j.is_admin:
        return {"regulator", "leader", "unit"}
    in_area = j.covers(case.region_path, case.sector) or bool(
        {case.regulator_id, case.supervising_regulator_id} & set(j.regulator_org_ids)
    )
    if in_area:
        roles.add("regulator")
        if "regulator_leader" in j.roles:
            roles.add("leader")
    if case.responsible_unit_id and case.responsible_unit_id in j.unit_org_ids:
        roles.add("unit")
    return roles


def actions_for(user, case: Case) -> list[str]:
    """The actions this user may take on this case now (what the case page shows)."""
    roles = roles_on_case(user, case)
    return [a for a, t in ALLOWED.items() if case.status in t.sources and roles & t.who]


# --- the transition service ------------------------------------------------------------------------

def _text(data: dict, key: str, *, required_message=None) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        message = TEXT_REQUIRED.format(field=key)
        raise ApplicationError(message, {"fields": {key: [message]}})
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        message = TEXT_TOO_LONG.format(limit=TEXT_LIMIT)
        raise ApplicationError(message, {"fields": {key: [message]}})
    if required_message and not value:
        raise ApplicationError(required_message, {"fields": {key: [str(required_message)]}})
    return value


def _record(*, case, actor, action, from_status, to_status, note, payload, public) -> CaseEvent:
    label = "system" if actor is None else (actor if isinstance(actor, str) else actor.get_username())
    entry = audit_append(actor=actor, action=f"case.{action}", obj_type="case", obj_id=case.pk,
                         payload={"from": from_status, "to": to_status, "note": note, **payload})
    event = CaseEvent.objects.create(
        case=case, actor=None if actor is None or isinstance(actor, str) else actor, actor_label=label,
        action=action, from_status=from_status, to_status=to_status, note=note, payload=payload,
        is_public=public, audit_entry_id=entry.pk, at=entry.created_at,
    )
    webhooks_on_case_event(event, case)  # partner systems subscribed to this event get it after commit
    if public:  # the reporter hears of every public step, once the step is committed
        from hazardwatch.cases import tasks as case_tasks

        event_id = event.pk
        transaction.on_commit(lambda: case_tasks.case_notify_reporter.enqueue(event_id))
    return event


def _parse_deadline(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, dt.date):
            parsed = dt.datetime.combine(value, dt.time(23, 59))
        else:
            text = str(value)
            parsed = dt.datetime.fromisoformat(text) if "T" in text else dt.datetime.combine(
                dt.date.fromisoformat(text), dt.time(23, 59))
    except ValueError:
        raise ApplicationError(DEADLINE_INVALID, {"fields": {"deadline": [str(DEADLINE_INVALID)]}}) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed <= timezone.now():
        raise ApplicationError(DEADLINE_INVALID, {"fields": {"deadline": [str(DEADLINE_INVALID)]}})
    return parsed


def case_transition(*, case_id: int, action: str, actor, data: dict | None = None, files=None,
                    as_reporter: bool = False) -> Case:
    """Apply one action to a case.

    Locks the case row (SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction holds the write lock),
    checks the pair (status, action) against `transitions.ALLOWED` and the actor's role on the case,
    updates the case, appends a CaseEvent and its audit entry, and schedules side effects on commit.
    `as_reporter` is set only by the receipt-code path; `actor` is then a label, not a user.
    """
    data = data or {}
    files = files or []
    if action not in ALLOWED:
        raise ApplicationError(CASE_ACTION_UNKNOWN, {"fields": {"action": [str(CASE_ACTION_UNKNOWN)]}})
    rule = ALLOWED[action]
    written: list = []
    try:
        return _transition(case_id, action, rule, actor, data, files, as_reporter, written)
    except Exception:
        # The transaction rolled back; remove the files this call wrote so nothing half-stored remains.
        delete_quietly(written)
        raise


def _transition(case_id, action, rule, actor, data, files, as_reporter, written) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        if as_reporter:
            roles = {"reporter"}
        elif actor is None:
            roles = {"system"}
        else:
            if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
                raise NotFound(CASE_NOT_FOUND)
            roles = roles_on_case(actor, case)
        label = str(A(action).label)
        if not roles & rule.who:
            raise PermissionDenied(CASE_ACTION_FORBIDDEN.format(action=label))
        if case.status not in rule.sources:
            raise Conflict(CASE_TRANSITION_NOT_ALLOWED.format(action=label, status=case.get_status_display()),
                           {"status": case.status, "action": action})
        from_status = case.status
        handler = _HANDLERS[action]
        note, payload = handler(case, actor, data, roles)
        if rule.to is not None and rule.to != PREVIOUS:  # PREVIOUS: the handler restored the status
            case.status = rule.to
        case.version += 1
        case.save()
        event = _record(case=case, actor=actor, action=action, from_status=from_status,
                        to_status=case.status, note=note, payload=payload, public=rule.public)
        if action in (A.SUBMIT, A.DISPUTE, A.CONFIRM_FIX) and files:
            _attach_evidence(event, files, written)
    return case


# --- per-action handlers: validate data, change fields, return (note, payload) -------------------------

def _accept(case, actor, data, roles):
    # Grading and assignment are due within the same number of days as acceptance.
    case.deadline = timezone.now() + dt.timedelta(days=policy_for(case.regulator).acceptance_days)
    case.is_overdue = False
    return _text(data, "note"), {}


def _reject(case, actor, data, roles):
    reason = _text(data, "reason", required_message=REASON_REQUIRED)
    code = data.get("reason_code") or ""
    if code not in ("", *RejectCode.values):
        raise ApplicationError(REJECT_CODE_UNKNOWN, {"fields": {"reason_code": [str(REJECT_CODE_UNKNOWN)]}})
    case.reject_code = code
    case.public_reason = reason
    case.deadline = None
    case.is_overdue = False
    return reason, {"reason_code": code} if code else {}


def _same_jurisdiction(case: Case, target: Case) -> bool:
    """The target is handled by the same regulator, or lies inside the case regulator's region and sectors."""
    if case.regulator_id is not None and case.regulator_id == target.regulator_id:
        return True
    regulator = case.regulator
    if regulator is None or regulator.region_id is None:
        return case.regulator_id == target.regulator_id
    return target.region_path.startswith(regulator.region.path) and target.sector in (regulator.sectors or [])


def _merge_error(message):
    return ApplicationError(message, {"fields": {"target_case_id": [str(message)]}})


def _merge(case, actor, data, roles):
    """Merge this case into a survivor. The reports stay on this case (their receipts keep working and
    `selectors.case_reports(survivor)` includes them); `merged_into` points at the survivor."""
    target_id = data.get("target_case_id")
    if not (isinstance(target_id, int) or (isinstance(target_id, str) and target_id.isdigit())):
        raise _merge_error(MERGE_TARGET_INVALID)
    if int(target_id) == case.pk:
        raise _merge_error(MERGE_INTO_ITSELF)
    target = Case.objects.visible_to(actor).select_for_update().filter(pk=int(target_id)).first()
    if target is None:
        raise _merge_error(MERGE_TARGET_INVALID)
    if not target.is_open:
        raise _merge_error(MERGE_TARGET_NOT_OPEN)
    if not _same_jurisdiction(case, target):
        raise _merge_error(MERGE_ACROSS_JURISDICTIONS)
    case.merged_into = target
    case.deadline = None
    case.is_overdue = False
    return _text(data, "note"), {"target_case_id": target.pk, "target_reference": target.reference}


def _unmerge(case, actor, data, roles):
    """Undo the last merge: the case gets back the status it had before it, and its own deadline."""
    last = CaseEvent.objects.filter(case=case, action=A.MERGE).order_by("-at", "-id").first()
    if last is None or case.merged_into_id is None:
        raise Conflict(UNMERGE_NO_MERGE)
    previous = last.from_status if last.from_status in (CaseStatus.NEW, CaseStatus.TRIAGED) else CaseStatus.TRIAGED
    survivor = case.merged_into
    case.status = previous
    case.merged_into = None
    case.is_overdue = False
    case.deadline = timezone.now() + dt.timedelta(days=policy_for(case.regulator).acceptance_days)
    return _text(data, "note"), {"restored_status": previous, "target_case_id": survivor.pk,
                                 "target_reference": survivor.reference}


def _grade(case, actor, data, roles):
    if data.get("criterion_id") not in (None, ""):
        return _grade_confirm_item(case, actor, data, roles)
    grade = data.get("grade")
    if grade not in CaseGrade.values:
        msg = GRADE_REQUIRED if not grade else GRADE_UNKNOWN
        raise ApplicationError(msg, {"fields": {"grade": [str(msg)]}})
    standard = _text(data, "criterion_standard")[:80]
    item = _text(data, "criterion_item")[:40]
    note = _text(data, "note")
    if grade == CaseGrade.MAJOR:
        if "leader" not in roles:
            raise PermissionDenied(MAJOR_NEEDS_LEADER)
        if not standard or not item:
            raise ApplicationError(MAJOR_NEEDS_CRITERION, {"fields": {"criterion_item": [str(MAJOR_NEEDS_CRITERION)]}})
    case.grade = grade
    case.criterion = None
    case.criterion_edition = ""
    case.criterion_standard = standard
    case.criterion_item = item
    case.criterion_note = note
    case.determined_by = actor
    case.determined_at = timezone.now()
    return note, {"grade": grade, "criterion_standard": standard, "criterion_item": item}


def _grade_confirm_item(case, actor, data, roles):
    """A named official confirms one catalogue item: the case becomes a major hazard under that edition."""
    from hazardwatch.criteria import services as criteria_services

    if "leader" not in roles:
        raise PermissionDenied(MAJOR_NEEDS_LEADER)
    criterion = criteria_services.criterion_for_case(criterion_id=data.get("criterion_id"), case=case)
    if criterion is None:
        raise ApplicationError(CRITERION_NOT_IN_FORCE, {"fields": {"criterion_id": [str(CRITERION_NOT_IN_FORCE)]}})
    note = _text(data, "note")
    case.grade = CaseGrade.MAJOR
    case.criterion = criterion
    case.criterion_edition = criterion.standard.edition
    case.criterion_standard = criterion.standard.document_number[:80]
    case.criterion_item = criterion.code[:40]
    case.criterion_note = note
    case.determined_by = actor
    case.determined_at = timezone.now()
    return note, {"grade": CaseGrade.MAJOR, "criterion_id": criterion.pk,
                  "criterion_standard": criterion.standard.document_number, "criterion_code": criterion.standard.code,
                  "criterion_edition": criterion.standard.edition, "criterion_item": criterion.code,
                  "suggest_listing": True}


def _assign(case, actor, data, roles):
    if not case.grade:
        raise ApplicationError(ASSIGN_NEEDS_GRADE, {"fields": {"grade": [str(ASSIGN_NEEDS_GRADE)]}})
    unit_id = data.get("responsible_unit_id") or case.responsible_unit_id
    if not unit_id:
        raise ApplicationError(ASSIGN_NEEDS_UNIT, {"fields": {"responsible_unit_id": [str(ASSIGN_NEEDS_UNIT)]}})
    unit = None
    if isinstance(unit_id, int) or (isinstance(unit_id, str) and unit_id.isdigit()):
        unit = Organization.objects.filter(pk=int(unit_id)).exclude(kind=OrganizationKind.REGULATOR).first()
    if unit is None:
        raise ApplicationError(UNIT_UNKNOWN, {"fields": {"responsible_unit_id": [str(UNIT_UNKNOWN)]}})
    deadline = _parse_deadline(data.get("deadline"))
    if deadline is None:
        policy = policy_for(case.regulator)
        days = policy.major_deadline_days if case.grade == CaseGrade.MAJOR else policy.general_deadline_days
        deadline = timezone.now() + dt.timedelta(days=days)
    case.responsible_unit = unit
    case.deadline = deadline
    case.is_overdue = False
    return _text(data, "note"), {"responsible_unit_id": unit.pk, "deadline": deadline.isoformat()}


def _plan(case, actor, data, roles):
    fields = {k: _text(data, k) for k in ("responsibility", "measures", "funds", "contingency_plan")}
    try:
        time_limit = dt.date.fromisoformat(str(data.get("time_limit") or ""))
    except ValueError:
        time_limit = None
    if not all(fields.values()) or time_limit is None:
        raise ApplicationError(PLAN_FIELDS_REQUIRED, {"fields": {"plan": [str(PLAN_FIELDS_REQUIRED)]}})
    MajorHazardPlan.objects.update_or_create(case=case, defaults={**fields, "time_limit": time_limit})
    return "", {"plan": {**fields, "time_limit": time_limit.isoformat()}}


def _start(case, actor, data, roles):
    if case.grade == CaseGrade.MAJOR and not MajorHazardPlan.objects.filter(case=case).exists():
        raise ApplicationError(MAJOR_NEEDS_PLAN, {"fields": {"plan": [str(MAJOR_NEEDS_PLAN)]}})
    return _text(data, "note"), {}


def _list(case, actor, data, roles):
    if case.grade != CaseGrade.MAJOR:
        raise ApplicationError(LIST_NEEDS_MAJOR)
    if case.is_listed:
        raise Conflict(ALREADY_LISTED)
    j = jurisdiction_for_user(actor)
    org = Organization.objects.filter(pk__in=j.regulator_org_ids).order_by("region__depth").first()
    case.is_listed = True
    case.listed_at = timezone.now()
    case.listed_by = org or case.regulator
    return _text(data, "note"), {"listed_by": case.listed_by_id}


def _submit(case, actor, data, roles):
    note = _text(data, "note", required_message=EVIDENCE_REQUIRED)
    if not data.get("_has_files"):
        raise ApplicationError(EVIDENCE_REQUIRED, {"fields": {"photos": [str(EVIDENCE_REQUIRED)]}})
    # The unit's deadline stops running once evidence is in; the acceptance check is the regulator's step.
    case.deadline = None
    case.is_overdue = False
    return note, {"photos": data.get("_has_files")}


def _approve(case, actor, data, roles):
    case.closed_at = timezone.now()
    case.is_overdue = False
    case.deadline = None
    if case.is_listed:
        case.is_listed = False  # de-listed (摘牌) on acceptance
    return _text(data, "note"), {}


def _return(case, actor, data, roles):
    reason = _text(data, "reason", required_message=REASON_REQUIRED)
    policy = policy_for(case.regulator)
    days = policy.major_deadline_days if case.grade == CaseGrade.MAJOR else policy.general_deadline_days
    case.deadline = timezone.now() + dt.timedelta(days=days)
    return reason, {"deadline": case.deadline.isoformat()}


def _dispute(case, actor, data, roles):
    reason = _text(data, "reason", required_message=REASON_REQUIRED)
    case.closed_at = None
    case.reopen_count += 1
    case.deadline = timezone.now() + dt.timedelta(days=policy_for(case.regulator).acceptance_days)
    payload = {}
    if data.get("_feedback_report_id"):
        payload = {"feedback": "not_fixed", "report_id": data["_feedback_report_id"]}
    if data.get("_has_files"):
        payload["photos"] = data["_has_files"]
    return reason, payload


def _confirm_fix(case, actor, data, roles):
    payload = {"feedback": "fixed", "report_id": data.get("_feedback_report_id")}
    if data.get("_has_files"):
        payload["photos"] = data["_has_files"]
    return _text(data, "note"), payload


def _escalate(case, actor, data, roles):
    base = case.supervising_regulator or case.regulator
    target = next_level_regulator(base, case.sector) if base else None
    case.is_overdue = True
    case.escalation_level += 1
    if target is not None:
        case.supervising_regulator = target
    return "", {"to_regulator": target.pk if target else None, "level": case.escalation_level}


def _note(case, actor, data, roles):
    return _text(data, "note", required_message=NOTE_REQUIRED), {}


_HANDLERS = {
    A.ACCEPT: _accept, A.REJECT: _reject, A.MERGE: _merge, A.GRADE: _grade, A.ASSIGN: _assign,
    A.PLAN: _plan, A.START: _start, A.LIST: _list, A.SUBMIT: _submit, A.APPROVE: _approve,
    A.RETURN: _return, A.DISPUTE: _dispute, A.ESCALATE: _escalate, A.NOTE: _note,
    A.UNMERGE: _unmerge, A.CONFIRM_FIX: _confirm_fix,
}


def _attach_evidence(event: CaseEvent, checked_images, written: list) -> None:
    from django.core.files.base import ContentFile

    for image in checked_images:
        photo = EvidencePhoto(event=event, extension=image.extension, content_type=image.content_type,
                              width=image.width, height=image.height, size_bytes=len(image.data), sha256=image.sha256)
        photo.file.save(f"e.{image.extension}", ContentFile(image.data), save=False)
        written.append(photo.file)
        photo.save()


def case_submit_evidence(*, case_id: int, actor, note: str, uploads) -> Case:
    """Validate evidence photos, then run the 'submit' transition. Files are removed if it fails."""
    from hazardwatch.reports.images import ImageRejected, check_clean_image
    from hazardwatch.reports.services import TOO_MANY_PHOTOS

    if len(uploads) > settings.HAZARDWATCH_MAX_PHOTOS:
        raise ApplicationError(TOO_MANY_PHOTOS.format(limit=settings.HAZARDWATCH_MAX_PHOTOS))
    images = []
    for upload in uploads:
        try:
            images.append(check_clean_image(upload))  # re-encoded: no metadata, no appended payload
        except ImageRejected as exc:
            raise ApplicationError(str(exc), {"fields": {"photos": [str(exc)]}}) from None
    return case_transition(case_id=case_id, action=A.SUBMIT, actor=actor,
                           data={"note": note, "_has_files": len(images)}, files=images)


# --- periodic ---------------------------------------------------------------------------------------

def cases_mark_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every open case whose deadline has passed and that is not yet marked overdue."""
    now = now or timezone.now()
    ids = list(
        Case.objects.filter(status__in=[CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.ASSIGNED,
                                        CaseStatus.RECTIFYING], deadline__lt=now, is_overdue=False)
        .values_list("pk", flat=True)
    )
    done = 0
    for case_id in ids:
        try:
            case_transition(case_id=case_id, action=A.ESCALATE, actor=None)
            done += 1
        except (Conflict, NotFound):
            continue  # changed since we listed it
    return done
