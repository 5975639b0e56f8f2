"""Every write to the exposure column: propose, redact, and the one transition service.

Each call is one transaction that locks the publication row, checks `transitions.ALLOWED` and the actor's
role on the case (`cases.services.roles_on_case`), changes the row and appends one audit entry. Redacted
files written by a call that fails are removed again, so nothing half-stored remains.
"""
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases import services as case_services
from hazardwatch.cases.models import Case, EvidencePhoto
from hazardwatch.cases.selectors import case_reports
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.core.files import delete_quietly
from hazardwatch.exposure import redaction
from hazardwatch.exposure.choices import HIDDEN_CASE_STATUSES, PhotoKind, PhotoSource
from hazardwatch.exposure.choices import PublicationAction as A
from hazardwatch.exposure.choices import PublicationStatus as S
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.exposure.transitions import ALLOWED, NONE
from hazardwatch.places.models import Division, DivisionLevel
from hazardwatch.reports.models import ReportPhoto

CASE_NOT_FOUND = _("No such case.")
PUBLICATION_NOT_FOUND = _("No such publication.")
ACTION_UNKNOWN = _("Unknown action.")
ACTION_FORBIDDEN = _("You are not allowed to do “{action}” on this publication.")
ACTION_NOT_ALLOWED = _("“{action}” is not possible while the publication is “{status}”.")
CASE_HIDDEN = _("Only accepted cases can be proposed for exposure: not new, rejected or merged ones.")
ALREADY_PROPOSED = _("This case has already been proposed for exposure.")
SIGN_OFF_FOUR_EYES = _("You proposed or submitted this publication; another regulator leader must sign it off.")
SUBMIT_NEEDS_REDACTION = _("Save the redaction (text and photos) before submitting it for sign-off.")
REASON_REQUIRED = _("Please give a reason; it is kept in the audit log.")
TITLE_REQUIRED = _("The public title is required.")
TEXT_REQUIRED = _("The public text is required.")
TEXT_TOO_LONG = _("At most {limit} characters.")
TEXT_NOT_TEXT = _("{field} must be text.")
TEXT_HAS_PERSONAL_DATA = _("The public text still contains {what}. Remove anything that could identify the "
                           "reporter or another person.")
PHOTOS_MALFORMED = _("Photos must be a list of {source, id, boxes}.")
PHOTO_NOT_OF_CASE = _("Photo {source} #{id} is not a photo of this case.")
PHOTO_FAILED = _("Photo {source} #{id} could not be redacted: {reason}")
PHOTO_UNREADABLE = _("the file is missing or is not a readable image")
PHOTO_TWICE = _("Photo {source} #{id} is chosen twice.")
TOO_MANY_PHOTOS = _("At most {limit} photos can be published.")

TITLE_LIMIT = 120
TEXT_LIMIT = 4000
REASON_LIMIT = 1000
MAX_PHOTOS = 12

# Things the public text may never contain (on top of the case's own reporter identity, checked by value).
PERSONAL_PATTERNS = [
    (re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)"), _("a mobile phone number")),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), _("a telephone number")),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"), _("an ID card number")),
    (re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"), _("an e-mail address")),
    (re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}(?![0-9A-Za-z])"),
     _("a receipt code")),
]
REDACTED_MARK = "＊＊"


# --- helpers ----------------------------------------------------------------------------------------

def county_of(division: Division | None) -> Division | None:
    """The county-level ancestor (or the division itself if it is a county or coarser)."""
    if division is None:
        return None
    if division.level in (DivisionLevel.PROVINCE, DivisionLevel.PREFECTURE, DivisionLevel.COUNTY):
        return division
    for d in reversed(division.ancestors()):
        if d.level == DivisionLevel.COUNTY:
            return d
    return division.parent


def _reporter_values(case: Case, actor, purpose: str) -> list[str]:
    """Names, phones and e-mails of the case's reporters, to remove them from the public text.

    Every read goes through `reports.services.identity_read`, which writes its own audit entry.
    """
    from hazardwatch.reports.services import identity_read

    values = []
    for report in case_reports(case).filter(identity__isnull=False):
        data = identity_read(report=report, actor=actor, purpose=purpose) or {}
        for key in ("name", "phone", "email"):
            value = str(data.get(key) or "").strip()
            if len(value) >= 2:
                values.append(value)
    return values


def text_scrub(text: str, identity_values: list[str]) -> str:
    """The prefill: reporter identity values and personal-data patterns replaced by ＊＊."""
    for value in sorted(identity_values, key=len, reverse=True):
        text = text.replace(value, REDACTED_MARK)
    for pattern, _what in PERSONAL_PATTERNS:
        text = pattern.sub(REDACTED_MARK, text)
    return text


def _text(data: dict, key: str, *, limit: int, required=None) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        message = TEXT_NOT_TEXT.format(field=key)
        raise ApplicationError(message, {"fields": {key: [message]}})
    value = value.strip()
    if len(value) > limit:
        message = TEXT_TOO_LONG.format(limit=limit)
        raise ApplicationError(message, {"fields": {key: [message]}})
    if required is not None and not value:
        raise ApplicationError(required, {"fields": {key: [str(required)]}})
    return value


def _check_no_personal_data(fields: dict[str, str], identity_values: list[str]) -> None:
    for key, value in fields.items():
        found = None
        if any(v in value for v in identity_values):
            found = _("the reporter's name or contact")
        for pattern, what in PERSONAL_PATTERNS:
            if found is None and pattern.search(value):
                found = what
        if found is not None:
            message = TEXT_HAS_PERSONAL_DATA.format(what=found)
            raise ApplicationError(message, {"fields": {key: [message]}})


def _audit(publication: Publication, actor, action: str, from_status: str, payload: dict | None = None):
    return audit_append(actor=actor, action=f"exposure.{action}", obj_type="publication", obj_id=publication.pk,
                        payload={"case": publication.case_id, "from": from_status, "to": publication.status,
                                 **(payload or {})})


def _roles(actor, case: Case, publication: Publication | None = None) -> set[str]:
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound(CASE_NOT_FOUND)
    if publication is not None and not Publication.objects.visible_to(actor).filter(pk=publication.pk).exists():
        raise NotFound(PUBLICATION_NOT_FOUND)
    return case_services.roles_on_case(actor, case)


def _check(action: str, status: str, roles: set[str]) -> None:
    rule = ALLOWED[action]
    label = str(A(action).label)
    if not roles & rule.who:
        raise PermissionDenied(ACTION_FORBIDDEN.format(action=label))
    if status not in rule.sources:
        shown = S(status).label if status else _("not proposed")
        raise Conflict(ACTION_NOT_ALLOWED.format(action=label, status=shown), {"status": status, "action": action})


def actions_for(user, publication: Publication) -> list[str]:
    """The actions this user may take on this publication now (the staff page shows these)."""
    roles = case_services.roles_on_case(user, publication.case)
    out = [a for a, t in ALLOWED.items() if publication.status in t.sources and roles & t.who and a != A.PROPOSE]
    if A.SIGN_OFF in out and user.pk in (publication.proposed_by_id, publication.submitted_by_id):
        out.remove(A.SIGN_OFF)
    return out


# --- propose ----------------------------------------------------------------------------------------

@transaction.atomic
def publication_propose(*, case_id: int, actor) -> Publication:
    """Propose an accepted case for the column: a draft prefilled from the case with reporter data removed.

    Locks the case row, so two proposals of one case cannot both succeed.
    """
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    roles = _roles(actor, case)
    existing = Publication.objects.select_for_update().filter(case=case).first()
    status = existing.status if existing else NONE
    if existing is not None and status not in ALLOWED[A.PROPOSE].sources:
        raise Conflict(ALREADY_PROPOSED, {"publication_id": existing.pk, "status": status})
    _check(A.PROPOSE, status, roles)
    if case.status in HIDDEN_CASE_STATUSES:
        raise Conflict(CASE_HIDDEN, {"case_status": case.status})
    values = _reporter_values(case, actor, purpose=f"exposure proposal of case {case.reference}: remove reporter data")
    county = county_of(case.region)
    pub = existing or Publication(case=case)
    old_files = [p.file for p in pub.photos.all()] if existing else []
    if existing:
        existing.photos.all().delete()
    pub.status = S.DRAFT
    pub.public_title = text_scrub(case.title, values)[:TITLE_LIMIT]
    pub.public_text = text_scrub(case.description, values)[:TEXT_LIMIT]
    pub.region = county
    pub.region_path = county.path if county else ""
    pub.sector = case.sector
    pub.proposed_by = actor
    pub.submitted_by = pub.signed_off_by = None
    pub.redacted_at = pub.published_at = pub.taken_down_at = None
    pub.takedown_reason = pub.return_reason = ""
    pub.version += 1
    pub.save()
    _audit(pub, actor, A.PROPOSE, status, {"case_reference": case.reference})
    if old_files:
        transaction.on_commit(lambda: delete_quietly(old_files))
    return pub


# --- redaction --------------------------------------------------------------------------------------

def photo_candidates(case: Case) -> list[tuple[str, object]]:
    """The case's photos that may be chosen: report photos (before) and rectification evidence (after)."""
    report_photos = ReportPhoto.objects.filter(report__in=case_reports(case)).order_by("report__submitted_at",
                                                                                       "position", "pk")
    evidence = EvidencePhoto.objects.filter(event__case=case).order_by("event__at", "pk")
    return [(PhotoSource.REPORT, p) for p in report_photos] + [(PhotoSource.EVIDENCE, p) for p in evidence]


def _parse_photos(value) -> list[tuple[str, int, list]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ApplicationError(PHOTOS_MALFORMED, {"fields": {"photos": [str(PHOTOS_MALFORMED)]}})
    if len(value) > MAX_PHOTOS:
        message = TOO_MANY_PHOTOS.format(limit=MAX_PHOTOS)
        raise ApplicationError(message, {"fields": {"photos": [message]}})
    out, seen = [], set()
    for item in value:
        if not isinstance(item, dict) or item.get("source") not in PhotoSource.values:
            raise ApplicationError(PHOTOS_MALFORMED, {"fields": {"photos": [str(PHOTOS_MALFORMED)]}})
        raw_id = item.get("id")
        if isinstance(raw_id, bool) or not (isinstance(raw_id, int) or (isinstance(raw_id, str) and raw_id.isdigit())):
            raise ApplicationError(PHOTOS_MALFORMED, {"fields": {"photos": [str(PHOTOS_MALFORMED)]}})
        key = (item["source"], int(raw_id))
        if key in seen:
            message = PHOTO_TWICE.format(source=key[0], id=key[1])
            raise ApplicationError(message, {"fields": {"photos": [message]}})
        seen.add(key)
        try:
            boxes = redaction.boxes_parse(item.get("boxes"))
        except redaction.BoxesInvalid as exc:
            message = f"{key[0]} #{key[1]}: {exc}"
            raise ApplicationError(message, {"fields": {"boxes": [message]}, "photo": list(key)}) from None
        out.append((key[0], key[1], boxes))
    return out


def _source_bytes(source: str, photo) -> bytes:
    from hazardwatch.reports.images import ImageRejected, check_image

    field_file = photo.original if source == PhotoSource.REPORT else photo.file
    try:
        with field_file.open("rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError, ValueError):
        raise ValueError(str(PHOTO_UNREADABLE)) from None
    try:
        check_image(ContentFile(data, name=f"{source}-{photo.pk}"))
    except ImageRejected as exc:
        raise ValueError(str(exc)) from None
    return data


def publication_redact(*, publication_id: int, actor, title, text, photos) -> Publication:
    """Save the redaction: public title and text (checked for personal data) and the chosen photos, each
    re-encoded without metadata with faces and drawn boxes blurred. Replaces the previous photo set."""
    written: list = []
    try:
        with transaction.atomic():
            pub, old_files = _redact(publication_id, actor, title, text, photos, written)
    except Exception:
        delete_quietly(written)
        raise
    delete_quietly(old_files)
    return pub


def _redact(publication_id, actor, title, text, photos, written):
    pub = Publication.objects.select_for_update().select_related("case").filter(pk=publication_id).first()
    if pub is None:
        raise NotFound(PUBLICATION_NOT_FOUND)
    case = pub.case
    _check(A.REDACT, pub.status, _roles(actor, case, pub))
    data = {"title": title, "text": text}
    title = _text(data, "title", limit=TITLE_LIMIT, required=TITLE_REQUIRED)
    text = _text(data, "text", limit=TEXT_LIMIT, required=TEXT_REQUIRED)
    chosen = _parse_photos(photos)
    values = _reporter_values(case, actor, purpose=f"exposure redaction of case {case.reference}: check the text")
    _check_no_personal_data({"title": title, "text": text}, values)
    candidates = {(source, p.pk): p for source, p in photo_candidates(case)}
    for source, photo_id, _boxes in chosen:
        if (source, photo_id) not in candidates:
            message = PHOTO_NOT_OF_CASE.format(source=source, id=photo_id)
            raise ApplicationError(message, {"fields": {"photos": [message]}, "photo": [source, photo_id]})
    old_files = [p.file for p in pub.photos.all()]
    pub.photos.all().delete()
    positions = {PhotoKind.BEFORE: 0, PhotoKind.AFTER: 0}
    summary = []
    for source, photo_id, boxes in chosen:
        original = candidates[(source, photo_id)]
        try:
            result = redaction.redact_photo(_source_bytes(source, original), boxes)
        except (ValueError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) and str(exc) else str(PHOTO_UNREADABLE)
            message = PHOTO_FAILED.format(source=source, id=photo_id, reason=reason)
            raise ApplicationError(message, {"fields": {"photos": [message]}, "photo": [source, photo_id]}) from None
        kind = PhotoKind.BEFORE if source == PhotoSource.REPORT else PhotoKind.AFTER
        row = PublicationPhoto(publication=pub, kind=kind, source=source, source_id=photo_id, width=result.width,
                               height=result.height, size_bytes=len(result.data), sha256=result.sha256,
                               faces=result.faces, boxes=boxes, position=positions[kind])
        positions[kind] += 1
        row.file.save("r.jpg", ContentFile(result.data), save=False)
        written.append(row.file)
        row.save()
        summary.append({"source": source, "id": photo_id, "boxes": boxes, "faces": len(result.faces),
                        "sha256": result.sha256})
    pub.public_title = title
    pub.public_text = text
    pub.redacted_at = timezone.now()
    pub.version += 1
    pub.save()
    _audit(pub, actor, A.REDACT, pub.status, {"title": title, "photos": summary})
    return pub, old_files


# --- the transition service -------------------------------------------------------------------------

def publication_transition(*, publication_id: int, action: str, actor, data: dict | None = None) -> Publication:
    """Submit, return, sign off, take down, revise or withdraw a publication (see transitions.ALLOWED).

    Locks the publication row, checks the pair (status, action) and the actor's role on the case, applies
    the action and appends an audit entry, in one transaction.
    """
    data = data or {}
    if action not in ALLOWED or action in (A.PROPOSE, A.REDACT):
        raise ApplicationError(ACTION_UNKNOWN, {"fields": {"action": [str(ACTION_UNKNOWN)]}})
    with transaction.atomic():
        pub = Publication.objects.select_for_update().select_related("case").filter(pk=publication_id).first()
        if pub is None:
            raise NotFound(PUBLICATION_NOT_FOUND)
        roles = _roles(actor, pub.case, pub)
        from_status = pub.status
        _check(action, from_status, roles)
        payload = _HANDLERS[action](pub, actor, data)
        pub.status = ALLOWED[action].to
        pub.version += 1
        pub.save()
        _audit(pub, actor, action, from_status, payload)
    return pub


def _reason(data) -> str:
    return _text(data, "reason", limit=REASON_LIMIT, required=REASON_REQUIRED)


def _submit(pub, actor, data):
    if pub.redacted_at is None:
        raise ApplicationError(SUBMIT_NEEDS_REDACTION)
    pub.submitted_by = actor
    pub.return_reason = ""
    return {"note": _text(data, "note", limit=REASON_LIMIT)}


def _return(pub, actor, data):
    reason = _reason(data)
    pub.return_reason = reason
    pub.submitted_by = None
    return {"reason": reason}


def _sign_off(pub, actor, data):
    if actor.pk in (pub.proposed_by_id, pub.submitted_by_id):
        raise PermissionDenied(SIGN_OFF_FOUR_EYES)
    if pub.case.status in HIDDEN_CASE_STATUSES:
        raise Conflict(CASE_HIDDEN, {"case_status": pub.case.status})
    pub.signed_off_by = actor
    pub.published_at = timezone.now()
    pub.taken_down_at = None
    return {"note": _text(data, "note", limit=REASON_LIMIT), "title": pub.public_title,
            "photos": list(pub.photos.values_list("sha256", flat=True))}


def _take_down(pub, actor, data):
    reason = _reason(data)
    pub.takedown_reason = reason
    pub.taken_down_at = timezone.now()
    return {"reason": reason}


def _revise(pub, actor, data):
    pub.submitted_by = None
    pub.signed_off_by = None
    return {"note": _text(data, "note", limit=REASON_LIMIT)}


def _withdraw(pub, actor, data):
    return {"reason": _text(data, "reason", limit=REASON_LIMIT)}


_HANDLERS = {A.SUBMIT: _submit, A.RETURN: _return, A.SIGN_OFF: _sign_off, A.TAKE_DOWN: _take_down,
             A.REVISE: _revise, A.WITHDRAW: _withdraw}
