"""Report intake, receipt look-up, reporter identity, device keys."""
import datetime
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.core import secrets as hw_secrets
from hazardwatch.core.audit import audit_append
from hazardwatch.core.choices import SECTOR_VALUES
from hazardwatch.core.files import delete_quietly
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound
from hazardwatch.places import geo
from hazardwatch.reports.choices import CATEGORY_SECTOR, PlaceType, ReportCategory, ReportSource
from hazardwatch.reports.images import ImageRejected, check_clean_image, check_image
from hazardwatch.reports.models import DeviceKey, Report, ReporterIdentity, ReportPhoto

REPORT_INVALID = _("The report has errors. Please correct them and submit again.")
DESCRIPTION_REQUIRED = _("Please describe the hazard.")
DESCRIPTION_TOO_LONG = _("The description is longer than {limit} characters.")
DESCRIPTION_TOO_SHORT = _("Please describe the hazard in at least 5 characters.")
COORDINATES_REQUIRED = _("Please give the location of the hazard.")
COORDINATES_INVALID = _("Latitude and longitude must be numbers.")
COORDINATES_OUTSIDE = _("The location is outside the area served by this platform.")
CRS_UNKNOWN = _("Unknown coordinate system; use wgs84, gcj02 or bd09.")
CATEGORY_UNKNOWN = _("Unknown category.")
PLACE_TYPE_UNKNOWN = _("Unknown place type.")
ADDRESS_TOO_LONG = _("The address is longer than 300 characters.")
NAME_TOO_LONG = _("The name is longer than 50 characters.")
PHONE_INVALID = _("Enter a mainland mobile number (11 digits starting with 1) or a landline with area code.")
EMAIL_INVALID = _("Enter a valid email address.")
TOO_MANY_PHOTOS = _("At most {limit} photos can be attached.")
RECEIPT_MALFORMED = _("This is not a valid receipt code. It has 16 letters and digits, like 7KQ2-M9XD-4T0B-RW8E.")
RECEIPT_UNKNOWN = _("No report has this receipt code.")
EMPLOYEE_NEEDS_CONTACT = _("Employee reports need your name and phone so the department can protect and reply to you.")
CONFIDENCE_INVALID = _("Confidence must be a number between 0 and 1.")
SECTOR_INVALID = _("Unknown sector.")
FEEDBACK_NOT_CLOSED = _("The case is not closed, so there is nothing to confirm yet.")
FEEDBACK_ALREADY = _("This report has already answered whether the hazard was fixed.")
FEEDBACK_EXPIRED = _("The time to answer has passed ({days} days after closure). Please report the hazard again.")
FEEDBACK_ANSWER_REQUIRED = _("Answer yes or no: was the hazard fixed?")
FEEDBACK_ONE_PHOTO = _("Attach at most one photo.")
FEEDBACK_NOT_FIXED_DEFAULT = _("The reporter says the hazard is not fixed.")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def phone_normalize(raw: str) -> str | None:
    """Strip +86 / 0086, spaces and dashes from a mobile; keep a landline's area-code dash."""
    value = re.sub(r"[\s()]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    mobile = value.replace("-", "")
    if MOBILE_RE.match(mobile):
        return mobile
    if LANDLINE_RE.match(value):
        return value
    return None


@dataclass
class ReportInput:
    """What a reporter sent, from the form, the API or a device, before validation."""

    description: str = ""
    latitude: object = None
    longitude: object = None
    crs: str = "wgs84"
    category: str = ""
    place_type: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    is_employee: bool = False
    source: str = ReportSource.WEB
    device: DeviceKey | None = None
    device_model: str = ""
    confidence: object = None
    photos: list = field(default_factory=list)
    # The reference of a likely duplicate the reporter chose to follow instead of opening a new case.
    follow_reference: str = ""
    # Set only by internal callers (checklists, drills), never from a public form: a pre-classified sector that
    # overrides the guess from the words, and the unit where the hazard is (the case's responsible unit).
    sector: str = ""
    reported_unit: object = None


@dataclass
class CleanReport:
    description: str
    lat: float
    lon: float
    crs: str
    category: str
    place_type: str
    address: str
    contact: dict
    is_employee: bool
    source: str
    device: DeviceKey | None
    device_model: str
    confidence: float | None
    images: list
    follow_reference: str = ""
    sector: str = ""
    reported_unit: object = None


def reporter_key(contact: dict) -> str:
    """Keyed hash (HMAC-SHA256) of an identified reporter's phone, else e-mail; "" for anonymous reports.

    Used only to count reports per reporter (rate limit, untrue share); the clear value stays encrypted
    in ReporterIdentity.
    """
    value = contact.get("phone") or (contact.get("email") or "").lower()
    if not value:
        return ""
    key = hw_secrets._derived_key("reporter", settings.HAZARDWATCH_RECEIPT_KEY)
    return hmac.new(key, f"reporter:{value}".encode(), hashlib.sha256).hexdigest()


def report_validate(data: ReportInput) -> CleanReport:
    """Check every field; raise one ApplicationError listing all problems in extra.fields."""
    errors: dict[str, list[str]] = {}

    def err(name, message):
        errors.setdefault(name, []).append(str(message))

    description = (data.description or "").strip()
    limit = settings.HAZARDWATCH_DESCRIPTION_MAX
    if not description:
        err("description", DESCRIPTION_REQUIRED)
    elif len(description) > limit:
        err("description", DESCRIPTION_TOO_LONG.format(limit=limit))
    elif len(description) < 5:
        err("description", DESCRIPTION_TOO_SHORT)

    crs = (data.crs or "wgs84").strip().lower()
    if crs not in ("wgs84", "gcj02", "bd09"):
        err("crs", CRS_UNKNOWN)
    lat = lon = None
    if data.latitude in (None, "") or data.longitude in (None, ""):
        err("location", COORDINATES_REQUIRED)
    else:
        try:
            lat, lon = float(data.latitude), float(data.longitude)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
                raise ValueError
        except (TypeError, ValueError):
            err("location", COORDINATES_INVALID)
            lat = lon = None
    if lat is not None and "crs" not in errors:
        wlat, wlon = geo.to_wgs84(lat, lon, crs)
        if not geo.in_area(wlat, wlon):
            err("location", COORDINATES_OUTSIDE)

    category = (data.category or ReportCategory.OTHER).strip()
    if category not in ReportCategory.values:
        err("category", CATEGORY_UNKNOWN)
    place_type = (data.place_type or "").strip()
    if place_type and place_type not in PlaceType.values:
        err("place_type", PLACE_TYPE_UNKNOWN)
    address = (data.address or "").strip()
    if len(address) > 300:
        err("address", ADDRESS_TOO_LONG)

    contact = {}
    name = (data.contact_name or "").strip()
    if len(name) > 50:
        err("contact.name", NAME_TOO_LONG)
    elif name:
        contact["name"] = name
    if (data.contact_phone or "").strip():
        phone = phone_normalize(data.contact_phone)
        if phone is None:
            err("contact.phone", PHONE_INVALID)
        else:
            contact["phone"] = phone
    email = (data.contact_email or "").strip()
    if email:
        if len(email) > 254 or not EMAIL_RE.match(email):
            err("contact.email", EMAIL_INVALID)
        else:
            contact["email"] = email
    if data.is_employee and not ("name" in contact and "phone" in contact):
        err("contact", EMPLOYEE_NEEDS_CONTACT)

    confidence = None
    if data.confidence not in (None, ""):
        try:
            confidence = float(data.confidence)
            if not 0 <= confidence <= 1:
                raise ValueError
        except (TypeError, ValueError):
            err("confidence", CONFIDENCE_INVALID)

    images = []
    if len(data.photos) > settings.HAZARDWATCH_MAX_PHOTOS:
        err("photos", TOO_MANY_PHOTOS.format(limit=settings.HAZARDWATCH_MAX_PHOTOS))
    else:
        for upload in data.photos:
            try:
                images.append(check_image(upload))
            except ImageRejected as exc:
                err("photos", exc)

    sector = str(data.sector or "").strip()
    if sector and sector not in SECTOR_VALUES:
        err("sector", SECTOR_INVALID)

    if errors:
        raise ApplicationError(REPORT_INVALID, {"fields": errors})
    return CleanReport(
        description=description, lat=lat, lon=lon, crs=crs, category=category, place_type=place_type,
        address=address, contact=contact, is_employee=bool(data.is_employee), source=data.source,
        device=data.device, device_model=(data.device_model or "")[:120], confidence=confidence, images=images,
        follow_reference=str(data.follow_reference or "").strip()[:24], sector=sector,
        reported_unit=data.reported_unit,
    )


def report_submit(data: ReportInput, *, limit_reporter: bool = False,
                  defer_triage: bool = False) -> tuple[Report, str]:
    """Validate, then store the report, photos, identity and its case in one transaction.

    With `defer_triage` (the public intake points: web form, API, devices) the transaction holds the report
    as received, its photos and identity, a "report.receive" audit entry and the `report_triage` task, and
    the sector guess, criteria candidates and case follow in the worker (DESIGN.md §4, steps 2–3): the
    acknowledgement waits only for what must be durable. A report following a case the reporter chose is
    always checked inline (a wrong reference is the reporter's 400, not a failed task).

    Returns the report and the receipt code, which exists only in this return value (stored hashed).
    Photo files are written before the commit, so a stored photo row always has its file. If the
    transaction fails before its commit, the files are removed, so a rejected submission leaves nothing
    behind; if the commit itself fails (outcome unknown) they stay, and the orphan sweep removes them
    later should no row refer to them.
    """
    from hazardwatch.cases import services as case_services
    from hazardwatch.jobs.queue import enqueue_with_transaction
    from hazardwatch.reports import tasks as report_tasks

    clean = report_validate(data)
    if limit_reporter:  # public entry points: reports per identified reporter (keyed hash), any client
        from hazardwatch.core.ratelimit import check_rate_key

        check_rate_key("reporter", reporter_key(clean.contact))
    phashes = [image.phash for image in clean.images]
    receipt = hw_secrets.receipt_new()
    written: list = []
    committing = False
    try:
        with transaction.atomic():
            report = Report(
                receipt_hash=hw_secrets.receipt_hash(hw_secrets.receipt_normalize(receipt)),
                submitted_at=timezone.now(),
                source=clean.source,
                description=clean.description,
                category=clean.category,
                place_type=clean.place_type,
                address=clean.address,
                is_anonymous=not clean.contact,
                device=clean.device,
                device_model=clean.device_model,
                confidence=clean.confidence,
                reporter_key=reporter_key(clean.contact),
                followed_existing=bool(clean.follow_reference),
                reported_unit=clean.reported_unit,
            )
            report.set_location(clean.lat, clean.lon, clean.crs)
            from hazardwatch.places.services import division_code_for_point

            # The region's code straight from the centroid table (no query; the case, opened later, reads it).
            # No uniqueness or foreign-key queries: public_id is a fresh UUID4 and the constraints stand behind.
            report.region_id = division_code_for_point(report.lat, report.lon)
            report.full_clean(exclude=["case", "receipt_hash", "region"], validate_unique=False)
            report.save()
            for position, image in enumerate(clean.images):
                photo = ReportPhoto(
                    report=report, extension=image.extension, content_type=image.content_type,
                    width=image.width, height=image.height, size_bytes=len(image.data), sha256=image.sha256,
                    exif_lat=image.exif_lat, exif_lon=image.exif_lon, taken_at=image.taken_at, position=position,
                    phash=phashes[position],
                )
                photo.original.save(f"p.{image.extension}", ContentFile(image.data), save=False)
                written.append(photo.original)
                photo.save()
            if clean.contact:
                ReporterIdentity.objects.create(
                    report=report, ciphertext=hw_secrets.encrypt_text(json.dumps(clean.contact, ensure_ascii=False)),
                    is_employee=clean.is_employee,
                )
            if clean.follow_reference:
                _report_triage(report, clean.category, clean.sector)
                case_services.case_follow_for_report(report=report, reference=clean.follow_reference,
                                                     phashes=[h for h in phashes if h])
            elif defer_triage:
                audit_append(actor=None, action="report.receive", obj_type="report", obj_id=report.pk,
                             payload={"source": report.source, "photos": len(clean.images)})
                result = enqueue_with_transaction(report_tasks.report_triage, report.pk, clean.sector)
                if result is not None and result.is_finished:  # run inline (the immediate backend of tests)
                    report.refresh_from_db(fields=["case", "sector_guess", "is_major_candidate"])
            else:
                _report_triage(report, clean.category, clean.sector)
                case_services.case_open_for_report(report=report)
            if clean.images:
                report_id = report.pk
                transaction.on_commit(lambda: report_tasks.report_photos_process.enqueue(report_id))
            # Past this line an error may come from the COMMIT itself (the database died while answering it)
            # or from an on-commit callback: the rows may be stored, so their files must stay. Files of a
            # transaction that did not commit after all are removed by the orphan sweep (jobs/recovery.py).
            committing = True
    except Exception:
        if not committing:
            delete_quietly(written)
        raise
    return report, receipt


def report_triage_run(report_id: int, sector: str = "") -> str:
    """The deferred half of intake (`report_submit(defer_triage=True)`): sector guess, criteria candidates and
    the case, opened and routed. Runs in the worker; idempotent (a report that has its case is left alone), so
    a task run again after a crash, or queued twice by the recovery sweep, opens one case. The matching (the
    CPU-heavy part) runs before the write transaction, which SQLite serializes with intake. Returns the case
    reference ("" for a report that no longer exists)."""
    from hazardwatch.cases import services as case_services

    report = Report.objects.filter(pk=report_id).select_related("case").first()
    if report is None or report.case_id:
        return report.case.reference if report else ""
    matched = _triage_match(report, report.category, sector)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return ""
        if report.case_id is None:
            _triage_store(report, matched, sector)
            case_services.case_open_for_report(report=report)
        return report.case.reference


def _report_triage(report: Report, category: str, sector: str = "") -> None:
    """Sector and criteria candidates from the words (the chosen category weighs in as a prior).

    A pre-classified `sector` (a checklist item's, say) is kept as the sector; the words still find candidates.
    """
    _triage_store(report, _triage_match(report, category, sector), sector)


def _triage_match(report: Report, category: str, sector: str):
    from hazardwatch.criteria import services as criteria_services

    prior = sector or (CATEGORY_SECTOR.get(category) if category and category != ReportCategory.OTHER else None)
    return criteria_services.report_match_compute(report=report, category_sector=prior)


def _triage_store(report: Report, result, sector: str) -> None:
    from hazardwatch.criteria import services as criteria_services

    criteria_services.report_match_store(report=report, result=result)
    report.sector_guess = sector or result.sector
    report.is_major_candidate = result.is_major_candidate
    report.save(update_fields=["sector_guess", "is_major_candidate"])


def report_by_receipt(code: str) -> Report:
    """Find a report by its receipt code (keyed hash lookup, then a constant-time comparison)."""
    normalized = hw_secrets.receipt_normalize(code)
    if normalized is None:
        raise ApplicationError(RECEIPT_MALFORMED, {"fields": {"receipt_code": [str(RECEIPT_MALFORMED)]}})
    digest = hw_secrets.receipt_hash(normalized)
    report = Report.objects.filter(receipt_hash=digest).select_related("case").first()
    if report is None or not hw_secrets.constant_time_equal(report.receipt_hash, digest):
        raise NotFound(RECEIPT_UNKNOWN)
    return report


def identity_read(*, report: Report, actor, purpose: str) -> dict | None:
    """Decrypt the reporter's identity. Every call is written to the audit log, even when empty."""
    identity = ReporterIdentity.objects.filter(report=report).first()
    audit_append(actor=actor, action="identity.read", obj_type="report", obj_id=report.pk,
                 payload={"purpose": purpose, "present": identity is not None})
    if identity is None:
        return None
    data = json.loads(hw_secrets.decrypt_text(identity.ciphertext))
    data["is_employee"] = identity.is_employee
    return data


def device_key_create(*, name: str, kind: str, organization=None) -> tuple[DeviceKey, str]:
    """Create a device key; the plain key is returned once and stored only as a hash."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    plain = f"hwd_{prefix}_{secret}"
    key = DeviceKey.objects.create(
        name=name, kind=kind, organization=organization, prefix=prefix,
        key_hash=hashlib.sha256(plain.encode()).hexdigest(),
    )
    return key, plain


def device_key_check(plain: str) -> DeviceKey | None:
    parts = (plain or "").split("_")
    if len(parts) < 3 or parts[0] != "hwd":
        return None
    key = DeviceKey.objects.filter(prefix=parts[1], is_active=True).first()
    if key is None:
        return None
    if not hw_secrets.constant_time_equal(key.key_hash, hashlib.sha256(plain.encode()).hexdigest()):
        return None
    DeviceKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def _feedback_error(message, field_name="fixed"):
    return ApplicationError(message, {"fields": {field_name: [str(message)]}})


def _parse_fixed(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("yes", "true", "1", "fixed"):
        return True
    if text in ("no", "false", "0", "not_fixed"):
        return False
    raise _feedback_error(FEEDBACK_ANSWER_REQUIRED)


def report_fix_feedback(*, code: str, fixed, comment: str = "", photos=()):
    """The reporter answers "was it fixed?" by receipt code, after closure, once, within the window.

    "no" reopens the case for review (the reporter's dispute, CLOSED → TRIAGED, public, audited) with the
    photo attached to that event; "yes" is recorded as an internal confirmation event. A report whose case
    was merged answers for the surviving case. Nothing is stored unless every check passes.
    Returns the FixFeedback row.
    """
    from django.db import IntegrityError

    from hazardwatch.cases import services as case_services
    from hazardwatch.cases.choices import CaseAction, CaseStatus
    from hazardwatch.cases.models import CaseEvent
    from hazardwatch.cases.selectors import case_survivor
    from hazardwatch.reports.models import FixFeedback

    report = report_by_receipt(code)
    is_fixed = _parse_fixed(fixed)
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > 2000:
        raise _feedback_error(DESCRIPTION_TOO_LONG.format(limit=2000), "comment")
    photos = list(photos or [])
    if len(photos) > 1:
        raise _feedback_error(FEEDBACK_ONE_PHOTO, "photo")
    images = []
    for upload in photos:
        try:
            images.append(check_clean_image(upload))  # shown to the unit as evidence: no GPS of the reporter
        except ImageRejected as exc:
            raise _feedback_error(exc, "photo") from None
    if report.case is None:
        raise _feedback_error(FEEDBACK_NOT_CLOSED)
    case = case_survivor(report.case)
    if case.status != CaseStatus.CLOSED:
        raise Conflict(FEEDBACK_NOT_CLOSED, {"fields": {"fixed": [str(FEEDBACK_NOT_CLOSED)]}})
    if FixFeedback.objects.filter(report=report).exists():
        raise Conflict(FEEDBACK_ALREADY, {"fields": {"fixed": [str(FEEDBACK_ALREADY)]}})
    days = settings.HAZARDWATCH_FEEDBACK_WINDOW_DAYS
    if case.closed_at and timezone.now() - case.closed_at > datetime.timedelta(days=days):
        raise Conflict(FEEDBACK_EXPIRED.format(days=days), {"fields": {"fixed": [FEEDBACK_EXPIRED.format(days=days)]}})
    try:
        with transaction.atomic():
            feedback = FixFeedback.objects.create(report=report, case=case, is_fixed=is_fixed, comment=comment)
            data = {"_feedback_report_id": report.pk, "_has_files": len(images)}
            if is_fixed:
                data["note"] = comment
                action = CaseAction.CONFIRM_FIX
            else:
                data["reason"] = comment or str(FEEDBACK_NOT_FIXED_DEFAULT)
                action = CaseAction.DISPUTE
            case_services.case_transition(case_id=case.pk, action=action, actor="reporter", data=data,
                                          files=images, as_reporter=True)
            feedback.event = CaseEvent.objects.filter(case=case, action=action).order_by("-id").first()
            feedback.save(update_fields=["event"])
    except IntegrityError:
        raise Conflict(FEEDBACK_ALREADY, {"fields": {"fixed": [str(FEEDBACK_ALREADY)]}}) from None
    return feedback


def intake_count(name: str) -> None:
    """Add one to today's counter `name` (e.g. honeypot hits); nothing else is stored."""
    from django.db.models import F

    from hazardwatch.reports.models import IntakeCounter

    day = timezone.localdate()
    with transaction.atomic():
        row, created = IntakeCounter.objects.get_or_create(day=day, name=name, defaults={"count": 1})
        if not created:
            IntakeCounter.objects.filter(pk=row.pk).update(count=F("count") + 1)


def report_duplicates_lookup(*, latitude, longitude, crs: str = "wgs84", category: str = "", photos=()) -> list[dict]:
    """Likely duplicates for a report being written: public, redacted rows (see cases.duplicates).

    Validates the location, category and photos like intake (photos are hashed, never stored).
    """
    from hazardwatch.cases.duplicates import duplicate_candidates, public_candidate

    errors: dict[str, list[str]] = {}
    crs = (crs or "wgs84").strip().lower()
    if crs not in ("wgs84", "gcj02", "bd09"):
        errors.setdefault("crs", []).append(str(CRS_UNKNOWN))
    lat = lon = None
    try:
        lat, lon = float(latitude), float(longitude)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault("location", []).append(str(COORDINATES_REQUIRED if latitude in (None, "") else
                                                     COORDINATES_INVALID))
    if lat is not None and "crs" not in errors:
        lat, lon = geo.to_wgs84(lat, lon, crs)
        if not geo.in_area(lat, lon):
            errors.setdefault("location", []).append(str(COORDINATES_OUTSIDE))
    category = (category or "").strip()
    if category not in ReportCategory.values:
        errors.setdefault("category", []).append(str(CATEGORY_UNKNOWN))
    photos = list(photos or [])
    phashes = []
    if len(photos) > settings.HAZARDWATCH_MAX_PHOTOS:
        errors.setdefault("photos", []).append(TOO_MANY_PHOTOS.format(limit=settings.HAZARDWATCH_MAX_PHOTOS))
    else:
        for upload in photos:
            try:
                phashes.append(check_image(upload).phash)
            except ImageRejected as exc:
                errors.setdefault("photos", []).append(str(exc))
    if errors:
        raise ApplicationError(REPORT_INVALID, {"fields": errors})
    return [public_candidate(c) for c in duplicate_candidates(lat=lat, lon=lon, category=category,
                                                              phashes=[h for h in phashes if h])]
