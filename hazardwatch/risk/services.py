"""Every write to the risk list: bands, grading, risk points, and links to hazard cases. All audited."""
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.places.models import Division
from hazardwatch.risk import geometry
from hazardwatch.risk.choices import (
    CONTROL_MEASURE_FIELDS, LEC_C, LEC_E, LEC_L, LS_SCALE, AccidentType, ControlLevel, HazardFactorCategory,
    RiskLevel, RiskMethod,
)
from hazardwatch.risk.models import RiskBand, RiskPoint, RiskPointCase

BANDS_FILE = Path(__file__).resolve().parent / "data" / "bands.yaml"

RISK_POINT_NOT_FOUND = _("No such risk point.")
RISK_POINT_INVALID = _("The risk point has invalid fields.")
RISK_POINT_READ_ONLY = _("You may view this risk list but not change it; only the organization's own staff can.")
ORGANIZATION_UNKNOWN = _("Unknown organization.")
ORGANIZATION_NOT_A_UNIT = _("Risk points belong to an enterprise, school or community, or to a region.")
REGION_UNKNOWN = _("Unknown region.")
OWNER_REQUIRED = _("Choose the organization, or the region for a public place.")
FIELD_REQUIRED = _("This field is required.")
METHOD_UNKNOWN = _("Choose LEC or LS.")
SCORE_NOT_ON_SCALE = _("{name} must be one of {allowed}.")
SCORE_NOT_FOR_METHOD = _("{name} is not used by this method; leave it empty.")
CONTROL_LEVEL_UNKNOWN = _("Choose company, department, team or post.")
ACCIDENT_TYPE_UNKNOWN = _("Unknown accident type: {value}.")
ACCIDENT_TYPES_LIST = _("Accident types must be a list of GB 6441 codes.")
HAZARD_FACTORS_LIST = _("Hazard factors must be a list of {category, description} with a GB/T 13861 category.")
DATE_INVALID = _("Give a date as YYYY-MM-DD.")
LOCATION_INVALID = _("Latitude and longitude must both be given, inside the service area.")
TEXT_TOO_LONG = _("At most {limit} characters.")
NO_BAND = _("No risk band covers the value {value} for {method}; check the bands in the admin.")
CASE_NOT_FOUND = _("No such case.")
CASE_ALREADY_LINKED = _("This case is already linked to the risk point.")
CASE_NOT_LINKED = _("This case is not linked to the risk point.")
BANDS_FILE_INVALID = _("The bands file is not valid: {reason}")

TEXT_LIMITS = {"name": 120, "area": 120, "activity": 200, "responsible_person": 80, "responsible_department": 120,
               **{f: 4000 for f in CONTROL_MEASURE_FIELDS}}


# --- bands --------------------------------------------------------------------------------------------

def _read_bands_file(path: Path = BANDS_FILE) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ApplicationError(str(BANDS_FILE_INVALID).format(reason="not a mapping"))
    out = {}
    for method, rows in data.items():
        if method not in RiskMethod.values or not isinstance(rows, list):
            raise ApplicationError(str(BANDS_FILE_INVALID).format(reason=f"unknown method {method!r}"))
        for row in rows:
            if not isinstance(row, dict) or row.get("level") not in RiskLevel.values or row.get("min") is None:
                raise ApplicationError(str(BANDS_FILE_INVALID).format(reason=f"bad row {row!r}"))
        out[method] = rows
    return out


@transaction.atomic
def risk_bands_load(*, actor=None, path: Path = BANDS_FILE, methods: list[str] | None = None) -> int:
    """Replace the bands of each method in the file with the file's rows. Returns the number of rows."""
    data = _read_bands_file(path)
    n = 0
    for method, rows in data.items():
        if methods is not None and method not in methods:
            continue
        RiskBand.objects.filter(method=method).delete()
        for row in rows:
            band = RiskBand(method=method, level=row["level"], min_value=Decimal(str(row["min"])),
                            max_value=None if row.get("max") is None else Decimal(str(row["max"])),
                            note=str(row.get("note", ""))[:200])
            band.full_clean()
            band.save()
            n += 1
        audit_append(actor=actor, action="risk_bands.load", obj_type="risk.RiskBand", obj_id=method,
                     payload={"rows": rows})
    return n


def risk_bands(method: str) -> list[RiskBand]:
    """The bands of a method; loaded from the data file the first time none exist."""
    bands = list(RiskBand.objects.filter(method=method).order_by("-min_value"))
    if not bands:
        risk_bands_load(actor="system", methods=[method])
        bands = list(RiskBand.objects.filter(method=method).order_by("-min_value"))
    return bands


def risk_level_for(method: str, value: Decimal, bands: list[RiskBand] | None = None) -> str:
    for band in bands if bands is not None else risk_bands(method):
        if value >= band.min_value and (band.max_value is None or value < band.max_value):
            return band.level
    raise ApplicationError(str(NO_BAND).format(value=value, method=method))


def _decimal(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise InvalidOperation
    d = Decimal(str(raw).strip())
    if not d.is_finite():
        raise InvalidOperation
    return d


def _fmt(scale) -> str:
    return ", ".join(f"{x.normalize():f}" for x in scale)


def risk_score(method: str, *, l=None, e=None, c=None, s=None) -> tuple[dict, dict]:
    """Check scores against the method's scales. Returns (clean scores incl. value, field errors)."""
    errors: dict[str, list[str]] = {}
    if method not in RiskMethod.values:
        return {}, {"method": [str(METHOD_UNKNOWN)]}
    spec = ({"l": ("L", LEC_L), "e": ("E", LEC_E), "c": ("C", LEC_C)} if method == RiskMethod.LEC
            else {"l": ("L", LS_SCALE), "s": ("S", LS_SCALE)})
    raw = {"l": l, "e": e, "c": c, "s": s}
    clean = {}
    for key, given in raw.items():
        try:
            value = _decimal(given)
        except (InvalidOperation, ValueError, TypeError):
            value, given = None, "bad"
        if key not in spec:
            if given not in (None, ""):
                errors[key] = [str(SCORE_NOT_FOR_METHOD).format(name=key.upper())]
            clean[key] = None
            continue
        name, scale = spec[key]
        if value is None and given in (None, ""):
            errors[key] = [str(FIELD_REQUIRED)]
        elif value is None or value not in scale:
            errors[key] = [str(SCORE_NOT_ON_SCALE).format(name=name, allowed=_fmt(scale))]
        else:
            clean[key] = value
    if errors:
        return clean, errors
    if method == RiskMethod.LEC:
        clean["value"] = clean["l"] * clean["e"] * clean["c"]
    else:
        clean["value"] = clean["l"] * clean["s"]
    return clean, {}


# --- permissions --------------------------------------------------------------------------------------

def can_edit_org_points(user, org_id: int | None) -> bool:
    """Admins, and the organization's own staff. Regulators read only; region points are admins' only."""
    j = jurisdiction_for_user(user)
    if j.is_admin:
        return True
    return org_id is not None and org_id in j.unit_org_ids


def risk_point_get_visible(*, user, point_id: int) -> RiskPoint:
    point = (RiskPoint.objects.visible_to(user).with_effective_level().select_related("organization", "region")
             .filter(pk=point_id).first())
    if point is None:
        raise NotFound(RISK_POINT_NOT_FOUND)
    return point


# --- cleaning -----------------------------------------------------------------------------------------

FIELDS = ("organization_id", "region", "name", "area", "zone", "lat", "lon", "activity", "hazard_factors",
          "accident_types", "method", "l", "e", "c", "s", "control_level", *CONTROL_MEASURE_FIELDS,
          "responsible_person", "responsible_department", "review_date")


def _current(point: RiskPoint) -> dict:
    return {
        "organization_id": point.organization_id, "region": point.region_id, "name": point.name, "area": point.area,
        "zone": point.zone, "lat": None if point.zone else point.lat, "lon": None if point.zone else point.lon,
        "activity": point.activity, "hazard_factors": point.hazard_factors, "accident_types": point.accident_types,
        "method": point.method, "l": point.score_l, "e": point.score_e, "c": point.score_c, "s": point.score_s,
        "control_level": point.control_level, **{f: getattr(point, f) for f in CONTROL_MEASURE_FIELDS},
        "responsible_person": point.responsible_person, "responsible_department": point.responsible_department,
        "review_date": point.review_date,
    }


def _clean(data: dict, errors: dict) -> dict:
    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    out = {}
    for field, limit in TEXT_LIMITS.items():
        value = data.get(field)
        value = "" if value is None else value
        if not isinstance(value, str):
            err(field, _("Must be text."))
            continue
        value = value.strip()
        if len(value) > limit:
            err(field, str(TEXT_TOO_LONG).format(limit=limit))
        out[field] = value
    for field in ("name", "responsible_person"):
        if field in out and not out[field]:
            err(field, FIELD_REQUIRED)

    org = None
    if data.get("organization_id") not in (None, ""):
        try:
            org = Organization.objects.select_related("region").filter(pk=int(data["organization_id"])).first()
        except (TypeError, ValueError):
            org = None
        if org is None:
            err("organization_id", ORGANIZATION_UNKNOWN)
        elif org.kind not in (OrganizationKind.ENTERPRISE, OrganizationKind.SCHOOL, OrganizationKind.COMMUNITY):
            err("organization_id", ORGANIZATION_NOT_A_UNIT)
    region = None
    if data.get("region") not in (None, ""):
        region = Division.objects.filter(code=str(data["region"])[:12]).first()
        if region is None:
            err("region", REGION_UNKNOWN)
    if org is None and region is None and "organization_id" not in errors and "region" not in errors:
        err("organization_id", OWNER_REQUIRED)
    out["organization"], out["region"] = org, region

    zone = data.get("zone")
    out["zone"] = None
    if zone not in (None, "", {}):
        try:
            out["zone"] = geometry.zone_validate(zone)
        except geometry.ZoneError as exc:
            err("zone", exc.args[0])
    lat, lon = data.get("lat"), data.get("lon")
    out["lat"] = out["lon"] = None
    if lat not in (None, "") or lon not in (None, ""):
        from hazardwatch.places.geo import in_area

        try:
            flat, flon = float(lat), float(lon)
            if isinstance(lat, bool) or isinstance(lon, bool) or not in_area(flat, flon):
                raise ValueError
            out["lat"], out["lon"] = flat, flon
        except (TypeError, ValueError):
            err("lat", LOCATION_INVALID)

    factors = data.get("hazard_factors") or []
    ok = isinstance(factors, list) and all(
        isinstance(f, dict) and f.get("category") in HazardFactorCategory.values
        and isinstance(f.get("description"), str) and 0 < len(f["description"].strip()) <= 500 for f in factors
    ) and len(factors) <= 50
    if not ok:
        err("hazard_factors", HAZARD_FACTORS_LIST)
    else:
        out["hazard_factors"] = [{"category": f["category"], "description": f["description"].strip()} for f in factors]
    types = data.get("accident_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        err("accident_types", ACCIDENT_TYPES_LIST)
    else:
        for t in types:
            if t not in AccidentType.values:
                err("accident_types", str(ACCIDENT_TYPE_UNKNOWN).format(value=t[:40]))
        out["accident_types"] = list(dict.fromkeys(types))

    method = data.get("method")
    scores, score_errors = risk_score(method, l=data.get("l"), e=data.get("e"), c=data.get("c"), s=data.get("s"))
    for k, v in score_errors.items():
        errors.setdefault(k, []).extend(v)
    out["method"], out["scores"] = method, scores
    if data.get("control_level") not in ControlLevel.values:
        err("control_level", CONTROL_LEVEL_UNKNOWN)
    out["control_level"] = data.get("control_level")
    review = data.get("review_date")
    out["review_date"] = None
    if isinstance(review, dt.date):
        out["review_date"] = review
    elif review not in (None, ""):
        try:
            out["review_date"] = dt.date.fromisoformat(str(review)[:10])
        except ValueError:
            err("review_date", DATE_INVALID)
    return out


def _apply(point: RiskPoint, c: dict) -> None:
    point.organization = c["organization"]
    point.region = c["region"]
    owner_region = c["organization"].region if c["organization"] else c["region"]
    point.region_path = owner_region.path
    for field in ("name", "area", "activity", "responsible_person", "responsible_department", *CONTROL_MEASURE_FIELDS):
        setattr(point, field, c[field])
    point.zone = c["zone"]
    point.hazard_factors, point.accident_types = c["hazard_factors"], c["accident_types"]
    point.method, point.control_level, point.review_date = c["method"], c["control_level"], c["review_date"]
    s = c["scores"]
    point.score_l, point.score_e, point.score_c, point.score_s = s["l"], s["e"], s["c"], s["s"]
    point.value = s["value"]
    point.level = risk_level_for(c["method"], s["value"])
    if c["zone"]:
        lat, lon = geometry.zone_anchor(c["zone"])
    elif c["lat"] is not None:
        lat, lon = c["lat"], c["lon"]
    elif c["organization"] and c["organization"].lat is not None:
        lat, lon = c["organization"].lat, c["organization"].lon
    else:
        lat = lon = None
    point.input_crs = ""
    if lat is None:
        point.lat = point.lon = point.input_lat = point.input_lon = None
        point.h3_r5 = point.h3_r7 = point.h3_r9 = ""
    else:
        point.set_location(lat, lon)


def _snapshot(point: RiskPoint) -> dict:
    return {
        "organization": point.organization_id, "region": point.region_id, "name": point.name, "area": point.area,
        "zone": point.zone, "activity": point.activity, "hazard_factors": point.hazard_factors,
        "accident_types": point.accident_types, "method": point.method, "l": point.score_l, "e": point.score_e,
        "c": point.score_c, "s": point.score_s, "value": point.value, "level": point.level,
        "control_level": point.control_level, **{f: getattr(point, f) for f in CONTROL_MEASURE_FIELDS},
        "responsible_person": point.responsible_person, "responsible_department": point.responsible_department,
        "review_date": point.review_date, "lat": point.lat, "lon": point.lon,
    }


def _plain(v):
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _check_owner_writable(actor, c: dict) -> None:
    org = c["organization"]
    if not can_edit_org_points(actor, org.pk if org else None):
        raise PermissionDenied(RISK_POINT_READ_ONLY)


# --- risk points --------------------------------------------------------------------------------------

@transaction.atomic
def risk_point_create(*, actor, data: dict) -> RiskPoint:
    """Register a risk point: scores → value → level by the bands. Staff of the organization, or admins."""
    errors: dict = {}
    c = _clean({k: data.get(k) for k in FIELDS}, errors)
    if not errors:
        _check_owner_writable(actor, c)
    if errors:
        raise ApplicationError(RISK_POINT_INVALID, extra={"fields": errors})
    point = RiskPoint()
    _apply(point, c)
    point.full_clean()
    point.save()
    audit_append(actor=actor, action="risk_point.create", obj_type="risk.RiskPoint", obj_id=point.pk,
                 payload={k: _plain(v) for k, v in _snapshot(point).items()})
    return point


@transaction.atomic
def risk_point_update(*, actor, point_id: int, data: dict) -> RiskPoint:
    """Change a risk point (partial: fields not given keep their values). Locks the row."""
    point = risk_point_get_visible(user=actor, point_id=point_id)
    if not can_edit_org_points(actor, point.organization_id):
        raise PermissionDenied(RISK_POINT_READ_ONLY)
    point = RiskPoint.objects.select_for_update().get(pk=point.pk)
    merged = {**_current(point), **{k: v for k, v in data.items() if k in FIELDS}}
    if "zone" in data and data["zone"] not in (None, "", {}) and "lat" not in data:
        merged["lat"] = merged["lon"] = None
    errors: dict = {}
    c = _clean(merged, errors)
    if errors:
        raise ApplicationError(RISK_POINT_INVALID, extra={"fields": errors})
    _check_owner_writable(actor, c)  # moving a point to another organization needs rights there too
    before = _snapshot(point)
    _apply(point, c)
    point.full_clean()
    point.save()
    after = _snapshot(point)
    changed = {k: [_plain(before[k]), _plain(after[k])] for k in after if before[k] != after[k]}
    if changed:
        audit_append(actor=actor, action="risk_point.update", obj_type="risk.RiskPoint", obj_id=point.pk,
                     payload={"changed": changed})
    return point


@transaction.atomic
def risk_point_delete(*, actor, point_id: int) -> None:
    point = risk_point_get_visible(user=actor, point_id=point_id)
    if not can_edit_org_points(actor, point.organization_id):
        raise PermissionDenied(RISK_POINT_READ_ONLY)
    snapshot = {k: _plain(v) for k, v in _snapshot(point).items()}
    point.delete()
    audit_append(actor=actor, action="risk_point.delete", obj_type="risk.RiskPoint", obj_id=point_id,
                 payload=snapshot)


# --- links to hazard cases ------------------------------------------------------------------------------

def can_link_cases(actor, point: RiskPoint) -> bool:
    """The organization's staff and admins, and regulators who see the point (a hazard they found there)."""
    j = jurisdiction_for_user(actor)
    return can_edit_org_points(actor, point.organization_id) or j.is_regulator


_can_link = can_link_cases


@transaction.atomic
def risk_point_link_case(*, actor, point_id: int, case_id: int) -> RiskPointCase:
    """Record that a hazard case was found at the risk point. Both must be visible to the actor."""
    from hazardwatch.cases.models import Case

    point = risk_point_get_visible(user=actor, point_id=point_id)
    if not _can_link(actor, point):
        raise PermissionDenied(RISK_POINT_READ_ONLY)
    case = Case.objects.visible_to(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if RiskPointCase.objects.filter(risk_point=point, case=case).exists():
        raise ApplicationError(CASE_ALREADY_LINKED, status_code=409)
    link = RiskPointCase.objects.create(risk_point=point, case=case,
                                        linked_by=actor if getattr(actor, "pk", None) else None)
    audit_append(actor=actor, action="risk_point.link_case", obj_type="risk.RiskPoint", obj_id=point.pk,
                 payload={"case": case.pk, "reference": case.reference, "grade": case.grade, "status": case.status})
    return link


@transaction.atomic
def risk_point_unlink_case(*, actor, point_id: int, case_id: int) -> None:
    point = risk_point_get_visible(user=actor, point_id=point_id)
    if not _can_link(actor, point):
        raise PermissionDenied(RISK_POINT_READ_ONLY)
    deleted, _n = RiskPointCase.objects.filter(risk_point=point, case_id=case_id).delete()
    if not deleted:
        raise NotFound(CASE_NOT_LINKED)
    audit_append(actor=actor, action="risk_point.unlink_case", obj_type="risk.RiskPoint", obj_id=point.pk,
                 payload={"case": case_id})
