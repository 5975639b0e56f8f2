"""Staff pages for the risk list: per organization and per region, the point form, Excel export, and the
four-colour map. Reads go through `RiskPoint.objects.visible_to`, writes through `risk.services`."""
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.accounts.models import Organization
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.cases.models import Case
from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.core.http import xlsx_response
from hazardwatch.places.models import Division
from hazardwatch.risk import export, geometry, selectors, services
from hazardwatch.risk.choices import LEVEL_COLOUR, RiskLevel
from hazardwatch.risk.forms import CaseLinkForm, RiskFilterForm, RiskPointForm
from hazardwatch.risk.models import RiskPoint
from hazardwatch.workbench.views import _forbidden, _not_found, _see_other, staff_required

PAGE_SIZE = 50
EXPORT_TOO_LARGE = _("This list has {count} rows; the Excel export is limited to {limit}. Narrow it with the "
                     "filters (level, method, accident type, control level) and export again.")
READ_ONLY_NOTICE = _("You can view this risk list; only the organization's own staff can change it.")
SAVED = _("Saved. The level is {level}.")
NO_RISK_VIEW = _("There is no risk list for your account: you are not staff of an organization or a regulator.")


def org_visible(user, org: Organization) -> bool:
    j = jurisdiction_for_user(user)
    return j.is_admin or org.pk in j.unit_org_ids or any(org.region.path.startswith(p) for p, _s in j.areas)


def region_visible(user, division: Division) -> bool:
    j = jurisdiction_for_user(user)
    return j.is_admin or any(division.path.startswith(p) for p, _s in j.areas)


def _get_org(user, org_id: int) -> Organization | None:
    org = Organization.objects.select_related("region").filter(pk=org_id).first()
    return org if org is not None and org_visible(user, org) else None


def _get_region(user, code: str) -> Division | None:
    division = Division.objects.filter(code=code).first()
    return division if division is not None and region_visible(user, division) else None


@require_GET
@staff_required
def index(request):
    """Send each user to their own list: their organization, their jurisdiction, or (admins) the top region."""
    j = jurisdiction_for_user(request.user)
    if j.unit_org_ids and not j.is_regulator:
        return HttpResponseRedirect(reverse("risk:org", args=[min(j.unit_org_ids)]))
    if j.areas:
        code = j.areas[0][0].strip("/").split("/")[-1]
        return HttpResponseRedirect(reverse("risk:region", args=[code]))
    if j.is_admin:
        top = Division.objects.order_by("depth", "code").first()
        if top is not None:
            return HttpResponseRedirect(reverse("risk:region", args=[top.code]))
    return _forbidden(request, NO_RISK_VIEW)


def _list_context(request, qs, *, title: str, scope: str, scope_id, can_edit: bool, form) -> dict:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    counts = {lvl.value: 0 for lvl in RiskLevel}
    for level, forced in qs.values_list("level", "has_open_major"):
        counts[RiskLevel.MAJOR if forced else level] += 1
    return {
        "title": title, "scope": scope, "scope_id": scope_id, "form": form, "page": page, "points": page.object_list,
        "querystring": params.urlencode(), "filtered": bool(form.filters()), "can_edit": can_edit,
        "counts": [(lvl, lvl.label, LEVEL_COLOUR[lvl], counts[lvl.value]) for lvl in RiskLevel],
        "today": timezone.localdate(), "nav": "risk",
    }


@require_GET
@staff_required
def org_list(request, org_id: int):
    org = _get_org(request.user, org_id)
    if org is None:
        return _not_found(request)
    form = RiskFilterForm(request.GET or None)
    qs = selectors.risk_point_list_for_user(request.user, form.filters(), org_id=org.pk)
    context = _list_context(request, qs, title=org.display_name, scope="org", scope_id=org.pk,
                            can_edit=services.can_edit_org_points(request.user, org.pk), form=form)
    context["org"] = org
    return render(request, "risk/list.html", context)


@require_GET
@staff_required
def region_list(request, code: str):
    division = _get_region(request.user, code)
    if division is None:
        return _not_found(request)
    form = RiskFilterForm(request.GET or None)
    qs = selectors.risk_point_list_for_user(request.user, form.filters(), region_path=division.path)
    context = _list_context(request, qs, title=division.name, scope="region", scope_id=division.code,
                            can_edit=False, form=form)
    context["division"] = division
    context["children"] = Division.objects.filter(parent=division).order_by("code")
    return render(request, "risk/list.html", context)


def _export(request, qs, title: str, filename: str):
    count = qs.count()
    if count > export.EXPORT_MAX_ROWS:
        message = str(EXPORT_TOO_LARGE).format(count=count, limit=export.EXPORT_MAX_ROWS)
        return render(request, "risk/message.html", {"message": message, "back": request.path.rsplit("/", 2)[0] + "/"},
                      status=400)
    data = export.risk_list_workbook(qs.iterator(chunk_size=2000), title=title)
    return xlsx_response(data, filename)


@require_GET
@staff_required
def org_export(request, org_id: int):
    org = _get_org(request.user, org_id)
    if org is None:
        return _not_found(request)
    form = RiskFilterForm(request.GET or None)
    qs = selectors.risk_point_list_for_user(request.user, form.filters(), org_id=org.pk)
    return _export(request, qs, org.name, f"risk-list-org-{org.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
@staff_required
def region_export(request, code: str):
    division = _get_region(request.user, code)
    if division is None:
        return _not_found(request)
    form = RiskFilterForm(request.GET or None)
    qs = selectors.risk_point_list_for_user(request.user, form.filters(), region_path=division.path)
    return _export(request, qs, division.name_zh, f"risk-list-{division.code}-{timezone.localdate():%Y%m%d}.xlsx")


def _save(request, form, *, org: Organization, point: RiskPoint | None):
    if not form.is_valid():
        return None
    data = form.service_data()
    try:
        if point is None:
            saved = services.risk_point_create(actor=request.user, data={**data, "organization_id": org.pk})
        else:
            saved = services.risk_point_update(actor=request.user, point_id=point.pk, data=data)
    except ApplicationError as exc:
        if exc.status_code == 400 and exc.extra.get("fields"):
            form.add_service_errors(exc.extra["fields"])
            return None
        raise
    return saved


def _draw_context(org: Organization | None, point: RiskPoint | None) -> dict:
    """Where the zone drawing map opens (WGS-84; the script shifts it for GCJ-02 tiles) and at what zoom, and
    where the site's other zones come from (shown for orientation)."""
    extra = {"max_vertices": geometry.MAX_VERTICES,
             "context_url": f"/api/v1/risk/zones?org={org.pk}" if org is not None else ""}
    for obj in (point, org, org.region if org is not None else None, point.region if point is not None else None):
        if obj is not None and getattr(obj, "lat", None) is not None and getattr(obj, "lon", None) is not None:
            zoom = 17 if isinstance(obj, (RiskPoint, Organization)) else 13
            return {"center": f"{obj.lat:.7f},{obj.lon:.7f}", "zoom": zoom, **extra}
    lat, lon = settings.HAZARDWATCH_MAP_CENTER
    return {"center": f"{lat:.7f},{lon:.7f}", "zoom": 12, **extra}


@require_http_methods(["GET", "POST"])
@staff_required
def point_new(request, org_id: int):
    org = _get_org(request.user, org_id)
    if org is None:
        return _not_found(request)
    if not services.can_edit_org_points(request.user, org.pk):
        return _forbidden(request, services.RISK_POINT_READ_ONLY)
    form = RiskPointForm(request.POST or None, initial={"method": "lec", "control_level": "post"})
    if request.method == "POST":
        try:
            saved = _save(request, form, org=org, point=None)
        except ApplicationError as exc:
            return render(request, "risk/message.html", {"message": exc.message}, status=exc.status_code)
        if saved is not None:
            return _see_other(reverse("risk:point", args=[saved.pk]) + "?saved=1")
    return render(request, "risk/point.html", {"form": form, "org": org, "point": None, "can_edit": True,
                                               "draw": _draw_context(org, None), "nav": "risk"},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def point_detail(request, point_id: int):
    point = _visible_point(request, point_id)
    if point is None:
        return _not_found(request)
    can_edit = services.can_edit_org_points(request.user, point.organization_id)
    if request.method == "POST":
        if not can_edit:
            return _forbidden(request, services.RISK_POINT_READ_ONLY)
        form = RiskPointForm(request.POST)
        try:
            saved = _save(request, form, org=point.organization, point=point)
        except ApplicationError as exc:
            return render(request, "risk/message.html", {"message": exc.message}, status=exc.status_code)
        if saved is not None:
            return _see_other(reverse("risk:point", args=[point.pk]) + "?saved=1")
    else:
        form = RiskPointForm(initial=RiskPointForm.initial_for(point))
    return _render_point(request, point, form=form, can_edit=can_edit, status=400 if form.errors else 200)


def _visible_point(request, point_id: int) -> RiskPoint | None:
    return (RiskPoint.objects.visible_to(request.user).with_effective_level()
            .select_related("organization__region", "region").filter(pk=point_id).first())


def _render_point(request, point: RiskPoint, *, form=None, can_edit: bool | None = None, link_form=None,
                  status: int = 200):
    if can_edit is None:
        can_edit = services.can_edit_org_points(request.user, point.organization_id)
    if form is None:
        form = RiskPointForm(initial=RiskPointForm.initial_for(point))
    # Only cases the user may see are listed (a point can be visible to someone who cannot see every case at it);
    # the red level itself still counts them all.
    visible_cases = Case.objects.visible_to(request.user).values("pk")
    links = point.case_links.filter(case__in=visible_cases).select_related("case").order_by("-linked_at")
    return render(request, "risk/point.html", {
        "form": form, "org": point.organization, "point": point, "can_edit": can_edit, "links": links,
        "draw": _draw_context(point.organization, point),
        "can_link": services.can_link_cases(request.user, point), "link_form": link_form or CaseLinkForm(),
        "saved": request.GET.get("saved") == "1", "linked": request.GET.get("linked") == "1",
        "unlinked": request.GET.get("unlinked") == "1", "nav": "risk",
    }, status=status)


@require_POST
@staff_required
def point_link_case(request, point_id: int):
    """Link a case by its reference. Only cases the user can see resolve; any other reference is the same
    inline "No such case." (400), so the form never tells whether an invisible case exists."""
    point = _visible_point(request, point_id)
    if point is None:
        return _not_found(request)
    if not services.can_link_cases(request.user, point):
        return _forbidden(request, services.RISK_POINT_READ_ONLY)
    link_form = CaseLinkForm(request.POST)
    if link_form.is_valid():
        case = Case.objects.visible_to(request.user).filter(reference=link_form.cleaned_data["reference"]).first()
        if case is None:
            link_form.add_error("reference", services.CASE_NOT_FOUND)
        else:
            try:
                services.risk_point_link_case(actor=request.user, point_id=point.pk, case_id=case.pk)
            except PermissionDenied as exc:
                return _forbidden(request, exc.message)
            except ApplicationError as exc:  # NotFound (raced away), already linked (409)
                link_form.add_error("reference", exc.message)
                return _render_point(request, point, link_form=link_form,
                                     status=400 if isinstance(exc, NotFound) else exc.status_code)
            return _see_other(reverse("risk:point", args=[point.pk]) + "?linked=1#cases")
    return _render_point(request, point, link_form=link_form, status=400)


@require_POST
@staff_required
def point_unlink_case(request, point_id: int, case_id: int):
    point = _visible_point(request, point_id)
    if point is None:
        return _not_found(request)
    try:
        services.risk_point_unlink_case(actor=request.user, point_id=point.pk, case_id=case_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    except NotFound:
        return _not_found(request)
    return _see_other(reverse("risk:point", args=[point.pk]) + "?unlinked=1#cases")


@require_GET
@staff_required
def risk_map(request):
    """The four-colour map. ?org=<id> for one site's zones, ?region=<code> for enterprises by level."""
    j = jurisdiction_for_user(request.user)
    org = division = None
    if request.GET.get("org"):
        try:
            org = _get_org(request.user, int(request.GET["org"]))
        except ValueError:
            org = None
        if org is None:
            return _not_found(request)
    elif request.GET.get("region"):
        division = _get_region(request.user, request.GET["region"][:12])
        if division is None:
            return _not_found(request)
    elif j.unit_org_ids and not j.is_regulator:
        org = _get_org(request.user, min(j.unit_org_ids))
    else:
        code = j.areas[0][0].strip("/").split("/")[-1] if j.areas else None
        division = (Division.objects.filter(code=code).first() if code
                    else Division.objects.order_by("depth", "code").first())
    if org is None and division is None:
        return _not_found(request)
    api = "/api/v1/risk"
    if org is not None:
        layers = {"scale": "enterprise", "main": f"{api}/zones?org={org.pk}",
                  "hazards": f"{api}/major-hazards?org={org.pk}",
                  "center": [org.lat, org.lon] if org.lat is not None else None}
    else:
        layers = {"scale": "region", "main": f"{api}/enterprises?region={division.code}",
                  "hazards": f"{api}/major-hazards?region={division.code}",
                  "center": [division.lat, division.lon] if division.lat is not None else None,
                  "org_map": reverse("risk:map") + "?org="}
    return render(request, "risk/map.html", {
        "org": org, "division": division, "layers": layers, "nav": "risk",
        "levels": [(lvl.value, lvl.label, LEVEL_COLOUR[lvl]) for lvl in RiskLevel],
    })
