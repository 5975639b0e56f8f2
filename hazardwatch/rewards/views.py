"""Pages: the public claim page (receipt code → claim form) and the staff reward pages under /staff/rewards/.

Writes go through `rewards.services`; their ApplicationErrors are shown on the page with their 4xx status.
The receipt code never appears in a URL: it is typed into a POST form and carried in a hidden field.
"""
import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.cases.choices import CaseGrade
from hazardwatch.cases.models import Case
from hazardwatch.core.errors import ApplicationError, RateLimited
from hazardwatch.core.ratelimit import check_rate
from hazardwatch.rewards import services
from hazardwatch.rewards.api import assessment_row, ledger_download
from hazardwatch.rewards.forms import ClaimForm, ClaimLookupForm, DecisionForm, EditForm, PayForm, RejectForm
from hazardwatch.rewards.models import AssessmentStatus, RewardAssessment
from hazardwatch.rewards.rules import fen_to_yuan

CLAIM_RECEIVED = _("Thank you. Your claim was received. The reward reviewer will check it and pay you; you can "
                   "follow it here with your receipt code.")
DONE = {"approve": _("Approved."), "reject": _("Rejected."), "edit": _("Saved."), "pay": _("Payment recorded."),
        "propose": _("Assessment proposed.")}
NO_REWARD_ROLE = _("Your account is not a reward reviewer or regulator staff, so there are no rewards for you here.")
PAGE_SIZE = 50


# --- public -------------------------------------------------------------------------------------------------

def _retry_after(response, exc):
    seconds = (exc.extra or {}).get("retry_after_seconds")
    if isinstance(exc, RateLimited) and seconds:
        response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def claim(request):
    """Step 1: the receipt code (shows the reward); step 2: identity and payment details, asked only now."""
    if request.method != "POST":
        return render(request, "rewards/claim.html", {"lookup_form": ClaimLookupForm(), "nav": "status"})
    step = request.POST.get("step", "lookup")
    lookup_form = ClaimLookupForm(request.POST)
    try:
        check_rate(request, "lookup")
    except RateLimited as exc:
        lookup_form.is_valid()
        lookup_form.add_error(None, str(exc.message))
        return _retry_after(render(request, "rewards/claim.html", {"lookup_form": lookup_form}, status=429), exc)
    if step == "claim":
        return _claim_submit(request)
    if not lookup_form.is_valid():
        return render(request, "rewards/claim.html", {"lookup_form": lookup_form}, status=400)
    code = lookup_form.cleaned_data["receipt_code"]
    try:
        reward = services.reward_for_receipt(code)
    except ApplicationError as exc:
        lookup_form.add_error("receipt_code", str(exc.message))
        return render(request, "rewards/claim.html", {"lookup_form": lookup_form}, status=exc.status_code)
    context = {"lookup_form": lookup_form, "reward": reward}
    if reward is None:
        context["error_message"] = services.NO_REWARD
        return render(request, "rewards/claim.html", context, status=404)
    if reward["can_claim"]:
        context["claim_form"] = ClaimForm(initial={"receipt_code": code})
    return render(request, "rewards/claim.html", context)


def _claim_submit(request):
    form = ClaimForm(request.POST)
    if not form.is_valid():  # only the hidden receipt code can fail here
        return render(request, "rewards/claim.html", {"lookup_form": ClaimLookupForm(), "claim_form": form},
                      status=400)
    code = form.cleaned_data["receipt_code"]
    data = {k: v for k, v in form.cleaned_data.items() if k != "receipt_code"}
    try:
        services.claim_submit(receipt_code=code, data=data, user=request.user)
    except ApplicationError as exc:
        fields = (exc.extra or {}).get("fields")
        try:
            reward = services.reward_for_receipt(code)
        except ApplicationError:
            reward = None
        context = {"lookup_form": ClaimLookupForm(), "reward": reward}
        if fields:
            form.add_service_errors(fields)
            context["claim_form"] = form
            context["error_message"] = exc.message
        else:
            context["error_message"] = exc.message
        return render(request, "rewards/claim.html", context, status=exc.status_code)
    reward = services.reward_for_receipt(code)
    return render(request, "rewards/claim.html", {"lookup_form": ClaimLookupForm(), "reward": reward,
                                                  "success_message": CLAIM_RECEIVED})


# --- staff ---------------------------------------------------------------------------------------------------

def rewards_staff_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_rewards_staff(request.user):
            return render(request, "workbench/forbidden.html", {"message": NO_REWARD_ROLE}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@rewards_staff_required
def staff_queue(request):
    qs = services.assessments_visible_to(request.user)
    status = request.GET.get("status", "")
    counts = dict(qs.values_list("status").annotate(n=Count("pk")))
    if status in AssessmentStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{**assessment_row(a), "status_label": a.get_status_display(), "kind_label": a.get_kind_display()}
            for a in page.object_list]
    due = Case.objects.none()
    if request.user.is_authenticated:
        due = (Case.objects.visible_to(request.user)
               .filter(status__in=list(services.VERIFIED_STATUSES), grade__in=CaseGrade.values, reward__isnull=True)
               .order_by("-updated_at")[:20])
    return render(request, "rewards/staff_queue.html", {
        "nav": "rewards", "rows": rows, "page": page, "status": status, "statuses": AssessmentStatus.choices,
        "counts": counts, "due": due,
    })


def _detail_context(request, a: RewardAssessment, **extra) -> dict:
    row = assessment_row(a)
    user = request.user
    reviewer = services.is_reviewer_for(user, a.case)
    proposer = services._can_propose(user, a.case)
    return {
        "nav": "rewards", "a": a, "row": row, "is_reviewer": reviewer,
        "own": user.pk in a.proposers,
        "can_edit": proposer and a.status == AssessmentStatus.PROPOSED,
        "can_decide": reviewer and a.status == AssessmentStatus.PROPOSED and user.pk not in a.proposers,
        "can_reject": reviewer and a.status in (AssessmentStatus.PROPOSED, AssessmentStatus.APPROVED)
        and not row["claimed"],
        "can_pay": reviewer and a.status == AssessmentStatus.APPROVED and row["claimed"],
        "edit_form": extra.pop("edit_form", None) or EditForm(initial={
            "fine_yuan": row["fine_yuan"] or "", "amount_yuan": row["amount_yuan"] or ""}),
        "approve_form": extra.pop("approve_form", None) or DecisionForm(),
        "reject_form": extra.pop("reject_form", None) or RejectForm(),
        "pay_form": extra.pop("pay_form", None) or PayForm(),
        **extra,
    }


def _visible_or_404(request, assessment_id):
    return services.assessments_visible_to(request.user).filter(pk=assessment_id).first()


@require_GET
@rewards_staff_required
def staff_detail(request, assessment_id: int):
    a = _visible_or_404(request, assessment_id)
    if a is None:
        return render(request, "workbench/not_found.html", {}, status=404)
    return render(request, "rewards/staff_detail.html", _detail_context(request, a))


@require_POST
@rewards_staff_required
def staff_action(request, assessment_id: int, action: str):
    a = _visible_or_404(request, assessment_id)
    if a is None or action not in ("edit", "approve", "reject", "pay"):
        return render(request, "workbench/not_found.html", {}, status=404)
    forms = {"edit": ("edit_form", EditForm), "approve": ("approve_form", DecisionForm),
             "reject": ("reject_form", RejectForm), "pay": ("pay_form", PayForm)}
    key, form_class = forms[action]
    form = form_class(request.POST)
    if not form.is_valid():
        return render(request, "rewards/staff_detail.html", _detail_context(request, a, **{key: form}), status=400)
    d = form.cleaned_data
    try:
        if action == "edit":
            services.assessment_edit(assessment_id=a.pk, actor=request.user, fine_yuan=d["fine_yuan"] or None,
                                     amount_yuan=d["amount_yuan"] or None, note=d["note"])
        elif action == "approve":
            services.assessment_approve(assessment_id=a.pk, actor=request.user, note=d["note"])
        elif action == "reject":
            services.assessment_reject(assessment_id=a.pk, actor=request.user, reason=d["reason"])
        else:
            services.assessment_pay(assessment_id=a.pk, actor=request.user, payment_reference=d["payment_reference"])
    except ApplicationError as exc:
        a.refresh_from_db()
        for field, msgs in ((exc.extra or {}).get("fields") or {}).items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, str(m))
        return render(request, "rewards/staff_detail.html",
                      _detail_context(request, a, error_message=exc.message, **{key: form}), status=exc.status_code)
    messages.success(request, DONE[action])
    return HttpResponseRedirect(reverse("rewards:staff_detail", args=[a.pk]), status=303)


@require_POST
@rewards_staff_required
def staff_propose(request, case_id: int):
    try:
        a = services.assessment_propose(case_id=case_id, actor=request.user,
                                        fine_yuan=request.POST.get("fine_yuan") or None,
                                        known_note=request.POST.get("known_note", ""))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("rewards:staff_queue"), status=303)
    messages.success(request, DONE["propose"])
    return HttpResponseRedirect(reverse("rewards:staff_detail", args=[a.pk]), status=303)


@never_cache
@require_POST
@rewards_staff_required
def staff_claim(request, assessment_id: int):
    """Show the claimant's details to the reward reviewer (a POST, so nothing prefetches it; audited)."""
    a = _visible_or_404(request, assessment_id)
    if a is None:
        return render(request, "workbench/not_found.html", {}, status=404)
    try:
        details = services.claim_reveal(assessment_id=a.pk, actor=request.user,
                                        purpose=request.POST.get("purpose", "payment"))
    except ApplicationError as exc:
        return render(request, "rewards/staff_detail.html", _detail_context(request, a, error_message=exc.message),
                      status=exc.status_code)
    return render(request, "rewards/staff_detail.html", _detail_context(request, a, claim=details))


@require_GET
@rewards_staff_required
def staff_ledger(request):
    qs = services.ledger_visible_to(request.user)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        try:
            return ledger_download(request, qs, fmt)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
    total = qs.aggregate(s=Sum("amount_fen"))["s"] or 0
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"e": e, "amount": fen_to_yuan(e.amount_fen)} for e in page.object_list]
    return render(request, "rewards/staff_ledger.html", {"nav": "rewards", "rows": rows, "page": page,
                                                         "total": fen_to_yuan(total), "count": qs.count()})
