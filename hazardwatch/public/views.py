"""Public pages: home, the report form, the one-time receipt page, status look-up and dispute.

Nothing here validates a report or changes a case by itself: the services do, and their
ApplicationErrors come back as the form re-rendered with inline messages (4xx, never a 500).
The receipt code never appears in a URL: it is shown once, carried to the done page by an encrypted cookie,
and later typed into a POST form.
"""
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hazardwatch.cases import selectors as case_selectors
from hazardwatch.cases import services as case_services
from hazardwatch.cases.choices import CaseStatus
from hazardwatch.core import secrets as hw_secrets
from hazardwatch.core.errors import ApplicationError, RateLimited
from hazardwatch.core.ratelimit import check_rate
from hazardwatch.public.forms import DisputeForm, ReceiptForm, ReportForm
from hazardwatch.reports import services as report_services
from hazardwatch.reports.choices import ReportSource

RECEIPT_COOKIE = "hw_receipt"

REPORT_SAVE_FAILED = _("The report could not be saved. Please check it and submit again.")
DISPUTE_RECORDED = _("Thank you. Your dispute was recorded and the case has been reopened for the department to check.")

# What each public step means to the reporter (the staff action names are internal).
PUBLIC_STEP_LABELS = {
    "open": _("Report received"),
    "accept": _("Accepted by the responsible department"),
    "reject": _("Not accepted"),
    "merge": _("Merged with another report of the same hazard"),
    "assign": _("Assigned to the responsible unit for rectification"),
    "start": _("Rectification started"),
    "submit": _("Rectification reported as finished; awaiting the acceptance check"),
    "approve": _("Passed the acceptance check; case closed"),
    "return": _("Failed the acceptance check; rectification continues"),
    "dispute": _("The reporter said it is not fixed; case reopened"),
}


def _retry_after(response, exc: ApplicationError):
    seconds = (exc.extra or {}).get("retry_after_seconds")
    if isinstance(exc, RateLimited) and seconds:
        response["Retry-After"] = str(seconds)
    return response


# --- home -----------------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD"])
def home(request):
    return render(request, "public/home.html", {"lookup_form": ReceiptForm(), "nav": "home"})


# --- reporting ------------------------------------------------------------------------------------

def _report_input(form: ReportForm, request) -> report_services.ReportInput:
    data = form.cleaned_data
    is_employee = bool(data.get("is_employee"))
    return report_services.ReportInput(
        description=data.get("description") or "",
        latitude=data.get("latitude") or None,
        longitude=data.get("longitude") or None,
        crs=data.get("crs") or "wgs84",
        category=data.get("category") or "",
        place_type=data.get("place_type") or "",
        address=data.get("address") or "",
        contact_name=data.get("contact_name") or "",
        contact_phone=data.get("contact_phone") or "",
        contact_email=data.get("contact_email") or "",
        is_employee=is_employee,
        source=ReportSource.EMPLOYEE if is_employee else ReportSource.WEB,
        photos=request.FILES.getlist("photos"),
    )


def _form_context(form, **extra) -> dict:
    return {"form": form, "nav": "report", "max_photos": settings.HAZARDWATCH_MAX_PHOTOS, **extra}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    if request.method != "POST":
        return render(request, "public/report_form.html", _form_context(ReportForm()))

    form = ReportForm(request.POST, request.FILES)
    form.is_valid()  # the form only tidies values; the service validates
    try:
        check_rate(request, "intake")
        report, receipt = report_services.report_submit(_report_input(form, request))
    except ApplicationError as exc:
        form.add_service_errors((exc.extra or {}).get("fields") or {})
        context = _form_context(form, error_message=exc.message, photos_again=bool(request.FILES.getlist("photos")))
        response = render(request, "public/report_form.html", context, status=exc.status_code)
        return _retry_after(response, exc)
    except ValidationError:
        context = _form_context(form, error_message=REPORT_SAVE_FAILED,
                                photos_again=bool(request.FILES.getlist("photos")))
        return render(request, "public/report_form.html", context, status=400)

    # The receipt travels to the done page in a short-lived, encrypted, HttpOnly cookie scoped to that
    # page: nothing is stored on the server (no session row holds it) and it never appears in a URL.
    shown = {"code": receipt, "reference": report.case.reference if report.case_id else "",
             "photos": report.photos.count()}
    response = HttpResponseRedirect(reverse("public:report_done"), status=303)
    response.set_cookie(RECEIPT_COOKIE, hw_secrets.encrypt_text(json.dumps(shown)), max_age=600,
                        path=reverse("public:report_done"), httponly=True, samesite="Strict",
                        secure=request.is_secure())
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def report_done(request):
    """Show the receipt code once: the cookie that carried it is deleted as the page is rendered."""
    shown = None
    token = request.COOKIES.get(RECEIPT_COOKIE)
    if token:
        try:
            shown = json.loads(hw_secrets.decrypt_text(token))
        except (ValueError, TypeError):
            shown = None
    response = render(request, "public/report_done.html", {"shown": shown, "nav": "report"})
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("public:report_done"), samesite="Strict")
    return response


# --- status look-up and dispute -------------------------------------------------------------------

def _public_status(report) -> dict | None:
    if report.case is None:
        return None
    status = case_selectors.case_public_status(report.case)
    for step in status["history"]:
        step["label"] = PUBLIC_STEP_LABELS.get(step["action"], step["status_label"])
    merged_status = status.get("current_status_of_merged")
    status["merged_status_label"] = str(CaseStatus(merged_status).label) if merged_status else ""
    return status


def _status_context(request, *, lookup_form, report=None, code="", dispute_form=None, **extra):
    context = {"lookup_form": lookup_form, "report": report, "status": None, "nav": "status", **extra}
    if report is not None:
        context["status"] = _public_status(report)
        if context["status"] and context["status"]["can_dispute"]:
            context["dispute_form"] = dispute_form or DisputeForm(initial={"receipt_code": code})
    return context


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    if request.method != "POST":
        return render(request, "public/status.html", _status_context(request, lookup_form=ReceiptForm()))

    form = ReceiptForm(request.POST)
    try:
        check_rate(request, "lookup")
    except RateLimited as exc:
        form.is_valid()
        form.add_error(None, str(exc.message))
        return _retry_after(render(request, "public/status.html", _status_context(request, lookup_form=form),
                                   status=exc.status_code), exc)
    if not form.is_valid():
        return render(request, "public/status.html", _status_context(request, lookup_form=form), status=400)
    code = form.cleaned_data["receipt_code"]
    try:
        report = report_services.report_by_receipt(code)
    except ApplicationError as exc:
        form.add_error("receipt_code", str(exc.message))
        return render(request, "public/status.html", _status_context(request, lookup_form=form),
                      status=exc.status_code)
    return render(request, "public/status.html", _status_context(request, lookup_form=form, report=report, code=code))


@never_cache
@require_POST
def status_dispute(request):
    dispute_form = DisputeForm(request.POST)
    lookup_form = ReceiptForm({"receipt_code": request.POST.get("receipt_code", "")})
    try:
        check_rate(request, "lookup")
    except RateLimited as exc:
        lookup_form.is_valid()
        lookup_form.add_error(None, str(exc.message))
        return _retry_after(render(request, "public/status.html", _status_context(request, lookup_form=lookup_form),
                                   status=exc.status_code), exc)
    if not lookup_form.is_valid() or not dispute_form.is_valid():
        return render(request, "public/status.html", _status_context(request, lookup_form=lookup_form), status=400)
    code = lookup_form.cleaned_data["receipt_code"]
    try:
        report = report_services.report_by_receipt(code)
    except ApplicationError as exc:
        lookup_form.add_error("receipt_code", str(exc.message))
        return render(request, "public/status.html", _status_context(request, lookup_form=lookup_form),
                      status=exc.status_code)
    if report.case_id is None:
        return redirect("public:status")
    try:
        case_services.case_transition(
            case_id=report.case_id, action="dispute", actor="reporter",
            data={"reason": dispute_form.cleaned_data.get("reason") or ""}, as_reporter=True,
        )
    except ApplicationError as exc:
        report.refresh_from_db()
        report.case.refresh_from_db()
        fields = (exc.extra or {}).get("fields") or {}
        if "reason" in fields:
            # The message is the full sentence ("Please give a reason…", "The text is longer than…").
            dispute_form.add_error("reason", str(exc.message))
            error_message = None
        else:
            error_message = exc.message
        context = _status_context(request, lookup_form=lookup_form, report=report, code=code,
                                  dispute_form=dispute_form, error_message=error_message)
        return render(request, "public/status.html", context, status=exc.status_code)
    report.case.refresh_from_db()
    context = _status_context(request, lookup_form=lookup_form, report=report, code=code,
                              success_message=DISPUTE_RECORDED)
    return render(request, "public/status.html", context)
