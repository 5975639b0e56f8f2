"""Staff pages for drills: list with filters and Excel export, plan form, detail with timeline, on-site notes
and issues, and the record form. Reads through `drills.selectors`, writes through `drills.services`."""
import datetime as dt

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.core.http import xlsx_response
from hazardwatch.drills import export, selectors, services
from hazardwatch.drills.choices import DrillKind, DrillStatus
from hazardwatch.drills.models import Drill, DrillPhoto
from hazardwatch.drills.transitions import EDITABLE, NOTES_ALLOWED, allowed_actions
from hazardwatch.reports.choices import ReportCategory
from hazardwatch.workbench.views import _forbidden, _not_found, _see_other, staff_required

PAGE_SIZE = 50
EXPORT_TOO_LARGE = _("This list has {count} drills; the Excel export is limited to {limit}. Narrow it with the "
                     "filters and export again.")
PLANNED = _("The drill is planned.")
SAVED = _("Saved.")
STARTED = _("The drill has started. Add observations and issues as they come.")
RECORDED = _("The drill is recorded.")
CANCELLED = _("The drill is cancelled.")
OBSERVED = _("Observation added.")
ISSUE_REPORTED = _("The issue is now hazard case {reference}.")


def _error_response(request, exc: ApplicationError):
    if isinstance(exc, NotFound):
        return _not_found(request)
    if isinstance(exc, PermissionDenied) and not exc.extra.get("fields"):
        return _forbidden(request, exc.message)
    return None


def _local_input(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _org_choices(user):
    return list(services.plannable_orgs(user))


@require_GET
@staff_required
def drill_list(request):
    filters, errors = selectors.parse_filters(request.GET)
    qs = selectors.drill_list_for_user(request.user, filters)
    from django.core.paginator import Paginator

    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    visible_orgs = (Drill.objects.visible_to(request.user).values_list("organization_id", "organization__name")
                    .distinct().order_by("organization__name"))
    return render(request, "drills/list.html", {
        "nav": "drills", "page": page, "drills": page.object_list, "filters": filters, "errors": errors,
        "raw": request.GET, "querystring": params.urlencode(), "kinds": DrillKind.choices,
        "statuses": DrillStatus.choices, "units": list(visible_orgs), "can_plan": bool(_org_choices(request.user)),
    }, status=400 if errors else 200)


@require_GET
@staff_required
def drill_export(request):
    filters, errors = selectors.parse_filters(request.GET)
    if errors:
        return render(request, "drills/message.html", {"message": "; ".join(sum(errors.values(), [])),
                                                       "back": reverse("drills:list")}, status=400)
    qs = selectors.drill_list_for_user(request.user, filters)
    count = qs.count()
    if count > export.EXPORT_MAX_ROWS:
        message = str(EXPORT_TOO_LARGE).format(count=count, limit=export.EXPORT_MAX_ROWS)
        return render(request, "drills/message.html", {"message": message, "back": reverse("drills:list")},
                      status=400)
    data = export.drill_list_workbook(qs.iterator(chunk_size=2000), title=str(_("Drills")))
    return xlsx_response(data, f"drills-{timezone.localdate():%Y%m%d}.xlsx")


def _plan_context(request, *, drill=None, values=None, errors=None):
    orgs = _org_choices(request.user)
    return {"nav": "drills", "drill": drill, "values": values or {}, "errors": errors or {}, "orgs": orgs,
            "kinds": DrillKind.choices}


@require_http_methods(["GET", "POST"])
@staff_required
def drill_new(request):
    if not _org_choices(request.user):
        return _forbidden(request, services.UNIT_NOT_YOURS)
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in services.PLAN_FIELDS}
        try:
            drill = services.drill_plan(actor=request.user, data=data)
        except ApplicationError as exc:
            response = _error_response(request, exc)
            if response:
                return response
            return render(request, "drills/plan.html", _plan_context(
                request, values=data, errors={"__all__": [exc.message], **exc.extra.get("fields", {})}),
                status=exc.status_code)
        messages.success(request, PLANNED)
        return _see_other(reverse("drills:detail", args=[drill.pk]))
    default = timezone.localtime() + dt.timedelta(days=7)
    values = {"scheduled_at": default.strftime("%Y-%m-%dT09:00"), "planned_minutes": 30,
              "kind": request.GET.get("kind", "")}
    return render(request, "drills/plan.html", _plan_context(request, values=values))


@require_http_methods(["GET", "POST"])
@staff_required
def drill_edit(request, drill_id: int):
    try:
        drill = services.drill_for_user(request.user, drill_id, write=True)
    except ApplicationError as exc:
        return _error_response(request, exc) or _forbidden(request, exc.message)
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in services.PLAN_FIELDS if k != "organization_id"}
        try:
            services.drill_update(actor=request.user, drill_id=drill.pk, data=data)
        except ApplicationError as exc:
            response = _error_response(request, exc)
            if response:
                return response
            return render(request, "drills/plan.html", _plan_context(
                request, drill=drill, values=data,
                errors={"__all__": [exc.message], **exc.extra.get("fields", {})}),
                status=exc.status_code)
        messages.success(request, SAVED)
        return _see_other(reverse("drills:detail", args=[drill.pk]))
    values = {k: getattr(drill, k) for k in services.PLAN_FIELDS if k not in ("organization_id",)}
    values["scheduled_at"] = _local_input(drill.scheduled_at)
    values["organization_id"] = drill.organization_id
    return render(request, "drills/plan.html", _plan_context(request, drill=drill, values=values))


def _detail_context(request, drill, **extra):
    editable = services.can_edit(request.user, drill)
    ctx = {
        "nav": "drills", "drill": drill, "can_edit": editable,
        "actions": allowed_actions(drill.status) if editable else [],
        "can_change_plan": editable and drill.status in EDITABLE,
        "can_add_notes": editable and drill.status in NOTES_ALLOWED,
        "timeline": selectors.drill_timeline(drill), "issues": selectors.drill_issues(drill),
        "photos": list(drill.photos.filter(observation__isnull=True)),
        "categories": ReportCategory.choices, "errors": {}, "values": {},
    }
    ctx.update(extra)
    return ctx


@require_GET
@staff_required
def drill_detail(request, drill_id: int):
    try:
        drill = services.drill_for_user(request.user, drill_id)
    except ApplicationError as exc:
        return _error_response(request, exc) or _forbidden(request, exc.message)
    return render(request, "drills/detail.html", _detail_context(request, drill))


def _detail_error(request, drill_id, exc: ApplicationError, form: str):
    response = _error_response(request, exc)
    if response:
        return response
    drill = services.drill_for_user(request.user, drill_id)
    errors = {"__all__": [exc.message], **exc.extra.get("fields", {})}
    return render(request, "drills/detail.html",
                  _detail_context(request, drill, errors={form: errors}, values={form: request.POST}),
                  status=exc.status_code)


@require_POST
@staff_required
def drill_start(request, drill_id: int):
    try:
        services.drill_start(actor=request.user, drill_id=drill_id)
    except ApplicationError as exc:
        return _detail_error(request, drill_id, exc, "start")
    messages.success(request, STARTED)
    return _see_other(reverse("drills:detail", args=[drill_id]))


@require_POST
@staff_required
def drill_cancel(request, drill_id: int):
    try:
        services.drill_cancel(actor=request.user, drill_id=drill_id, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        return _detail_error(request, drill_id, exc, "cancel")
    messages.success(request, CANCELLED)
    return _see_other(reverse("drills:detail", args=[drill_id]))


@require_POST
@staff_required
def drill_observe(request, drill_id: int):
    try:
        services.drill_observe(actor=request.user, drill_id=drill_id, text=request.POST.get("text", ""),
                               photos=request.FILES.getlist("photos"))
    except ApplicationError as exc:
        return _detail_error(request, drill_id, exc, "observe")
    messages.success(request, OBSERVED)
    return _see_other(reverse("drills:detail", args=[drill_id]) + "#observe")


@require_POST
@staff_required
def drill_issue(request, drill_id: int):
    data = {k: request.POST.get(k, "") for k in ("description", "category", "lat", "lon", "crs")}
    data = {k: v for k, v in data.items() if v != ""}
    try:
        result = services.drill_report_issue(actor=request.user, drill_id=drill_id, data=data,
                                             photos=request.FILES.getlist("photos"))
    except ApplicationError as exc:
        return _detail_error(request, drill_id, exc, "issue")
    case = result.issue.report.case
    messages.success(request, str(ISSUE_REPORTED).format(reference=case.reference if case else "—"))
    return _see_other(reverse("drills:detail", args=[drill_id]) + "#issues")


@require_http_methods(["GET", "POST"])
@staff_required
def drill_record(request, drill_id: int):
    try:
        drill = services.drill_for_user(request.user, drill_id, write=True)
    except ApplicationError as exc:
        return _error_response(request, exc) or _forbidden(request, exc.message)
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in services.RECORD_FIELDS}
        try:
            services.drill_record(actor=request.user, drill_id=drill.pk, data=data,
                                  photos=request.FILES.getlist("photos"))
        except ApplicationError as exc:
            response = _error_response(request, exc)
            if response:
                return response
            return render(request, "drills/record.html", {
                "nav": "drills", "drill": drill, "values": data,
                "errors": {"__all__": [exc.message], **exc.extra.get("fields", {})}}, status=exc.status_code)
        messages.success(request, RECORDED)
        return _see_other(reverse("drills:detail", args=[drill.pk]))
    values = {"started_at": _local_input(drill.started_at or drill.scheduled_at),
              "ended_at": _local_input(timezone.now()) if drill.status == DrillStatus.IN_PROGRESS else "",
              "participants": drill.planned_participants, "headcount_expected": drill.planned_participants}
    status = 200 if drill.status in ("planned", "in_progress") else 409
    return render(request, "drills/record.html", {"nav": "drills", "drill": drill, "values": values, "errors": {
        "__all__": [services.TRANSITION_NOT_ALLOWED.format(status=drill.get_status_display(),
                                                           action=_("recorded"))]} if status == 409 else {}},
                  status=status)


@require_GET
@staff_required
def drill_photo(request, photo_id: int):
    photo = DrillPhoto.objects.filter(pk=photo_id, drill__in=Drill.objects.visible_to(request.user)).first()
    if photo is None:
        return _not_found(request)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
