"""The staff workbench: the queue, the case page, actions, evidence, photos and reporter identity.

Every read of a case goes through `Case.objects.visible_to(user)`; every write goes through
`cases.services`. Service errors (`ApplicationError`) are shown on the page with their 4xx status.
Requests from htmx get the part of the page they replace; the same URLs work without JavaScript.
"""
import datetime as dt
import functools
import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hazardwatch.accounts import twofactor
from hazardwatch.accounts.forms import LockoutAuthenticationForm, TOTPCodeForm
from hazardwatch.accounts.landing import landing_url
from hazardwatch.accounts.lockout import lockout_message, lockout_record_failure, lockout_remaining
from hazardwatch.accounts.models import Organization, User
from hazardwatch.accounts.selectors import user_is_staff_user
from hazardwatch.cases import services
from hazardwatch.cases.choices import CaseAction, CaseGrade, CaseStatus
from hazardwatch.cases.models import Case, EvidencePhoto, MajorHazardPlan
from hazardwatch.cases.duplicates import case_duplicate_candidates
from hazardwatch.cases.selectors import (
    case_candidates, case_list_for_user, case_reports, case_timeline, first_valid_report,
)
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.reports.models import FixFeedback, ReportPhoto
from hazardwatch.reports.selectors import flagged_sources, report_source_counts
from hazardwatch.workbench.forms import ACTION_FORMS, QueueFilterForm, region_choices

PAGE_SIZE = 25
NO_WORKBENCH_ROLE = _("Your account has no role in a regulator department or a responsible unit, so there is "
                      "no case queue for you. Ask your administrator to add you to your organization.")
ONLY_REGULATORS_SEE_REPORTERS = _("Only the handling department may see who reported.")
ACTION_DONE = _("Done: {action}.")


# --- helpers --------------------------------------------------------------------------------------------

def _is_htmx(request) -> bool:
    """A partial-page request from htmx (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def _forbidden(request, message=NO_WORKBENCH_ROLE):
    return render(request, "workbench/forbidden.html", {"message": message}, status=403)


def _not_found(request):
    response = render(request, "workbench/not_found.html", {}, status=404)
    if _is_htmx(request):
        response["HX-Refresh"] = "true"  # show the whole "not found" page, not a fragment of it
    return response


def staff_required(view):
    """Signed in (else to the login page) and holding a workbench role (else a 403 page)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_staff_user(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _visible_case(user, case_id: int) -> Case | None:
    return (
        Case.objects.visible_to(user)
        .select_related("region", "regulator", "responsible_unit", "supervising_regulator", "merged_into",
                        "determined_by", "listed_by", "criterion__standard")
        .filter(pk=case_id)
        .first()
    )


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# --- sign in --------------------------------------------------------------------------------------------

PENDING_2FA = "hw_2fa_pending"  # session key: password checked, second step not yet done
PENDING_2FA_SECONDS = 300


class StaffLoginView(LoginView):
    """Sign in, then go to `next` if given, else to the page for the user's roles (accounts.landing).

    Users with two-factor sign-in (or whose role requires it) are not signed in yet after the password: the
    session only remembers who passed it for five minutes, and they go to the code step (or to the set-up
    page, before anything else). A locked username or client gets the lockout message with status 429.
    """

    template_name = "workbench/login.html"
    redirect_authenticated_user = True
    authentication_form = LockoutAuthenticationForm

    def get_default_redirect_url(self):
        return landing_url(self.request.user)

    def form_valid(self, form):
        user = form.get_user()
        enabled = twofactor.totp_enabled(user)
        if not enabled and not twofactor.totp_required(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_2FA] = {"uid": user.pk, "backend": user.backend, "t": time.time(),
                                             "next": self.get_redirect_url()}
        return _see_other(reverse("workbench:login_totp" if enabled else "workbench:two_factor"))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


def _pending_2fa(request):
    """(user, data) of a sign-in waiting for its second step, or (None, None) when none or expired."""
    data = request.session.get(PENDING_2FA)
    if not data or time.time() - data.get("t", 0) > PENDING_2FA_SECONDS:
        return None, None
    user = User.objects.filter(pk=data["uid"], is_active=True).first()
    return (user, data) if user else (None, None)


def _finish_2fa_login(request, user, data) -> str:
    """Sign the user in after the second step; returns where to go next."""
    request.session.pop(PENDING_2FA, None)
    auth_login(request, user, backend=data["backend"])
    return data.get("next") or landing_url(user)


@never_cache
def login_totp(request):
    """Second sign-in step: the 6-digit code from the authenticator app, or a recovery code."""
    user, data = _pending_2fa(request)
    if user is None or not twofactor.totp_enabled(user):
        return _see_other(reverse("workbench:login"))
    form = TOTPCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        remaining = lockout_remaining(request, user.get_username())
        if remaining:
            form.add_error(None, lockout_message(remaining))
            status = 429
        elif form.is_valid() and twofactor.totp_verify(user=user, code=form.cleaned_data["code"]):
            return _see_other(_finish_2fa_login(request, user, data))
        else:
            lockout_record_failure(request, user.get_username(), user_id=user.pk)
            form.errors.pop("code", None)
            form.add_error("code", twofactor.TOTP_CODE_WRONG)
            status = 400
    return render(request, "workbench/login_totp.html", {"form": form}, status=status)


@never_cache
def two_factor(request):
    """Set up (QR code, then a code to confirm), renew recovery codes, or switch off two-factor sign-in.

    Signed-in staff use it from the navigation; users whose role requires it come here from the password step
    and are signed in only once they have confirmed a code.
    """
    pending_user, data = _pending_2fa(request)
    if request.user.is_authenticated:
        user, data = request.user, None
    elif pending_user is not None and not twofactor.totp_enabled(pending_user):
        user = pending_user
    else:
        return redirect_to_login(request.get_full_path())
    enabled = twofactor.totp_enabled(user)
    form = TOTPCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "confirm")
        try:
            if not form.is_valid():
                raise ApplicationError(twofactor.TOTP_CODE_WRONG)
            code = form.cleaned_data["code"]
            if action == "confirm" and not enabled:
                codes = twofactor.totp_setup_confirm(user=user, code=code)
                next_url = _finish_2fa_login(request, user, data) if data else reverse("workbench:two_factor")
                return render(request, "workbench/two_factor_codes.html", {"codes": codes, "next_url": next_url})
            if action == "codes" and enabled:
                if not twofactor.totp_verify(user=user, code=code):
                    raise ApplicationError(twofactor.TOTP_CODE_WRONG)
                codes = twofactor.recovery_codes_generate(user=user)
                return render(request, "workbench/two_factor_codes.html",
                              {"codes": codes, "next_url": reverse("workbench:two_factor")})
            if action == "disable" and enabled:
                twofactor.totp_disable(user=user, code=code)
                messages.success(request, gettext("Two-factor sign-in is off."))
                return _see_other(reverse("workbench:two_factor"))
            raise ApplicationError(_("Unknown action."))
        except ApplicationError as exc:
            if data:
                lockout_record_failure(request, user.get_username(), user_id=user.pk)
            form.errors.pop("code", None)
            form.add_error("code", exc.message)
            status = exc.status_code
    context = {"enabled": enabled, "required": twofactor.totp_required(user), "pending": data is not None,
               "form": form, "nav": "two_factor"}
    if enabled:
        context["codes_left"] = twofactor.recovery_codes_left(user)
    else:
        device = twofactor.totp_setup_start(user=user)
        uri = twofactor.totp_provisioning_uri(user, device)
        context.update(qr_svg=twofactor.qr_svg(uri), secret=twofactor.totp_secret(device), otpauth_uri=uri)
    return render(request, "workbench/two_factor.html", context, status=status)


# --- queue ----------------------------------------------------------------------------------------------

@require_GET
def queue(request):
    """The case queue; users whose roles have no queue (e.g. reward reviewers only) go to their own page."""
    if request.user.is_authenticated and not user_is_staff_user(request.user):
        target = landing_url(request.user)
        if target != request.path:
            return HttpResponseRedirect(target)
    return _queue(request)


@staff_required
def _queue(request):
    user = request.user
    form = QueueFilterForm(request.GET or None, regions=region_choices(user))
    filters = form.filters() if form.is_bound else {}
    page = Paginator(case_list_for_user(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "cases": page.object_list,
        "querystring": params.urlencode(),
        "filtered": bool(filters),
        "nav": "queue",
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "queue-results":
        return _vary(render(request, "workbench/_queue_results.html", context))
    visible = Case.objects.visible_to(user)
    context["summary"] = visible.aggregate(
        open=Count("pk", filter=Q(status__in=[s for s in CaseStatus if s not in
                                              (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED)])),
        new=Count("pk", filter=Q(status=CaseStatus.NEW)),
        overdue=Count("pk", filter=Q(is_overdue=True)),
        verification=Count("pk", filter=Q(status=CaseStatus.AWAITING_VERIFICATION)),
        major=Count("pk", filter=Q(grade=CaseGrade.MAJOR) & ~Q(status__in=[CaseStatus.CLOSED, CaseStatus.REJECTED,
                                                                           CaseStatus.MERGED])),
    )
    return _vary(render(request, "workbench/queue.html", context))


# --- case page ------------------------------------------------------------------------------------------

def _event_details(event, orgs: dict) -> list[tuple[str, str]]:
    """Readable lines for the details an event stored in its payload."""
    p = event.payload or {}
    out = []
    if p.get("grade"):
        try:
            out.append((gettext("Grade"), str(CaseGrade(p["grade"]).label)))
        except ValueError:
            out.append((gettext("Grade"), p["grade"]))
    if p.get("criterion_standard") or p.get("criterion_item"):
        parts = (p.get("criterion_standard"), p.get("criterion_edition"), p.get("criterion_item"))
        out.append((gettext("Criteria"), " · ".join(str(x) for x in parts if x)))
    if p.get("responsible_unit_id"):
        out.append((gettext("Responsible unit"), orgs.get(p["responsible_unit_id"], f"#{p['responsible_unit_id']}")))
    if p.get("deadline"):
        out.append((gettext("Deadline"), str(p["deadline"])[:10]))
    if p.get("target_reference"):
        out.append((gettext("Merged into"), p["target_reference"]))
    if p.get("restored_status"):
        out.append((gettext("Restored status"), str(CaseStatus(p["restored_status"]).label)))
    if p.get("reason_code"):
        from hazardwatch.cases.choices import RejectCode

        out.append((gettext("Reason code"), str(RejectCode(p["reason_code"]).label)
                    if p["reason_code"] in RejectCode.values else p["reason_code"]))
    if p.get("feedback"):
        answer = gettext("fixed") if p["feedback"] == "fixed" else gettext("not fixed")
        out.append((gettext("Reporter's answer"), answer))
    if p.get("listed_by"):
        out.append((gettext("Listed by"), orgs.get(p["listed_by"], f"#{p['listed_by']}")))
    if p.get("to_regulator"):
        out.append((gettext("Escalated to"), orgs.get(p["to_regulator"], f"#{p['to_regulator']}")))
    if isinstance(p.get("plan"), dict):
        out.append((gettext("Time limit"), p["plan"].get("time_limit", "")))
    return out


# Forward steps first, then the ones that end or send back a case, the internal note last.
DISPLAY_ORDER = [CaseAction.ACCEPT, CaseAction.GRADE, CaseAction.ASSIGN, CaseAction.PLAN, CaseAction.START,
                 CaseAction.SUBMIT, CaseAction.APPROVE, CaseAction.LIST, CaseAction.MERGE, CaseAction.UNMERGE,
                 CaseAction.REJECT, CaseAction.RETURN, CaseAction.NOTE]


def _worth_offering(case: Case, action: str) -> bool:
    """Leave out actions the service would always refuse in this case's current data."""
    if action == CaseAction.LIST:
        return case.grade == CaseGrade.MAJOR and not case.is_listed
    return True


def _primary_action(case: Case, actions: list[str]) -> str:
    """The next step the case is waiting for: its form is shown open."""
    has_plan = MajorHazardPlan.objects.filter(case=case).exists()
    for action in actions:
        if action == CaseAction.GRADE and case.grade:
            continue
        if action == CaseAction.PLAN and (case.grade != CaseGrade.MAJOR or has_plan):
            continue
        if action in (CaseAction.MERGE, CaseAction.UNMERGE, CaseAction.REJECT, CaseAction.RETURN, CaseAction.NOTE):
            continue
        return action
    return ""


def _publication_for(user, case: Case):
    """The case's exposure-column publication, if it has one the user may open."""
    from hazardwatch.exposure.models import Publication

    return Publication.objects.visible_to(user).filter(case=case).only("pk", "status", "case_id").first()


def _case_context(request, case: Case, *, error: ApplicationError | None = None, error_action: str = "",
                  bound_form=None, notice: str = "", reporters=None) -> dict:
    user = request.user
    roles = services.roles_on_case(user, case)
    actions = services.actions_for(user, case)
    action_forms = []
    list_form = None  # once a major hazard is confirmed, listing it is a prompt above the details (not twice)
    for action in sorted(actions, key=lambda a: DISPLAY_ORDER.index(a) if a in DISPLAY_ORDER else 99):
        form_class = ACTION_FORMS.get(action)
        if form_class is None or not _worth_offering(case, action):
            continue
        form = bound_form if (bound_form is not None and action == error_action) else form_class(case=case)
        if action == CaseAction.LIST:
            list_form = form
            continue
        action_forms.append(form)
    # Reports of cases merged into this one are listed too (they keep their own case and receipts).
    reports = list(case_reports(case).select_related("device").prefetch_related("photos")
                   .order_by("submitted_at", "pk"))
    # Criteria candidates are for the regulator only: the responsible unit never sees them.
    show_criteria = "regulator" in roles
    events = list(case_timeline(case).select_related("actor"))
    org_ids = set()
    for e in events:
        for key in ("responsible_unit_id", "listed_by", "to_regulator"):
            if isinstance((e.payload or {}).get(key), int):
                org_ids.add(e.payload[key])
    orgs = {o.pk: o.display_name for o in Organization.objects.filter(pk__in=org_ids)}
    for e in events:
        e.details = _event_details(e, orgs)
    duplicates = case_duplicate_candidates(case, user=user) if "regulator" in roles and case.is_open else []
    merge_candidates = []
    if CaseAction.MERGE in actions:
        county = "/".join(case.region_path.strip("/").split("/")[:3]) + "/" if case.region_path else ""
        merge_candidates = list(
            Case.objects.visible_to(user).open().exclude(pk=case.pk).filter(region_path__startswith=county,
                                                                            sector=case.sector)
            .order_by("-created_at")[:30]
        )
        listed = {c.pk for c in merge_candidates}
        merge_candidates = [d.case for d in duplicates if d.case.pk not in listed] + merge_candidates
    source_counts = report_source_counts(reports) if "regulator" in roles else {}
    for r in reports:
        r.sources = source_counts.get(r.pk, [])
        r.flagged = any(c.flagged for c in r.sources)
    first_id = getattr(first_valid_report(case), "pk", None)
    first = next((r for r in reports if r.pk == first_id), None)
    return {
        "duplicates": duplicates,
        "first_report": first,
        "fix_feedback": list(FixFeedback.objects.filter(report__in=[r.pk for r in reports]).select_related("report")
                             .order_by("answered_at")),
        "any_flagged": any(r.flagged for r in reports),
        "can_merge": CaseAction.MERGE in actions,
        "case": case,
        "roles": roles,
        "action_forms": action_forms,
        "open_action": error_action or _primary_action(case, [f.action for f in action_forms]),
        "error": error,
        "error_action": error_action,
        "notice": notice,
        "reports": reports,
        "photos": [p for r in reports for p in r.photos.all()],
        "events": events,
        "plan": MajorHazardPlan.objects.filter(case=case).first(),
        "publication": _publication_for(user, case) if "regulator" in roles else None,
        "can_reveal": "regulator" in roles,
        "reporters": reporters,
        "merge_candidates": merge_candidates,
        "is_major": case.grade == CaseGrade.MAJOR,
        "show_criteria": show_criteria,
        "candidates": case_candidates(case) if show_criteria else [],
        "can_confirm": show_criteria and "leader" in roles and CaseAction.GRADE in actions,
        "major_candidate": show_criteria and any(r.is_major_candidate for r in reports),
        "list_form": list_form,
        "nav": "queue",
    }


@require_GET
@staff_required
def case_detail(request, case_id: int):
    case = _visible_case(request.user, case_id)
    if case is None:
        return _not_found(request)
    return render(request, "workbench/case.html", _case_context(request, case))


def _render_case(request, case, *, status=200, **extra):
    """The main panel for htmx, the whole page otherwise."""
    template = "workbench/_case_main.html" if _is_htmx(request) else "workbench/case.html"
    return _vary(render(request, template, _case_context(request, case, **extra), status=status))


def _action_failed(request, case_id: int, action: str, exc: ApplicationError):
    if isinstance(exc, NotFound):
        return _not_found(request)
    case = _visible_case(request.user, case_id)
    if case is None:
        return _not_found(request)
    bound = None
    form_class = ACTION_FORMS.get(action)
    if form_class is not None:
        bound = form_class(request.POST, case=case)
        bound.is_valid()
        for field, problems in (exc.extra or {}).get("fields", {}).items():
            for problem in problems if isinstance(problems, list) else [problems]:
                if field in bound.fields and str(problem) != str(exc.message):
                    bound.add_error(field, str(problem))
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return _render_case(request, case, status=status, error=exc, error_action=action, bound_form=bound)


def _action_done(request, case_id: int, action: str):
    try:
        label = str(CaseAction(action).label)
    except ValueError:
        label = action
    notice = ACTION_DONE.format(action=label)
    if not _is_htmx(request):
        messages.success(request, notice)
        return _see_other(reverse("workbench:case", args=[case_id]))
    case = _visible_case(request.user, case_id)
    if case is None:  # no longer visible after the action: back to the queue
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("workbench:queue")
        return response
    return _render_case(request, case, notice=notice)


@require_POST
@staff_required
def case_action(request, case_id: int, action: str):
    case = _visible_case(request.user, case_id)
    if case is None:
        return _not_found(request)
    if action == CaseAction.SUBMIT:
        return _evidence(request, case)
    # Keys starting with "_" are internal to the service (e.g. "_has_files"): never taken from a form.
    data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and not k.startswith("_")}
    try:
        services.case_transition(case_id=case.pk, action=action, actor=request.user, data=data)
    except ApplicationError as exc:
        return _action_failed(request, case.pk, action, exc)
    return _action_done(request, case.pk, action)


def _evidence(request, case):
    try:
        services.case_submit_evidence(case_id=case.pk, actor=request.user, note=request.POST.get("note", ""),
                                      uploads=request.FILES.getlist("photos"))
    except ApplicationError as exc:
        return _action_failed(request, case.pk, CaseAction.SUBMIT, exc)
    return _action_done(request, case.pk, CaseAction.SUBMIT)


@require_POST
@staff_required
def case_evidence(request, case_id: int):
    case = _visible_case(request.user, case_id)
    if case is None:
        return _not_found(request)
    return _evidence(request, case)


@require_POST
@staff_required
def case_reporters(request, case_id: int):
    """Decrypt who reported (regulators only). Every read is written to the audit log by identity_read."""
    from hazardwatch.reports.services import identity_read

    case = _visible_case(request.user, case_id)
    if case is None:
        return _not_found(request)
    if "regulator" not in services.roles_on_case(request.user, case):
        if _is_htmx(request):
            return render(request, "workbench/_reporters.html",
                          {"case": case, "denied": ONLY_REGULATORS_SEE_REPORTERS}, status=403)
        return _forbidden(request, ONLY_REGULATORS_SEE_REPORTERS)
    rows = []
    for report in case_reports(case).order_by("submitted_at", "pk"):
        identity = identity_read(report=report, actor=request.user,
                                 purpose=f"case {case.reference} workbench view")
        rows.append({"report": report, "identity": identity})
    if _is_htmx(request):
        response = render(request, "workbench/_reporters.html", {"case": case, "reporters": rows})
    else:
        response = render(request, "workbench/case.html", _case_context(request, case, reporters=rows))
    response["Cache-Control"] = "no-store"
    return _vary(response)


@require_GET
@staff_required
def flagged_reporters(request):
    """Reporters (keyed hash only) and devices above the configured share of untrue reports."""
    from django.conf import settings

    from django.db.models import Sum
    from django.utils import timezone

    from hazardwatch.reports.models import IntakeCounter

    rows = flagged_sources(request.user)
    since = timezone.localdate() - dt.timedelta(days=29)
    honeypot = (IntakeCounter.objects.filter(name="honeypot", day__gte=since)
                .aggregate(n=Sum("count"))["n"] or 0)
    return render(request, "workbench/flagged.html", {
        "rows": rows, "nav": "flagged", "share": settings.HAZARDWATCH_UNTRUE_FLAG_SHARE,
        "minimum": settings.HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS, "honeypot_30d": honeypot,
    })


# --- photos ---------------------------------------------------------------------------------------------

def _stream(file_field, content_type: str):
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@staff_required
def report_photo(request, photo_id: int):
    """A reported photo, only if its case is visible to the user.

    Derivatives (re-encoded without metadata) are served when they exist. Regulators get the original
    while the derivatives are being made; anybody else (the reported unit) never gets the original,
    whose metadata may point at the reporter, and gets a copy stripped on the fly instead.
    """
    photo = ReportPhoto.objects.select_related("report").filter(pk=photo_id).first()
    case = _visible_case(request.user, photo.report.case_id) if photo and photo.report.case_id else None
    if case is None:
        raise Http404
    thumb = request.GET.get("size") == "thumb"
    if thumb and photo.thumbnail:
        return _stream(photo.thumbnail, "image/jpeg")
    if photo.stripped:
        return _stream(photo.stripped, "image/jpeg")
    if "regulator" in services.roles_on_case(request.user, case):
        return _stream(photo.original, photo.content_type)
    from hazardwatch.reports.images import make_derivatives

    try:
        with photo.original.open("rb") as fh:
            clean, small = make_derivatives(fh.read())
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = HttpResponse(small if thumb else clean, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"
    return response


@require_GET
@staff_required
def evidence_photo(request, photo_id: int):
    photo = EvidencePhoto.objects.select_related("event").filter(pk=photo_id).first()
    if photo is None or _visible_case(request.user, photo.event.case_id) is None:
        raise Http404
    return _stream(photo.file, photo.content_type)
