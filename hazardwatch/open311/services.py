"""Open311 GeoReport v2 on top of the report intake (docs/open311.md).

Everything here raises `Open311Error(status, [descriptions])` for answers the standard calls errors; the
view renders them. Nothing is stored before every check has passed: POSTs are checked here, then handed
to `reports.services.report_submit` (the web form's intake), which checks again and stores in one
transaction, or, for batch services, stored encrypted and taken in by the `open311_batch_process` task.
"""
import datetime as dt
import json
import math
import re
import secrets
import uuid
from dataclasses import asdict

import h3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import CaseStatus
from hazardwatch.core import secrets as hw_secrets
from hazardwatch.core.errors import ApplicationError, RateLimited
from hazardwatch.open311 import catalogue
from hazardwatch.open311.models import Open311Request, RequestState
from hazardwatch.open311.render import Doc, Lst
from hazardwatch.reports import services as report_services
from hazardwatch.reports.choices import ReportSource

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DISCOVERY_CHANGESET = "2026-11-29T00:00:00Z"  # change when this document's content changes
WINDOW_DAYS = 90
LIMIT = 1000
DESCRIPTION_LIMIT = 4000  # the standard's limit; the intake's own limit (HAZARDWATCH_DESCRIPTION_MAX) applies too
MAX_IDS = 200
# Listed by GET requests (search): the same cases the public map counts (accepted by a regulator).
LISTED_STATUSES = frozenset(set(CaseStatus) - {CaseStatus.NEW, CaseStatus.REJECTED, CaseStatus.MERGED})
CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED})
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")

# User-visible texts (descriptions of errors, notices).
E_JURISDICTION = _("Unknown jurisdiction_id '{value}'.")
E_API_KEY_MISSING = _("api_key is required -- can't proceed with create_request.")
E_API_KEY_INVALID = _("Invalid api_key received -- can't proceed with create_request.")
E_SERVICE_CODE_MISSING = _("service_code is required.")
E_SERVICE_CODE_UNKNOWN = _("Unknown service_code '{value}'.")
E_LOCATION_MISSING = _("A location is required: lat and long (WGS-84 decimal degrees).")
E_LOCATION_ADDRESS_ONLY = _("address_string and address_id cannot be located here: send lat and long as well.")
E_LOCATION_PAIR = _("lat and long must be sent together.")
E_LOCATION_INVALID = _("lat and long must be decimal degrees (lat -90 to 90, long -180 to 180).")
E_CRS = _("attribute[coordinate_system] must be wgs84, gcj02 or bd09.")
# Not translated: client suites look for "CODE required" (docs/open311.md); the question itself is translated.
E_ATTR_REQUIRED = "{code} required: {description}"
E_ATTR_ONE_VALUE = _("attribute[{code}] takes one value.")
E_ATTR_NOT_IN_LIST = _("attribute[{code}]: '{value}' is not one of the listed keys.")
E_ATTR_NUMBER = _("attribute[{code}] must be a number.")
E_ATTR_DATETIME = _("attribute[{code}] must be a date-time with a time zone, e.g. 2026-05-01T08:30:00+08:00.")
E_ATTR_STRING = _("attribute[{code}] must be one line of at most 300 characters.")
E_ATTR_TEXT = _("attribute[{code}] is longer than 2000 characters.")
E_DESCRIPTION_LONG = _("description is longer than 4000 characters.")
E_MEDIA_URL = _("media_url must be an http or https URL of at most 500 characters.")
E_MEDIA_BATCH = _("Files can be uploaded only to realtime services; send media_url instead.")
E_DATE = _("{name} must be a W3C date-time with a time zone, e.g. 2026-05-01T00:00:00Z.")
E_DATE_ORDER = _("end_date is before start_date.")
E_DATE_RANGE = _("The date range may not exceed 90 days.")
E_STATUS = _("status must be open, closed or open,closed.")
E_PAGE = _("{name} must be a whole number from 1 to {limit}.")
E_TOO_MANY_IDS = _("At most 200 service_request_id values can be asked for at once.")
E_REQUEST_UNKNOWN = _("No service request has the id '{value}'.")
E_TOKEN_UNKNOWN = _("Unknown token '{value}'.")
E_TOKEN_FAILED = _("The request sent with this token was refused by the intake: {reason}")
NOTICE_RECEIVED = _("Received as case {reference}. Receipt code for the reporter (shown only once): {code}. "
                    "With it the reporter can follow the report on the status page.")
NOTICE_BATCH = _("Queued for the intake. Ask tokens/{token} for the service_request_id in a few seconds.")
NOTICE_NEW = _("The responsible department will check this report.")
NOTICE_OPEN = _("The hazard is being dealt with; the case is followed until the fix is checked.")
NOTICE_CLOSED = _("The fix was checked and the case closed.")
NOTES_REJECTED = _("{status}: {reason}")
ANSWERS_HEADING = _("Answers sent with the request:")
MEDIA_LINE = _("Media (link sent by the client, not downloaded): {url}")

# Intake error keys → the Open311 argument the client sent.
FIELD_NAMES = {
    "description": "description", "location": "lat/long", "crs": "attribute[coordinate_system]",
    "category": "service_code", "place_type": "attribute[place_type]", "address": "address_string",
    "contact.name": "first_name/last_name", "contact.phone": "phone", "contact.email": "email",
    "contact": "first_name/last_name/phone", "photos": "media",
}


class Open311Error(Exception):
    def __init__(self, status: int, descriptions, headers: dict | None = None):
        self.status = status
        self.descriptions = [str(d) for d in (descriptions if isinstance(descriptions, (list, tuple))
                                              else [descriptions])]
        self.headers = headers or {}
        super().__init__("; ".join(self.descriptions))


# --- conventions --------------------------------------------------------------------------------------

def jurisdictions() -> list[str]:
    return [j.strip().lower() for j in getattr(settings, "HAZARDWATCH_OPEN311_JURISDICTIONS", []) if j.strip()]


def check_jurisdiction(value: str) -> None:
    """Not required (single jurisdiction); when sent, it must be one of ours."""
    value = (value or "").strip()
    if value and value.lower() not in jurisdictions():
        raise Open311Error(404, E_JURISDICTION.format(value=value[:100]))


def w3c(moment) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def parse_w3c(name: str, raw: str) -> dt.datetime:
    """A W3C date-time with a time zone, or a plain date (midnight in the platform's time zone)."""
    raw = (raw or "").strip()
    parsed = None
    try:
        parsed = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None  # '+' arrives as ' ' unencoded
        if parsed is None and len(raw) == 10:
            day = parse_date(raw)
            parsed = timezone.make_aware(dt.datetime.combine(day, dt.time())) if day else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise Open311Error(400, E_DATE.format(name=name))
    return parsed


# --- discovery and services -----------------------------------------------------------------------------

def discovery_doc(endpoint_url: str) -> Doc:
    contact = getattr(settings, "HAZARDWATCH_OPEN311_CONTACT", "") or _g("Contact the platform's administrator.")
    return Doc("discovery", {
        "changeset": DISCOVERY_CHANGESET,
        "contact": contact,
        "key_service": _g("Ask the platform's administrator for an api_key "
                          "(created with: hazardwatch apikey create --name NAME)."),
        "endpoints": Lst("endpoint", [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": DISCOVERY_CHANGESET,
            "type": "test" if settings.DEBUG else "production",
            "formats": Lst("format", ["text/xml", "application/json"]),
        }]),
    })


def _service_dict(service: catalogue.Service) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description or None,
        "metadata": service.metadata,
        "type": service.type,
        "keywords": ", ".join(service.keywords) or None,
        "group": service.group_label or None,
    }


def services_doc() -> Doc:
    return Doc("services", Lst("service", [_service_dict(s) for s in catalogue.services_all()]))


def service_or_404(code: str) -> catalogue.Service:
    service = catalogue.service_get(code)
    if service is None:
        raise Open311Error(404, E_SERVICE_CODE_UNKNOWN.format(value=code[:60]))
    return service


def definition_doc(code: str) -> Doc:
    service = service_or_404(code)
    attributes = []
    for a in service.attributes:
        item = {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description or None,
            "order": a.order,
            "description": a.description,
        }
        if a.datatype in catalogue.LIST_TYPES:
            item["values"] = Lst("value", [{"key": v.key, "name": v.name} for v in a.values])
        attributes.append(item)
    return Doc("service_definition", {"service_code": service.code, "attributes": Lst("attribute", attributes)})


# --- POST requests --------------------------------------------------------------------------------------

def _first(params, name: str) -> str:
    values = [v for v in params.getlist(name) if str(v).strip() != ""]
    return str(values[0]).strip() if values else ""


def _attribute_values(params) -> dict[str, list[str]]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2 → {CODE: [values]} (empties dropped)."""
    found: dict[str, list[str]] = {}
    for key in params.keys():
        match = ATTRIBUTE_RE.match(key)
        if match:
            values = [str(v).strip() for v in params.getlist(key) if str(v).strip() != ""]
            if values:
                found.setdefault(match.group(1), []).extend(values)
    return found


def _check_attribute(attr: catalogue.Attribute, values: list[str], errors: list) -> list[str] | None:
    """The cleaned values of one answer, or None after adding an error."""
    code = attr.code
    if attr.datatype != "multivaluelist" and len(values) > 1:
        errors.append(E_ATTR_ONE_VALUE.format(code=code))
        return None
    if attr.datatype in catalogue.LIST_TYPES:
        keys = attr.value_keys()
        for value in values:
            if value not in keys:
                errors.append(E_ATTR_NOT_IN_LIST.format(code=code, value=value[:60]))
                return None
        return list(dict.fromkeys(values))
    value = values[0]
    if attr.datatype == "number":
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            errors.append(E_ATTR_NUMBER.format(code=code))
            return None
    elif attr.datatype == "datetime":
        try:
            valid = "T" in value and parse_w3c(code, value) is not None
        except Open311Error:
            valid = False
        if not valid:
            errors.append(E_ATTR_DATETIME.format(code=code))
            return None
    elif attr.datatype == "string":
        if len(value) > 300 or "\n" in value or "\r" in value:
            errors.append(E_ATTR_STRING.format(code=code))
            return None
    elif attr.datatype == "text" and len(value) > 2000:
        errors.append(E_ATTR_TEXT.format(code=code))
        return None
    return [value]


def _clean_post(params, files) -> tuple[catalogue.Service, report_services.ReportInput, dict]:
    """Check a POST against the standard and the service definition; (service, intake input, extra)."""
    code = _first(params, "service_code")
    if not code:
        raise Open311Error(400, E_SERVICE_CODE_MISSING)
    service = service_or_404(code)
    errors: list[str] = []

    lat, lon = _first(params, "lat"), _first(params, "long")
    if not lat and not lon:
        if _first(params, "address_string") or _first(params, "address_id"):
            errors.append(E_LOCATION_ADDRESS_ONLY)
        else:
            errors.append(E_LOCATION_MISSING)
    elif not (lat and lon):
        errors.append(E_LOCATION_PAIR)
    else:
        try:
            flat, flon = float(lat), float(lon)
            if not (math.isfinite(flat) and math.isfinite(flon) and -90 <= flat <= 90 and -180 <= flon <= 180):
                raise ValueError
        except ValueError:
            errors.append(E_LOCATION_INVALID)

    answers = _attribute_values(params)
    crs = "wgs84"
    if catalogue.CRS_ATTRIBUTE in answers:
        crs = answers[catalogue.CRS_ATTRIBUTE][0].lower()
        if crs not in ("wgs84", "gcj02", "bd09") or len(answers[catalogue.CRS_ATTRIBUTE]) > 1:
            errors.append(E_CRS)
    category, place_type, lines = service.category, "", []
    for attr in service.attributes:
        values = answers.get(attr.code)
        if not values:
            if attr.required and attr.variable:
                errors.append(E_ATTR_REQUIRED.format(code=attr.code, description=attr.description))
            continue
        clean = _check_attribute(attr, values, errors)
        if clean is None:
            continue
        if attr.maps_to == "category":
            category = clean[0]
        elif attr.maps_to == "place_type":
            place_type = clean[0]
        else:
            shown = ", ".join(attr.value_name(v) for v in clean) if attr.values else clean[0]
            lines.append(f"{attr.description} {shown}" if attr.description.endswith(("?", "？", ":", "："))
                         else f"{attr.description}: {shown}")

    description = (params.get("description") or "").strip()
    if len(description) > DESCRIPTION_LIMIT:
        errors.append(E_DESCRIPTION_LONG)
    media_url = _first(params, "media_url")
    if media_url:
        if len(media_url) > 500 or not re.match(r"^https?://[^\s/]+\S*$", media_url):
            errors.append(E_MEDIA_URL)
        else:
            lines.append(str(MEDIA_LINE).format(url=media_url))
    if files and service.type != "realtime":
        errors.append(E_MEDIA_BATCH)
    if errors:
        raise Open311Error(400, errors)

    full = description
    if lines and description:
        full = f"{description}\n\n{str(ANSWERS_HEADING)}\n" + "\n".join(lines)
    name = " ".join(p for p in (_first(params, "first_name"), _first(params, "last_name")) if p)
    data = report_services.ReportInput(
        description=full, latitude=lat, longitude=lon, crs=crs, category=category, place_type=place_type,
        address=_first(params, "address_string"), contact_name=name, contact_phone=_first(params, "phone"),
        contact_email=_first(params, "email"), source=ReportSource.API, photos=list(files),
    )
    # device_id is not stored (the platform keeps no client identifiers); account_id is only echoed back.
    return service, data, {"account_id": _first(params, "account_id")[:100] or None}


def _intake_errors(exc: ApplicationError) -> Open311Error:
    if isinstance(exc, RateLimited):
        retry = exc.extra.get("retry_after_seconds")
        return Open311Error(429, str(exc.message), {"Retry-After": str(retry)} if retry else {})
    fields = (exc.extra or {}).get("fields") or {}
    descriptions = [f"{FIELD_NAMES.get(key, key)}: {message}"
                    for key, messages in fields.items()
                    for message in (messages if isinstance(messages, (list, tuple)) else [messages])]
    return Open311Error(exc.status_code if exc.status_code in (400, 403, 404) else 400,
                        descriptions or [str(exc.message)])


def request_create(*, params, files, api_key) -> Doc:
    """POST requests: realtime → the intake now, answer the id; batch → store, answer a token."""
    service, data, extra = _clean_post(params, files)
    try:
        if api_key is not None:
            from hazardwatch.core.ratelimit import check_rate_key

            check_rate_key("device", api_key.key_hash)  # per key, like device keys (not per client address)
        if service.type == "realtime":
            with transaction.atomic():
                report, receipt = report_services.report_submit(data, limit_reporter=True)
                Open311Request.objects.create(service_code=service.code, api_key=api_key, state=RequestState.DONE,
                                              report=report, processed_at=timezone.now())
            item = {"service_request_id": str(report.public_id),
                    "service_notice": str(NOTICE_RECEIVED).format(reference=report.case.reference
                                                                      if report.case else "", code=receipt),
                    "account_id": extra["account_id"]}
        else:
            report_services.report_validate(data)  # refuse now what the worker would refuse
            token = secrets.token_urlsafe(18)
            payload = asdict(data)
            payload.pop("photos", None)
            payload.pop("device", None)
            payload.pop("reported_unit", None)
            with transaction.atomic():
                row = Open311Request.objects.create(
                    service_code=service.code, api_key=api_key, token=token, state=RequestState.PENDING,
                    payload=hw_secrets.encrypt_text(json.dumps(payload, ensure_ascii=False)))
                from hazardwatch.open311 import tasks

                row_id = row.pk
                transaction.on_commit(lambda: tasks.open311_batch_process.enqueue(row_id))
            item = {"token": token, "service_notice": str(NOTICE_BATCH).format(token=token),
                    "account_id": extra["account_id"]}
    except ApplicationError as exc:
        raise _intake_errors(exc) from None
    return Doc("service_requests", Lst("request", [item]))


def batch_process(row_id: int) -> str:
    """Run the intake for one waiting batch request; the submission is emptied whatever the outcome."""
    with transaction.atomic():
        row = Open311Request.objects.select_for_update().filter(pk=row_id).first()
        if row is None or row.state != RequestState.PENDING:
            return row.state if row else "missing"
        fields = json.loads(hw_secrets.decrypt_text(row.payload))
        data = report_services.ReportInput(**fields)
        try:
            with transaction.atomic():
                report, _receipt = report_services.report_submit(data, limit_reporter=True)
            row.state, row.report = RequestState.DONE, report
        except ApplicationError as exc:
            row.state = RequestState.FAILED
            row.error = "; ".join(_intake_errors(exc).descriptions)[:2000]
        row.payload = ""
        row.processed_at = timezone.now()
        row.save(update_fields=["state", "report", "error", "payload", "processed_at"])
        return row.state


def token_doc(token: str) -> Doc:
    row = Open311Request.objects.filter(token=token).select_related("report").first() if token else None
    if row is None:
        raise Open311Error(404, E_TOKEN_UNKNOWN.format(value=token[:60]))
    if row.state == RequestState.FAILED:
        raise Open311Error(400, E_TOKEN_FAILED.format(reason=row.error))
    request_id = str(row.report.public_id) if row.report_id else None
    return Doc("service_requests", Lst("request", [{"service_request_id": request_id, "token": token}]))


# --- GET requests ---------------------------------------------------------------------------------------

def _reports():
    from hazardwatch.reports.models import Report

    # Employee reports are confidential (protection against retaliation): never shown through Open311.
    return (Report.objects.filter(case__isnull=False).exclude(source=ReportSource.EMPLOYEE)
            .select_related("case", "case__merged_into", "region", "open311"))


def _survivor(case):
    from hazardwatch.cases.selectors import case_survivor

    return case_survivor(case)


def _county_address(region) -> str:
    """The county-level place and above, most specific first (never the address or the point)."""
    if region is None:
        return ""
    chain = region.ancestors()
    kept = [d for d in chain if d.level in ("province", "prefecture", "county")]
    return ", ".join(d.name for d in reversed(kept))


def _public_events(cases: set) -> dict:
    from hazardwatch.cases.models import CaseEvent

    events: dict[int, list] = {}
    for e in CaseEvent.objects.filter(case_id__in=cases, is_public=True).order_by("at", "id"):
        events.setdefault(e.case_id, []).append(e)
    return events


def _request_item(report, events: dict, with_notes: bool, regions: dict) -> dict:
    own = report.case
    shown = _survivor(own)
    history = list(events.get(own.pk, []))
    if shown is not own:
        merged_at = history[-1].at if history else own.created_at
        history += [e for e in events.get(shown.pk, []) if e.at >= merged_at]
    status = "closed" if shown.status in CLOSED_STATUSES else "open"
    label = str(CaseStatus(shown.status).label)
    if shown.status == CaseStatus.REJECTED and shown.public_reason:
        notes = str(NOTES_REJECTED).format(status=label, reason=shown.public_reason)
    else:
        notes = label
    notice = {CaseStatus.NEW: NOTICE_NEW, CaseStatus.CLOSED: NOTICE_CLOSED}.get(
        shown.status, None if shown.status == CaseStatus.REJECTED else NOTICE_OPEN)
    row = getattr(report, "open311", None)
    service = catalogue.service_get(row.service_code) if row else catalogue.service_for_category(report.category)
    code = service.code if service else (row.service_code if row else report.category)
    updated = None
    if status == "closed" and shown.closed_at:
        updated = shown.closed_at
    elif len(history) > 1:
        updated = history[-1].at
    lat = lon = None
    if report.h3_r7:
        lat, lon = (round(x, 5) for x in h3.cell_to_latlng(report.h3_r7))
    if report.region_id not in regions:
        regions[report.region_id] = _county_address(report.region)
    item = {
        "service_request_id": str(report.public_id),
        "status": status,
        "status_notes": notes,
        "service_name": service.name if service else report.get_category_display(),
        "service_code": code,
        "description": "",
        "agency_responsible": None,
        "service_notice": str(notice) if notice else None,
        "requested_datetime": w3c(report.submitted_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": None,
        "address": regions[report.region_id],
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }
    if with_notes:
        item["notes"] = Lst("note", [{
            "datetime": w3c(e.at),
            "type": e.action,
            "status": "closed" if e.to_status in CLOSED_STATUSES else "open",
            "summary": str(CaseStatus(e.to_status).label) if e.to_status else "",
        } for e in history])
    return item


def _items(reports, with_notes: bool) -> list[dict]:
    reports = list(reports)
    cases = {r.case_id for r in reports}
    for r in reports:
        shown = _survivor(r.case)
        cases.add(shown.pk)
    events = _public_events(cases)
    regions: dict = {}
    return [_request_item(r, events, with_notes, regions) for r in reports]


def _parse_ids(raw: str) -> list[uuid.UUID]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) > MAX_IDS:
        raise Open311Error(400, E_TOO_MANY_IDS)
    return [uuid.UUID(p) for p in parts if UUID_RE.match(p)]


def request_doc(request_id: str, with_notes: bool) -> Doc:
    report = _reports().filter(public_id=uuid.UUID(request_id)).first() if UUID_RE.match(request_id) else None
    if report is None:
        raise Open311Error(404, E_REQUEST_UNKNOWN.format(value=request_id[:60]))
    return Doc("service_requests", Lst("request", _items([report], with_notes)))


def _page_arg(params, name: str, default: int, limit: int) -> int:
    raw = _first(params, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        raise Open311Error(400, E_PAGE.format(name=name, limit=limit))
    return int(raw)


def _codes_filter(raw: str) -> Q:
    codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    services = [service_or_404(c) for c in codes]
    web_categories = [s.category for s in services if catalogue.service_for_category(s.category) is s]
    return Q(open311__service_code__in=[s.code for s in services]) | Q(open311__isnull=True,
                                                                       category__in=web_categories)


def search_doc(params, with_notes: bool) -> tuple[Doc, dict]:
    """GET requests; returns the document and paging headers (extension)."""
    ids = _first(params, "service_request_id")
    if ids:
        wanted = _parse_ids(ids)
        found = {r.public_id: r for r in _reports().filter(public_id__in=wanted)}
        reports = [found[i] for i in dict.fromkeys(wanted) if i in found]
        return Doc("service_requests", Lst("request", _items(reports, with_notes))), {}

    qs = _reports().filter(case__status__in=list(LISTED_STATUSES))
    codes = _first(params, "service_code")
    if codes:
        qs = qs.filter(_codes_filter(codes))
    status = _first(params, "status")
    if status:
        wanted = {s.strip().lower() for s in status.split(",") if s.strip()}
        if not wanted or not wanted <= {"open", "closed"}:
            raise Open311Error(400, E_STATUS)
        if wanted == {"open"}:
            qs = qs.exclude(case__status__in=list(CLOSED_STATUSES))
        elif wanted == {"closed"}:
            qs = qs.filter(case__status__in=list(CLOSED_STATUSES))
    start_raw, end_raw = _first(params, "start_date"), _first(params, "end_date")
    start = parse_w3c("start_date", start_raw) if start_raw else None
    end = parse_w3c("end_date", end_raw) if end_raw else None
    window = dt.timedelta(days=WINDOW_DAYS)
    if start and end:
        if end < start:
            raise Open311Error(400, E_DATE_ORDER)
        if end - start > window:
            raise Open311Error(400, E_DATE_RANGE)
    elif start:
        end = start + window
    elif end:
        start = end - window
    else:
        end = timezone.now()
        start = end - window
    qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
    page = _page_arg(params, "page", 1, 1_000_000)
    size = _page_arg(params, "page_size", LIMIT, LIMIT)
    qs = qs.order_by("-submitted_at", "-id")
    rows = list(qs[(page - 1) * size: page * size + 1])
    more = len(rows) > size
    headers = {"X-Open311-Page": str(page), "X-Open311-Page-Size": str(size),
               "X-Open311-Has-More": "true" if more else "false"}
    return Doc("service_requests", Lst("request", _items(rows[:size], with_notes))), headers
