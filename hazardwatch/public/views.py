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
from hazardwatch.public.forms import DisputeForm, FeedbackForm, ReceiptForm, ReportForm
from hazardwatch.reports import services as report_services
from hazardwatch.reports.choices import ReportSource

RECEIPT_COOKIE = "hw_receipt"

REPORT_SAVE_FAILED = _("The report could not be saved. Please check it and submit again.")
DISPUTE_RECORDED = _("Thank you. Your dispute was recorded and the case has been reopened for the department to check.")
FEEDBACK_FIXED_RECORDED = _("Thank you for confirming that the hazard was fixed.")

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
    "unmerge": _("Handled again as a case of its own (the merge was undone)"),
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
        follow_reference=data.get("follow_reference") or "",
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
    if (request.POST.get("homepage") or "").strip():
        return _honeypot_success(request)
    try:
        check_rate(request, "intake")
        report, receipt = report_services.report_submit(_report_input(form, request), limit_reporter=True,
                                                         defer_triage=True)
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
             "photos": report.photos.count(), "followed": report.followed_existing}
    return _done_redirect(request, shown)


def _done_redirect(request, shown: dict):
    response = HttpResponseRedirect(reverse("public:report_done"), status=303)
    response.set_cookie(RECEIPT_COOKIE, hw_secrets.encrypt_text(json.dumps(shown)), max_age=600,
                        path=reverse("public:report_done"), httponly=True, samesite="Strict",
                        secure=request.is_secure())
    return response


def _honeypot_success(request):
    """A robot filled the hidden field: count it, store nothing, answer like a success (a code that exists
    nowhere), so that the robot learns nothing."""
    report_services.intake_count("honeypot")
    return _done_redirect(request, {"code": hw_secrets.receipt_new(), "reference": "", "photos": 0})


@never_cache
@require_POST
def report_duplicates(request):
    """Likely duplicates for the report being written (the form calls this when place, kind or photos change).

    Answers an HTML fragment (JSON with `Accept: application/json`): kind and street, status, distance and
    date of nearby open cases, never their text, address or reporters.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        check_rate(request, "duplicates")
        items = report_services.report_duplicates_lookup(
            latitude=request.POST.get("latitude"), longitude=request.POST.get("longitude"),
            crs=request.POST.get("crs") or "wgs84", category=request.POST.get("category") or "",
            photos=request.FILES.getlist("photos"),
        )
    except ApplicationError as exc:
        if wants_json:
            from django.http import JsonResponse

            return _retry_after(JsonResponse({"message": str(exc.message), "extra": exc.extra or {}},
                                             status=exc.status_code), exc)
        response = render(request, "public/_duplicates.html", {"error_message": exc.message},
                          status=exc.status_code)
        return _retry_after(response, exc)
    if wants_json:
        from django.core.serializers.json import DjangoJSONEncoder
        from django.http import JsonResponse

        return JsonResponse({"count": len(items), "items": items}, encoder=DjangoJSONEncoder)
    return render(request, "public/_duplicates.html", {"items": items})


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
    status = case_selectors.report_public_status(report)
    for step in status["history"]:
        step["label"] = PUBLIC_STEP_LABELS.get(step["action"], step["status_label"])
    merged_status = status.get("current_status_of_merged")
    status["merged_status_label"] = str(CaseStatus(merged_status).label) if merged_status else ""
    return status


def _status_context(request, *, lookup_form, report=None, code="", dispute_form=None, feedback_form=None,
                    **extra):
    from hazardwatch.reports.api import feedback_state

    context = {"lookup_form": lookup_form, "report": report, "status": None, "nav": "status", **extra}
    if report is not None:
        context["status"] = _public_status(report)
        if context["status"]:
            context["status"].update(feedback_state(report, context["status"]))
            # "Was it fixed?" is the one way in: the first answer goes to status_feedback ("no" reopens the
            # case through the dispute transition). A reporter who already answered for an earlier closure
            # is asked again, within the same window, and "no" goes to status_dispute (the same transition).
            # A dispute form given back with its errors (the compatibility endpoint) is shown as it is.
            st = context["status"]
            if dispute_form is not None and st["can_dispute"]:
                context["dispute_form"] = dispute_form
            elif st["ask_fixed"]:
                context["feedback_form"] = feedback_form or FeedbackForm(initial={"receipt_code": code})
            elif st["can_dispute"] and _ask_again(report, st):
                context["dispute_form"] = DisputeForm(initial={"receipt_code": code})
    return context


def _ask_again(report, status: dict) -> bool:
    """Closed again after the reporter's earlier answer, and still within the feedback window."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    answer = getattr(report, "fix_feedback", None) if hasattr(report, "fix_feedback") else None
    closed_at = status.get("closed_at")
    if answer is None or not closed_at or answer.answered_at >= closed_at:
        return False
    return timezone.now() - closed_at <= timedelta(days=settings.HAZARDWATCH_FEEDBACK_WINDOW_DAYS)


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


def _receipt_post(request, form):
    """Rate limit, validate the receipt code and `form`, find the report.

    Returns (report, code, lookup_form, None), or (None, None, lookup_form, the error response to send).
    """
    lookup_form = ReceiptForm({"receipt_code": request.POST.get("receipt_code", "")})
    try:
        check_rate(request, "lookup")
    except RateLimited as exc:
        lookup_form.is_valid()
        lookup_form.add_error(None, str(exc.message))
        return None, None, lookup_form, _retry_after(render(
            request, "public/status.html", _status_context(request, lookup_form=lookup_form),
            status=exc.status_code), exc)
    if not lookup_form.is_valid() or not form.is_valid():
        return None, None, lookup_form, render(request, "public/status.html",
                                               _status_context(request, lookup_form=lookup_form), status=400)
    code = lookup_form.cleaned_data["receipt_code"]
    try:
        return report_services.report_by_receipt(code), code, lookup_form, None
    except ApplicationError as exc:
        lookup_form.add_error("receipt_code", str(exc.message))
        return None, None, lookup_form, render(request, "public/status.html",
                                               _status_context(request, lookup_form=lookup_form),
                                               status=exc.status_code)


@never_cache
@require_POST
def status_dispute(request):
    dispute_form = DisputeForm(request.POST)
    report, code, lookup_form, response = _receipt_post(request, dispute_form)
    if response is not None:
        return response
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


@never_cache
@require_POST
def status_feedback(request):
    """The reporter answers "was it fixed?": yes is recorded, no reopens the case (with the photo as evidence)."""
    feedback_form = FeedbackForm(request.POST, request.FILES)
    report, code, lookup_form, response = _receipt_post(request, feedback_form)
    if response is not None:
        return response
    fixed = feedback_form.cleaned_data.get("fixed") or ""
    try:
        report_services.report_fix_feedback(
            code=code, fixed=fixed, comment=feedback_form.cleaned_data.get("comment") or "",
            photos=request.FILES.getlist("photo"),
        )
    except ApplicationError as exc:
        report = report_services.report_by_receipt(code)
        fields = (exc.extra or {}).get("fields") or {}
        target = {"fixed": "fixed", "comment": "comment", "photo": "photo"}
        shown_inline = False
        for key, problems in fields.items():
            if key in target:
                for problem in problems if isinstance(problems, list) else [problems]:
                    feedback_form.add_error(target[key], str(problem))
                    shown_inline = True
        context = _status_context(request, lookup_form=lookup_form, report=report, code=code,
                                  feedback_form=feedback_form,
                                  error_message=exc.message if not shown_inline or exc.status_code == 409 else None)
        return render(request, "public/status.html", context, status=exc.status_code)
    report = report_services.report_by_receipt(code)
    message = FEEDBACK_FIXED_RECORDED if fixed == "yes" else DISPUTE_RECORDED
    context = _status_context(request, lookup_form=lookup_form, report=report, code=code, success_message=message)
    return render(request, "public/status.html", context)
