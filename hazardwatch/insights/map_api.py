"""Map API: H3 cluster counts for a viewport and a streamed GeoJSON export (mounted at /api/v1/map)."""
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router

from hazardwatch.accounts.selectors import user_is_staff_user
from hazardwatch.core.errors import ApplicationError, PermissionDenied
from hazardwatch.insights import maps
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["map"])

SIGN_IN = _("Sign in with a staff account to see the staff map.")
NO_ROLE = _("Your account has no role in a regulator department or a responsible unit.")


def _require_staff(request):
    if not request.user.is_authenticated:
        raise ApplicationError(SIGN_IN, status_code=401)
    if not user_is_staff_user(request.user):
        raise PermissionDenied(NO_ROLE)


@router.get("/clusters", url_name="clusters", response={200: dict, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Case counts per H3 cell for a viewport",
            description=(
                "Query: bbox=south,west,north,east (WGS-84), zoom=0..19, scope=public|staff, and filters "
                "status (comma list or 'open'), sector (comma list), grade (general|major|ungraded), "
                "from/to (YYYY-MM-DD, creation date), overdue (1|0). zoom ≤6 → H3 r3, 7–9 → r5, 10–12 → r7, "
                "≥13 → r9; staff get individual points from zoom 16. Public scope: accepted cases only, "
                "counts only."))
def clusters(request):
    q = maps.parse_map_query(request.GET)
    if q.scope == "staff":
        _require_staff(request)
    return maps.map_clusters(q, request.user)


@router.get("/export.geojson", url_name="export_geojson", response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Cases as a GeoJSON FeatureCollection (staff, streamed)",
            description="Same filters as /clusters; bbox optional, zoom ignored. Refused above 100,000 cases.")
def export_geojson(request):
    _require_staff(request)
    params = request.GET.copy()
    params.pop("zoom", None)
    params["scope"] = "staff"
    q = maps.parse_map_query(params, bbox_required=False, default_scope="staff")
    qs = maps.export_queryset(q, request.user)
    response = StreamingHttpResponse(maps.geojson_chunks(qs), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hazards.geojson"'
    response["Cache-Control"] = "private, no-store"
    return response
