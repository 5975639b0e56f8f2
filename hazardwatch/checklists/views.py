"""Pages: the phone checklist runner (/checklists/) and the inspections board for regulators (/staff/checklists/).

Plain forms (no JavaScript needed except to read the phone's location for a one-tap report).
"""
import datetime as dt


from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.accounts.models import Organization
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.checklists import selectors, services
from hazardwatch.checklists.models import Answer, Audience, InspectionInterval, RunStatus
from hazardwatch.core.errors import ApplicationError
from hazardwatch.core.ratelimit import check_rate
from hazardwatch.workbench.views import _forbidden, _see_other, staff_required

SESSION_RUNS = "checklist_runs"
SAVED = _("Saved. You can come back to this link later to continue.")
COMPLETED = _("Checklist completed.")
FIELD_UNKNOWN = _("The form has fields for items that are not in this checklist: {codes}.")
SCHEDULED = _("Inspection scheduled, first due {date}.")
STATE_LABELS = {"due": _("Due"), "missed": _("Missed"), "late": _("Late"), "done": _("Done"), "all": _("All")}


def _remember(request, run):
    if run.user_id is None:
        tokens = [t for t in request.session.get(SESSION_RUNS, []) if t != run.token]
        request.session[SESSION_RUNS] = [run.token, *tokens][:20]


@require_GET
def index(request):
    user = request.user if request.user.is_authenticated else None
    templates = list(selectors.templates_current())
    groups = []
    for value, label in Audience.choices:
        rows = [t for t in templates if t.audience == value]
        if rows:
            groups.append((label, rows))
    units = []
    if user is not None:
        ids = jurisdiction_for_user(user).unit_org_ids
        units = list(Organization.objects.filter(pk__in=ids).order_by("name"))
        runs = list(selectors.runs_for_user(user))
        inspections = list(selectors.inspections_for_unit(user).exclude(status="done")[:20])
    else:
        runs = list(selectors.runs_by_tokens(request.session.get(SESSION_RUNS, [])))
        inspections = []
    return render(request, "checklists/index.html", {
        "nav": "checklists", "groups": groups, "units": units, "runs": runs, "inspections": inspections,
    })


@require_POST
def start(request):
    try:
        run = services.run_start(user=request.user, template_code=request.POST.get("template", ""),
                                 unit_id=request.POST.get("unit_id") or None)
    except ApplicationError as exc:
        return render(request, "checklists/message.html", {"message": exc.message}, status=exc.status_code)
    _remember(request, run)
    return _see_other(reverse("checklists:run", args=[run.token]))


def _run_context(request, run, **extra):
    items = list(run.template.items.all())
    answers = {a.item_id: a for a in run.answers.select_related("item")}
    rows = [{"item": i, "answer": answers.get(i.pk)} for i in items]
    answered = sum(1 for r in rows if r["answer"] is not None)
    mode = request.GET.get("mode") if request.method == "GET" else request.POST.get("mode")
    step = None
    if mode == "step" and rows:
        try:
            step = min(max(int(request.GET.get("i") or request.POST.get("i") or 0), 0), len(rows) - 1)
        except ValueError:
            step = 0
        shown = [rows[step]]
    else:
        mode, shown = "form", rows
    unit_located = run.unit is not None and run.unit.lat is not None
    return {
        "nav": "checklists", "run": run, "rows": shown, "all_rows": rows, "answered": answered, "total": len(rows),
        "failed": [r for r in rows if r["answer"] is not None and r["answer"].is_failed],
        "mode": mode, "step": step, "choices": Answer.choices, "unit_located": unit_located,
        "is_done": run.status == RunStatus.COMPLETED, **extra,
    }


@require_http_methods(["GET", "POST"])
def run_page(request, token):
    try:
        run = services.run_get(token=token, user=request.user)
    except ApplicationError as exc:
        return render(request, "checklists/message.html", {"message": exc.message}, status=exc.status_code)
    if request.method == "GET":
        return render(request, "checklists/run.html", _run_context(request, run, saved=request.GET.get("saved")))
    codes = set(run.template.items.values_list("code", flat=True))
    posted = set()
    for key in list(request.POST.keys()) + list(request.FILES.keys()):
        for prefix in ("answer_", "note_", "photo_"):
            if key.startswith(prefix):
                posted.add(key[len(prefix):])
    unknown = sorted(posted - codes)
    try:
        if unknown:
            message = FIELD_UNKNOWN.format(codes=", ".join(unknown[:20]))
            raise ApplicationError(message, {"fields": {"answers": [message]}})
        answers = []
        for code in sorted(posted):
            value = request.POST.get(f"answer_{code}", "")
            if not value:
                continue  # not answered yet: progress is saved without it
            answers.append({"item": code, "answer": value, "note": request.POST.get(f"note_{code}", ""),
                            "photo": request.FILES.get(f"photo_{code}")})
        if answers:
            services.run_answer(run=run, user=request.user, answers=answers)
        if request.POST.get("action") == "complete":
            services.run_complete(run=run, user=request.user)
            return _see_other(reverse("checklists:run", args=[run.token]) + "?completed=1")
    except ApplicationError as exc:
        ctx = _run_context(request, run, error_message=exc.message, error_fields=exc.extra.get("fields", {}))
        return render(request, "checklists/run.html", ctx, status=exc.status_code)
    url = reverse("checklists:run", args=[run.token])
    if request.POST.get("mode") == "step":
        i = int(request.POST.get("i") or 0) if str(request.POST.get("i") or "0").isdigit() else 0
        nxt = i + 1 if request.POST.get("action") == "next" else (i - 1 if request.POST.get("action") == "prev" else i)
        return _see_other(f"{url}?mode=step&i={max(nxt, 0)}")
    return _see_other(f"{url}?saved=1")


@require_POST
def report_item(request, token, item):
    try:
        run = services.run_get(token=token, user=request.user)
    except ApplicationError as exc:
        return render(request, "checklists/message.html", {"message": exc.message}, status=exc.status_code)
    try:
        check_rate(request, "intake")  # a report submission, like the report form
        answer, receipt = services.answer_report(run=run, user=request.user, item_code=item,
                                                 lat=request.POST.get("lat") or None,
                                                 lon=request.POST.get("lon") or None,
                                                 crs=request.POST.get("crs") or "wgs84")
    except ApplicationError as exc:
        ctx = _run_context(request, run, error_message=exc.message, error_fields=exc.extra.get("fields", {}))
        return render(request, "checklists/run.html", ctx, status=exc.status_code)
    ctx = _run_context(request, run, reported=answer, receipt=receipt)
    return render(request, "checklists/run.html", ctx)


# --- staff ---------------------------------------------------------------------------------------------

def _staff_context(request, state, form_data=None, errors=None, message=None):
    j = jurisdiction_for_user(request.user)
    qs = selectors.inspections_for_staff(request.user, state)
    units = Organization.objects.exclude(kind="regulator").select_related("region").order_by("name")
    if not j.is_admin:
        from django.db.models import Q

        cond = Q(pk__in=[])
        for path, _s in j.areas:
            cond |= Q(region__path__startswith=path)
        units = units.filter(cond)
    today = timezone.localdate()
    counts = {s: selectors.inspections_for_staff(request.user, s).count() for s in ("due", "missed", "late")}
    return {
        "nav": "checklists", "state": state, "states": STATE_LABELS, "inspections": qs[:300], "counts": counts,
        "units": units[:500], "templates": selectors.templates_current(), "intervals": InspectionInterval.choices,
        "form": form_data or {"due_date": (today + dt.timedelta(days=7)).isoformat(), "interval": "monthly",
                              "announced": "1"},
        "errors": errors or {}, "error_message": message, "today": today,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def staff_inspections(request):
    j = jurisdiction_for_user(request.user)
    if not (j.is_admin or j.is_regulator):
        return _forbidden(request, services.NOT_REGULATOR)
    state = request.GET.get("state", "due")
    if state not in selectors.INSPECTION_STATES:
        state = "due"
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("unit_id", "template", "interval", "due_date", "end_date")}
        data["announced"] = request.POST.get("announced") == "1"
        try:
            _schedule, first = services.inspection_schedule(actor=request.user, data=data)
        except ApplicationError as exc:
            form = {**data, "announced": "1" if data["announced"] else ""}
            ctx = _staff_context(request, state, form, exc.extra.get("fields", {}), exc.message)
            return render(request, "checklists/staff_inspections.html", ctx, status=exc.status_code)
        from django.contrib import messages

        messages.success(request, SCHEDULED.format(date=first.due_date.isoformat()))
        return _see_other(reverse("checklists:staff") + "?state=due")
    return render(request, "checklists/staff_inspections.html", _staff_context(request, state))


@require_POST
@staff_required
def staff_inspection_start(request, pk):
    try:
        run = services.inspection_start(actor=request.user, inspection_id=pk)
    except ApplicationError as exc:
        return render(request, "checklists/message.html", {"message": exc.message}, status=exc.status_code)
    return _see_other(reverse("checklists:run", args=[run.token]))


