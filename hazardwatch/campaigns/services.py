"""Every write of the campaigns app (one transaction each, audited) and the checks behind it.

Who may do what:
- campaign office staff (role ``campaign_office`` in an organization of kind ``campaign_office``) create and
  edit their office's campaigns, see every participating unit's filings, send reminders and export;
- unit staff (role ``safety_officer`` or ``grid_member`` in a participating unit) register the unit's liaison
  officer, record activities and file the summary, only for their own unit and only while the campaign is open.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import UNIT_ROLES, Membership, Organization, OrganizationKind, Role
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.campaigns.models import (
    FIGURE_KEYS, UNIT_KIND_VALUES, Activity, ActivityKind, ActivityPhoto, Campaign, CampaignStatus, Liaison,
    Summary, SummaryVersion,
)
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.reports.services import phone_normalize  # mobile or landline, +86 stripped

CAMPAIGN_NOT_FOUND = _("No such campaign.")
UNIT_NOT_FOUND = _("No such unit.")
NOT_OFFICE = _("Only staff of the organizing campaign office may do this.")
NOT_YOUR_UNIT = _("You are not staff of this unit, so you cannot file for it.")
NOT_PARTICIPANT = _("This unit does not take part in this campaign.")
NOT_OPEN = _("The campaign is not open, so nothing can be filed now.")
FIELD_REQUIRED = _("This field is required.")
TOO_LONG = _("At most {n} characters.")
DATE_INVALID = _("Enter a date as YYYY-MM-DD.")
PHONE_INVALID = _("Enter a Chinese mobile number (11 digits starting with 1) or a landline with area code, "
                  "like 0371-12345678.")
EMAIL_INVALID = _("Enter a valid e-mail address.")
ACTIVITY_KIND_INVALID = _("Choose one of: lecture, drill, consultation-day stand, training, contest, other.")
ACTIVITY_DATE_OUTSIDE = _("The activity date must fall within the campaign, {start} to {end}.")
ACTIVITY_IN_FUTURE = _("The activity date cannot be in the future.")
PARTICIPANTS_INVALID = _("Participants must be a whole number from 1 to 1,000,000.")
FIGURE_INVALID = _("Must be a whole number from 0 to 100,000,000.")
TOO_MANY_PHOTOS = _("Attach at most {n} photos.")
UNIT_KINDS_INVALID = _("Choose at least one of: enterprise, school, community.")
ENDS_BEFORE_START = _("The campaign cannot end before it starts.")
DEADLINE_BEFORE_START = _("A deadline cannot be before the campaign starts.")
OFFICE_REQUIRED = _("Choose your campaign office.")
STATUS_INVALID = _("Status must be draft, open or closed.")
REMINDER_DAYS_INVALID = _("Reminder days must be a whole number from 0 to 60.")
REVISION_CLOSED = _("The summary deadline ({due}) has passed: a filed summary can no longer be revised.")
SIMULTANEOUS = _("Someone from your unit filed this at the same moment. Reload the page and check.")
PHOTO_FIELD = "photos"



def today() -> dt.date:
    return timezone.localdate()


# --- who is who -------------------------------------------------------------------------------------------

def office_ids_for_user(user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, role=Role.CAMPAIGN_OFFICE,
                                         organization__kind=OrganizationKind.CAMPAIGN_OFFICE)
               .values_list("organization_id", flat=True))


def is_admin(user) -> bool:
    return jurisdiction_for_user(user).is_admin


def unit_ids_for_user(user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, role__in=list(UNIT_ROLES),
                                         organization__kind__in=UNIT_KIND_VALUES)
               .values_list("organization_id", flat=True))


def participating_units(campaign: Campaign):
    """Organizations of the campaign's unit kinds in the office's region subtree."""
    return (Organization.objects.filter(region__path__startswith=campaign.office.region.path,
                                        kind__in=campaign.unit_kinds or UNIT_KIND_VALUES)
            .select_related("region").order_by("region__path", "name"))


def is_participant(campaign: Campaign, unit: Organization) -> bool:
    return (unit.kind in (campaign.unit_kinds or UNIT_KIND_VALUES)
            and unit.region.path.startswith(campaign.office.region.path))


def can_manage(user, campaign: Campaign) -> bool:
    return is_admin(user) or campaign.office_id in office_ids_for_user(user)


def campaigns_visible_to(user):
    qs = Campaign.objects.select_related("office__region")
    if is_admin(user):
        return qs
    offices = office_ids_for_user(user)
    units = list(Organization.objects.filter(pk__in=unit_ids_for_user(user)).select_related("region"))
    visible = [c.pk for c in qs.exclude(status=CampaignStatus.DRAFT).exclude(office_id__in=offices)
               if any(is_participant(c, u) for u in units)]
    from django.db.models import Q

    return qs.filter(Q(office_id__in=offices) | Q(pk__in=visible))


def campaign_get(user, campaign_id: int) -> Campaign:
    campaign = campaigns_visible_to(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


def campaign_get_managed(user, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("office__region").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    if not can_manage(user, campaign):
        if campaigns_visible_to(user).filter(pk=campaign_id).exists():
            raise PermissionDenied(NOT_OFFICE)
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


def unit_access(user, campaign_id: int, unit_id: int, *, write: bool = False) -> tuple[Campaign, Organization]:
    """The campaign and unit if the user is staff of the unit (or, for reading, manages the campaign)."""
    campaign = Campaign.objects.select_related("office__region").filter(pk=campaign_id).first()
    unit = Organization.objects.select_related("region").filter(pk=unit_id).first()
    manager = campaign is not None and can_manage(user, campaign)
    member = unit is not None and unit.pk in unit_ids_for_user(user)
    if campaign is None or (campaign.status == CampaignStatus.DRAFT and not manager):
        raise NotFound(CAMPAIGN_NOT_FOUND)
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND)
    if not member and not (manager and not write):
        raise PermissionDenied(NOT_YOUR_UNIT)
    if not is_participant(campaign, unit):
        raise PermissionDenied(NOT_PARTICIPANT)
    if write and campaign.status != CampaignStatus.OPEN:
        raise Conflict(NOT_OPEN)
    return campaign, unit


# --- input helpers ----------------------------------------------------------------------------------------

class _Errors:
    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, name, message):
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self):
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ApplicationError(first, extra={"fields": self.fields})


def _text(errors, data, name, *, max_length, required=True) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.add(name, FIELD_REQUIRED)
    elif len(value) > max_length:
        errors.add(name, str(TOO_LONG).format(n=max_length))
    return value


def _date(errors, data, name) -> dt.date | None:
    value = data.get(name)
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        errors.add(name, FIELD_REQUIRED)
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(name, DATE_INVALID)
        return None


def _int(errors, data, name, *, low, high, message, required=True) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, FIELD_REQUIRED)
        return None
    if isinstance(value, bool):
        errors.add(name, message)
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        errors.add(name, message)
        return None
    if not low <= number <= high:
        errors.add(name, message)
        return None
    return number


# --- campaigns ----------------------------------------------------------------------------------------------

def _campaign_clean(errors, data, *, partial_of: Campaign | None = None) -> dict:
    def has(name):
        return partial_of is None or name in data

    out = {}
    for name, limit, required in (("title", 200, True), ("theme", 300, True), ("description", 4000, False)):
        if has(name):
            out[name] = _text(errors, data, name, max_length=limit, required=required)
    for name in ("starts_on", "ends_on", "liaison_due", "summary_due"):
        if has(name):
            out[name] = _date(errors, data, name)
    if has("unit_kinds"):
        kinds = data.get("unit_kinds")
        if isinstance(kinds, str):
            kinds = [k for k in kinds.split(",") if k]
        if not isinstance(kinds, list) or not kinds or any(k not in UNIT_KIND_VALUES for k in kinds):
            errors.add("unit_kinds", UNIT_KINDS_INVALID)
        else:
            out["unit_kinds"] = [k for k in UNIT_KIND_VALUES if k in kinds]
    if has("reminder_days"):
        value = _int(errors, data, "reminder_days", low=0, high=60, message=REMINDER_DAYS_INVALID, required=False)
        out["reminder_days"] = 3 if value is None else value
    if has("status"):
        status = data.get("status") or CampaignStatus.DRAFT
        if status not in CampaignStatus.values:
            errors.add("status", STATUS_INVALID)
        out["status"] = status
    merged = {n: getattr(partial_of, n) for n in ("starts_on", "ends_on", "liaison_due", "summary_due")} \
        if partial_of is not None else {}
    merged.update({k: v for k, v in out.items() if k in ("starts_on", "ends_on", "liaison_due", "summary_due")})
    start, end = merged.get("starts_on"), merged.get("ends_on")
    if start and end and end < start:
        errors.add("ends_on", ENDS_BEFORE_START)
    for name in ("liaison_due", "summary_due"):
        if start and merged.get(name) and merged[name] < start:
            errors.add(name, DEADLINE_BEFORE_START)
    return out


@transaction.atomic
def campaign_create(*, actor, data: dict) -> Campaign:
    errors = _Errors()
    offices = office_ids_for_user(actor)
    office_id = data.get("office_id")
    if office_id in (None, "") and len(offices) == 1:
        office_id = next(iter(offices))
    try:
        office_id = int(office_id) if office_id not in (None, "") else None
    except (TypeError, ValueError):
        office_id = None
    office = Organization.objects.select_related("region").filter(
        pk=office_id, kind=OrganizationKind.CAMPAIGN_OFFICE).first() if office_id else None
    if office is None or not (office.pk in offices or is_admin(actor)):
        if not offices and not is_admin(actor):
            raise PermissionDenied(NOT_OFFICE)
        errors.add("office_id", OFFICE_REQUIRED)
    clean = _campaign_clean(errors, data)
    clean.setdefault("unit_kinds", UNIT_KIND_VALUES)
    errors.raise_if_any()
    campaign = Campaign(office=office, created_by=actor, **clean)
    campaign.full_clean()
    campaign.save()
    audit_append(actor=actor, action="campaign.create", obj_type="campaign", obj_id=campaign.pk,
                 payload={k: v for k, v in clean.items() if k != "description"})
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign_id: int, data: dict) -> Campaign:
    campaign = campaign_get_managed(actor, campaign_id)
    campaign = Campaign.objects.select_for_update().select_related("office__region").get(pk=campaign.pk)
    errors = _Errors()
    clean = _campaign_clean(errors, data, partial_of=campaign)
    errors.raise_if_any()
    for key, value in clean.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    campaign.save()
    audit_append(actor=actor, action="campaign.update", obj_type="campaign", obj_id=campaign.pk,
                 payload={k: v for k, v in clean.items() if k != "description"})
    return campaign


# --- liaison officer ----------------------------------------------------------------------------------------

@transaction.atomic
def liaison_register(*, actor, campaign_id: int, unit_id: int, data: dict) -> Liaison:
    campaign, unit = unit_access(actor, campaign_id, unit_id, write=True)
    errors = _Errors()
    name = _text(errors, data, "name", max_length=50)
    position = _text(errors, data, "position", max_length=80)
    raw_phone = _text(errors, data, "phone", max_length=30)
    phone = phone_normalize(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        errors.add("phone", PHONE_INVALID)
    email = _text(errors, data, "email", max_length=254, required=False)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", EMAIL_INVALID)
    errors.raise_if_any()
    liaison = Liaison.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    created = liaison is None
    if created:
        liaison = Liaison(campaign=campaign, unit=unit, is_late=today() > campaign.liaison_due)
    liaison.name, liaison.position, liaison.phone, liaison.email = name, position, phone, email
    liaison.registered_by = actor
    try:
        with transaction.atomic():
            liaison.save()
    except IntegrityError:  # a colleague registered at the same moment
        raise Conflict(SIMULTANEOUS) from None
    audit_append(actor=actor, action="campaign.liaison", obj_type="campaign", obj_id=campaign.pk,
                 payload={"unit": unit.pk, "created": created, "late": liaison.is_late})  # no personal data
    return liaison


# --- activities ---------------------------------------------------------------------------------------------

def _checked_photos(errors, photos) -> list:
    from hazardwatch.reports.images import ImageRejected, check_image

    photos = [p for p in (photos or []) if p]
    limit = settings.HAZARDWATCH_MAX_PHOTOS
    if len(photos) > limit:
        errors.add(PHOTO_FIELD, str(TOO_MANY_PHOTOS).format(n=limit))
        return []
    checked = []
    for photo in photos:
        try:
            checked.append(check_image(photo))
        except ImageRejected as exc:
            errors.add(PHOTO_FIELD, str(exc))
    return checked


@transaction.atomic
def activity_create(*, actor, campaign_id: int, unit_id: int, data: dict, photos=()) -> Activity:
    campaign, unit = unit_access(actor, campaign_id, unit_id, write=True)
    errors = _Errors()
    kind = data.get("kind")
    if kind not in ActivityKind.values:
        errors.add("kind", ACTIVITY_KIND_INVALID)
    held_on = _date(errors, data, "held_on")
    if held_on is not None:
        if not campaign.starts_on <= held_on <= campaign.ends_on:
            errors.add("held_on", str(ACTIVITY_DATE_OUTSIDE).format(start=campaign.starts_on, end=campaign.ends_on))
        elif held_on > today():
            errors.add("held_on", ACTIVITY_IN_FUTURE)
    place = _text(errors, data, "place", max_length=200)
    participants = _int(errors, data, "participants", low=1, high=1_000_000, message=PARTICIPANTS_INVALID)
    description = _text(errors, data, "description", max_length=4000, required=False)
    checked = _checked_photos(errors, photos)
    errors.raise_if_any()
    activity = Activity.objects.create(campaign=campaign, unit=unit, kind=kind, held_on=held_on, place=place,
                                       participants=participants, description=description, created_by=actor)
    from hazardwatch.reports.images import make_derivatives

    for image in checked:
        clean, _thumb = make_derivatives(image.data)  # re-encoded: no EXIF or GPS kept
        photo = ActivityPhoto(activity=activity, extension="jpg", content_type="image/jpeg", width=image.width,
                              height=image.height, size_bytes=len(clean), sha256=image.sha256)
        photo.file.save(f"{activity.pk}.jpg", ContentFile(clean), save=False)
        photo.save()
    audit_append(actor=actor, action="campaign.activity", obj_type="campaign", obj_id=campaign.pk,
                 payload={"unit": unit.pk, "activity": activity.pk, "kind": kind, "participants": participants,
                          "photos": len(checked)})
    return activity


# --- summary ------------------------------------------------------------------------------------------------

@transaction.atomic
def summary_file(*, actor, campaign_id: int, unit_id: int, data: dict) -> SummaryVersion:
    """File (or, before the deadline, revise) the unit's summary. Late first filings are accepted, marked late."""
    from hazardwatch.campaigns.selectors import unit_platform_figures

    campaign, unit = unit_access(actor, campaign_id, unit_id, write=True)
    errors = _Errors()
    narrative = _text(errors, data, "narrative", max_length=10000)
    platform = unit_platform_figures(campaign, [unit.pk])
    sent = data.get("figures") or {}
    if not isinstance(sent, dict):
        errors.add("figures", FIGURE_INVALID)
        sent = {}
    figures = {}
    for key in FIGURE_KEYS:
        value = sent.get(key, data.get(key))
        if value in (None, ""):
            figures[key] = platform.get(key) or 0
        else:
            number = _int(errors, {key: value}, key, low=0, high=100_000_000, message=FIGURE_INVALID)
            figures[key] = number
    errors.raise_if_any()
    now = timezone.now()
    late = today() > campaign.summary_due
    summary = Summary.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    if summary is not None and late:
        raise Conflict(str(REVISION_CLOSED).format(due=campaign.summary_due))
    if summary is None:
        try:
            with transaction.atomic():
                summary = Summary.objects.create(campaign=campaign, unit=unit, first_filed_at=now, is_late=late)
        except IntegrityError:  # a colleague filed at the same moment
            raise Conflict(SIMULTANEOUS) from None
        number = 1
    else:
        number = summary.versions.count() + 1
    version = SummaryVersion.objects.create(summary=summary, number=number, filed_at=now, filed_by=actor,
                                            is_late=late, figures=figures, platform_figures=platform,
                                            narrative=narrative)
    summary.current = version
    summary.save(update_fields=["current", "updated_at"])
    audit_append(actor=actor, action="campaign.summary", obj_type="campaign", obj_id=campaign.pk,
                 payload={"unit": unit.pk, "version": number, "late": late, "figures": figures})
    return version
