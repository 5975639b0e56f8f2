"""Risk list API: risk points (list, create, update, delete, case links) and the four-colour map layers.

Map layers are GeoJSON FeatureCollections. Errors are {"message", "extra"}; field errors in extra.fields.
"""
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hazardwatch.accounts.models import Organization
from hazardwatch.api.pagination import page, paginate
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.places.models import Division
from hazardwatch.reports.schemas import ErrorOut
from hazardwatch.risk import selectors, services
from hazardwatch.risk.choices import LEVEL_COLOUR, RiskLevel
from hazardwatch.risk.models import RiskBand, RiskPoint

router = Router(tags=["risk"], auth=django_auth)

ORG_OR_REGION = _("Give org (an organization id) or region (a division code).")
ORG_NOT_FOUND = _("No such organization in your view.")
REGION_NOT_FOUND = _("No such region.")
UNKNOWN_FILTER = _("Unknown filter: {names}.")


class PointFilter(Schema):
    org: int | None = None
    region: str | None = Field(None, max_length=12)
    level: RiskLevel | None = None
    method: str | None = Field(None, pattern="^(lec|ls)$")
    accident_type: str | None = Field(None, max_length=40)
    control_level: str | None = Field(None, pattern="^(company|department|team|post)$")
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


class PointIn(Schema):
    """Scores are taken as given (numbers or strings) and checked against the method's scale by the service."""

    organization_id: int | None = None
    region: str | None = Field(None, max_length=12)
    name: Any = None
    area: Any = None
    zone: Any = None
    lat: Any = None
    lon: Any = None
    activity: Any = None
    hazard_factors: Any = None
    accident_types: Any = None
    method: Any = None
    l: Any = None  # noqa: E741
    e: Any = None
    c: Any = None
    s: Any = None
    control_level: Any = None
    measures_engineering: Any = None
    measures_management: Any = None
    measures_training: Any = None
    measures_ppe: Any = None
    measures_emergency: Any = None
    responsible_person: Any = None
    responsible_department: Any = None
    review_date: Any = None


class LinkIn(Schema):
    case_id: int


def _num(v):
    return None if v is None else float(v)


def point_out(p: RiskPoint) -> dict:
    return {
        "id": p.pk, "organization_id": p.organization_id,
        "organization": p.organization.display_name if p.organization_id else None,
        "region": p.region_id, "name": p.name, "area": p.area, "zone": p.zone, "lat": p.lat, "lon": p.lon,
        "activity": p.activity, "hazard_factors": p.hazard_factors, "accident_types": p.accident_types,
        "method": p.method, "l": _num(p.score_l), "e": _num(p.score_e), "c": _num(p.score_c), "s": _num(p.score_s),
        "value": float(p.value), "level": p.level, "colour": p.colour, "effective_level": p.effective_level,
        "effective_colour": p.effective_colour, "forced_red": bool(getattr(p, "has_open_major", False)),
        "control_level": p.control_level,
        "measures": {k.removeprefix("measures_"): getattr(p, k) for k in (
            "measures_engineering", "measures_management", "measures_training", "measures_ppe", "measures_emergency")},
        "responsible_person": p.responsible_person, "responsible_department": p.responsible_department,
        "review_date": p.review_date.isoformat() if p.review_date else None, "review_overdue": p.is_review_overdue,
        "updated_at": p.updated_at.isoformat(),
    }


def _reject_unknown(request, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApplicationError(str(UNKNOWN_FILTER).format(names=", ".join(unknown)),
                               extra={"fields": {k: ["unknown"] for k in unknown}})


def _region_path(code: str) -> str:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise NotFound(REGION_NOT_FOUND)
    return division.path


@router.get("/bands", summary="The bands that turn a value into a level")
def band_list(request):
    services.risk_bands("lec"), services.risk_bands("ls")
    return [{"method": b.method, "min": float(b.min_value), "max": _num(b.max_value), "level": b.level,
             "colour": LEVEL_COLOUR[RiskLevel(b.level)]} for b in RiskBand.objects.all()]


@router.get("/points", response={200: dict, 400: ErrorOut, 404: ErrorOut}, summary="The risk list, filtered")
def point_list(request, filters: Query[PointFilter]):
    _reject_unknown(request, set(PointFilter.model_fields))
    region_path = _region_path(filters.region) if filters.region else None
    qs = selectors.risk_point_list_for_user(
        request.user, filters.dict(exclude={"limit", "offset", "cursor", "org", "region"}, exclude_none=True),
        org_id=filters.org, region_path=region_path)
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="risk.points")
    return Status(200, page([point_out(p) for p in rows], next_cursor, qs.count()))


@router.post("/points", response={201: dict, 400: ErrorOut, 403: ErrorOut}, summary="Register a risk point")
def point_create(request, payload: PointIn):
    point = services.risk_point_create(actor=request.user, data=payload.dict())
    return Status(201, point_out(services.risk_point_get_visible(user=request.user, point_id=point.pk)))


# Before /points/{point_id}: Django tries the routes in order.
@router.get("/points/export.xlsx", response={200: None, 400: ErrorOut, 404: ErrorOut},
            summary="The filtered risk list as Excel (the same filters as GET /risk/points)")
def point_export(request, filters: Query[PointFilter]):
    from django.utils import timezone

    from hazardwatch.core.http import xlsx_response
    from hazardwatch.risk import export
    from hazardwatch.risk.views import EXPORT_TOO_LARGE

    _reject_unknown(request, set(PointFilter.model_fields) - {"limit", "offset", "cursor"})
    region_path = _region_path(filters.region) if filters.region else None
    qs = selectors.risk_point_list_for_user(
        request.user, filters.dict(exclude={"limit", "offset", "cursor", "org", "region"}, exclude_none=True),
        org_id=filters.org, region_path=region_path)
    count = qs.count()
    if count > export.EXPORT_MAX_ROWS:
        raise ApplicationError(str(EXPORT_TOO_LARGE).format(count=count, limit=export.EXPORT_MAX_ROWS))
    data = export.risk_list_workbook(qs.iterator(chunk_size=2000), title=str(_("Risk list")))
    return xlsx_response(data, f"risk-list-{timezone.localdate():%Y%m%d}.xlsx")


@router.get("/points/{point_id}", response={200: dict, 404: ErrorOut})
def point_detail(request, point_id: int):
    return Status(200, point_out(services.risk_point_get_visible(user=request.user, point_id=point_id)))


@router.patch("/points/{point_id}", response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
              summary="Change a risk point (fields not sent keep their values)")
def point_update(request, point_id: int, payload: PointIn):
    services.risk_point_update(actor=request.user, point_id=point_id, data=payload.dict(exclude_unset=True))
    return Status(200, point_out(services.risk_point_get_visible(user=request.user, point_id=point_id)))


@router.delete("/points/{point_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def point_delete(request, point_id: int):
    services.risk_point_delete(actor=request.user, point_id=point_id)
    return Status(204, None)


@router.post("/points/{point_id}/cases", response={201: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Link a hazard case found at this risk point")
def point_link_case(request, point_id: int, payload: LinkIn):
    services.risk_point_link_case(actor=request.user, point_id=point_id, case_id=payload.case_id)
    return Status(201, point_out(services.risk_point_get_visible(user=request.user, point_id=point_id)))


@router.delete("/points/{point_id}/cases/{case_id}", response={200: dict, 403: ErrorOut, 404: ErrorOut})
def point_unlink_case(request, point_id: int, case_id: int):
    services.risk_point_unlink_case(actor=request.user, point_id=point_id, case_id=case_id)
    return Status(200, point_out(services.risk_point_get_visible(user=request.user, point_id=point_id)))


@router.get("/zones", response={200: dict, 400: ErrorOut, 404: ErrorOut},
            summary="Four-colour map, enterprise scale: zones filled by their highest level (GeoJSON)")
def zones(request, org: int):
    _reject_unknown(request, {"org"})
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    organization = Organization.objects.filter(pk=org).select_related("region").first()
    j = jurisdiction_for_user(request.user)
    if organization is None or not (j.is_admin or org in j.unit_org_ids
                                    or any(organization.region.path.startswith(p) for p, _s in j.areas)):
        raise NotFound(ORG_NOT_FOUND)
    return Status(200, selectors.risk_zones_geojson(request.user, org_id=org))


@router.get("/enterprises", response={200: dict, 400: ErrorOut, 404: ErrorOut},
            summary="Four-colour map, regional scale: organizations coloured by their highest level (GeoJSON)")
def enterprises(request, region: str):
    _reject_unknown(request, {"region"})
    return Status(200, selectors.risk_enterprises_geojson(request.user, region_path=_region_path(region[:12])))


@router.get("/major-hazards", response={200: dict, 400: ErrorOut, 404: ErrorOut},
            summary="Open confirmed major hazards as GeoJSON points (overlay)")
def major_hazards(request, org: int | None = None, region: str | None = None):
    _reject_unknown(request, {"org", "region"})
    if org is None and not region:
        raise ApplicationError(ORG_OR_REGION)
    return Status(200, selectors.open_major_hazards_geojson(
        request.user, org_id=org, region_path=_region_path(region[:12]) if region else None))
