"""Quiz pages: the public daily quiz and contests at /quiz/ (phone first, htmx answers), leaderboards, and the
staff page /staff/quizzes/ (contests, leaderboards, results per unit as CSV or Excel)."""
import csv
import io
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.accounts.models import Role
from hazardwatch.accounts.selectors import jurisdiction_for_user, user_is_staff_user
from hazardwatch.core.errors import ApplicationError
from hazardwatch.core.http import download_response
from hazardwatch.places.models import Division, DivisionLevel
from hazardwatch.quizzes import selectors, services, takers
from hazardwatch.quizzes.models import Attempt, Contest
from hazardwatch.workbench.views import _forbidden, _see_other

ANSWER_FIRST = _("Choose an answer first.")


def quiz_staff_required(view):
    """Workbench staff (regulators, units, admins) and the campaign office."""
    import functools

    from django.contrib.auth.views import redirect_to_login

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user_is_staff_user(request.user) or Role.CAMPAIGN_OFFICE in jurisdiction_for_user(request.user).roles):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _regions():
    return Division.objects.filter(level__in=[DivisionLevel.PREFECTURE, DivisionLevel.COUNTY]).order_by("path")


def _home_context(request, taker, error=None):
    today_attempt = None
    if taker is not None:
        today_attempt = Attempt.objects.filter(taker=taker, day=services.local_today(), contest__isnull=True).first()
    contests = selectors.open_contests(timezone.now())
    done = set()
    if taker is not None:
        done = set(Attempt.objects.filter(taker=taker, contest__in=contests).values_list("contest_id", flat=True))
    return {"nav": "quiz", "taker": taker, "today_attempt": today_attempt, "contests": contests,
            "contests_done": done, "regions": _regions(), "units": services.unit_choices(), "error": error,
            "daily_questions": services._setting("HAZARDWATCH_QUIZ_DAILY_QUESTIONS", 5),
            "daily_seconds": services._setting("HAZARDWATCH_QUIZ_DAILY_SECONDS", 150),
            "editing": request.GET.get("edit") == "1"}


@require_GET
def quiz_home(request):
    taker = takers.taker_from_request(request)
    return render(request, "quizzes/home.html", _home_context(request, taker))


@require_POST
def profile_save(request):
    unit = request.POST.get("unit") or None
    try:
        unit_id = int(unit) if unit else None
    except ValueError:
        unit_id = -1
    try:
        profile = services.taker_save(token=takers.cookie_token(request), user=request.user,
                                      region_code=request.POST.get("region", ""), unit_id=unit_id)
    except ApplicationError as exc:
        ctx = _home_context(request, takers.taker_from_request(request), error=exc.message)
        ctx["editing"] = True
        return render(request, "quizzes/home.html", ctx, status=400)
    response = _see_other(reverse("quizzes:home"))
    takers.set_cookie(response, profile.token)
    return response


def _start(request, fn, **kwargs):
    taker = takers.taker_from_request(request)
    try:
        attempt = fn(taker=taker, **kwargs)
    except ApplicationError as exc:
        return render(request, "quizzes/home.html", _home_context(request, taker, error=exc.message),
                      status=exc.status_code)
    response = _see_other(reverse("quizzes:attempt", args=[attempt.token]))
    takers.set_cookie(response, taker.token)
    return response


@require_POST
def daily_start(request):
    return _start(request, services.daily_start)


@require_POST
def contest_start(request, contest_id: int):
    return _start(request, services.contest_start, contest_id=contest_id)


def _attempt_for(request, token: str) -> Attempt | None:
    attempt = Attempt.objects.select_related("taker", "contest").filter(token=token[:64]).first()
    if attempt is None or attempt.taker.token != takers.cookie_token(request):
        return None
    return attempt


@require_GET
def attempt_page(request, token: str):
    attempt = _attempt_for(request, token)
    if attempt is None:
        return render(request, "quizzes/missing.html", {"nav": "quiz"}, status=404)
    view = selectors.attempt_view(attempt)
    return render(request, "quizzes/attempt.html", {"nav": "quiz", "attempt": attempt, "view": view,
                                                    "finished": view["answered"] == len(view["questions"])
                                                    or view["seconds_left"] == 0})


@require_POST
def attempt_answer(request, token: str):
    """One answer. htmx swaps the question card for the result and the explanation; without JavaScript the
    page reloads."""
    attempt = _attempt_for(request, token)
    if attempt is None:
        return render(request, "quizzes/missing.html", {"nav": "quiz"}, status=404)
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError:
        question_id = -1
    choice = request.POST.getlist("choice")
    error, status = None, 200
    if not choice:
        error, status = ANSWER_FIRST, 400
    else:
        try:
            services.answer_submit(token=attempt.token, taker_token=takers.cookie_token(request),
                                   question_id=question_id, choice=choice)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return _see_other(reverse("quizzes:attempt", args=[attempt.token]))
    view = selectors.attempt_view(attempt)
    item = next((q for q in view["questions"] if q["id"] == question_id), None)
    if item is None:
        return HttpResponse(f'<p class="alert alert-error" role="alert">{error}</p>', status=status)
    n = view["questions"].index(item) + 1
    return render(request, "quizzes/_question.html",
                  {"q": item, "n": n, "attempt": attempt, "error": error, "view": view,
                   "finished": view["answered"] == len(view["questions"])}, status=status)


@require_GET
def leaderboard_page(request):
    scope = request.GET.get("scope", "daily")
    if not selectors.valid_scope(scope):
        scope = "daily"
    parent = Division.objects.filter(code=request.GET.get("parent", "")[:12]).first()
    contest = Contest.objects.filter(pk=int(scope[1:])).first() if scope.startswith("c") else None
    ctx = {"nav": "quiz", "scope": scope, "parent": parent, "contest": contest,
           "regions": selectors.region_board(scope=scope, parent=parent, limit=50),
           "units": selectors.unit_board(scope=scope, limit=20),
           "takers": selectors.taker_board(scope=scope, limit=20) if contest else [],
           "ancestors": parent.ancestors() if parent else []}
    return render(request, "quizzes/leaderboard.html", ctx)


# --- staff ---------------------------------------------------------------------------------------------------

def _results_scope(user):
    """Rows a staff user may export: everything (admins), their region (regulators; a campaign office: its
    office's region, so a city office sees the whole city and a district office only its district), or
    their own units."""
    j = jurisdiction_for_user(user)
    if j.is_admin:
        return None, None
    if Role.CAMPAIGN_OFFICE in j.roles:
        from hazardwatch.accounts.models import Organization

        # the widest of the user's offices (a user in several district offices sees the first district only)
        offices = Organization.objects.filter(memberships__user=user, memberships__role=Role.CAMPAIGN_OFFICE)
        office = min(offices.select_related("region"), key=lambda o: len(o.region.path), default=None)
        return (office.region, None) if office is not None else (None, set())
    if j.areas:
        code = j.areas[0][0].strip("/").split("/")[-1]
        return Division.objects.filter(code=code).first(), None
    return None, set(j.unit_org_ids)


def _results(user, scope):
    region, unit_ids = _results_scope(user)
    return selectors.unit_results(scope=scope or None, region=region, unit_ids=unit_ids)


@require_http_methods(["GET", "POST"])
@quiz_staff_required
def staff_index(request):
    from hazardwatch.quizzes.forms import ContestForm

    form = ContestForm(request.POST or None)
    may_create = services._may_run_contests(request.user)
    if request.method == "POST":
        if not may_create:
            return _forbidden(request, services.CONTEST_NOT_ALLOWED)
        if form.is_valid():
            d = form.cleaned_data
            try:
                contest = services.contest_create(
                    actor=request.user, title_zh=d["title_zh"], title_en=d["title_en"], starts_at=d["starts_at"],
                    ends_at=d["ends_at"], tags=d["tags"], question_count=d["question_count"],
                    time_limit_seconds=d["time_limit_seconds"], points_per_correct=d["points_per_correct"])
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _g("Contest “{title}” created.").format(title=contest.title))
                return _see_other(reverse("quizzes:staff"))
    scope = request.GET.get("scope", "")
    if scope and not selectors.valid_scope(scope):
        scope = ""
    contests = Contest.objects.all()[:50]
    return render(request, "quizzes/staff.html", {
        "nav": "quizzes", "form": form, "may_create": may_create, "contests": contests, "scope": scope,
        "results": _results(request.user, scope)[:100], "now": timezone.now()}, status=400 if form.errors else 200)


RESULT_HEADERS = [("unit", _("Unit")), ("region", _("Region")), ("takers", _("Takers")),
                  ("attempts", _("Attempts")), ("answers", _("Answers")), ("correct", _("Correct answers")),
                  ("points", _("Points"))]


@require_GET
@quiz_staff_required
def staff_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope = request.GET.get("scope", "")
    if scope and not selectors.valid_scope(scope):
        scope = ""
    rows = _results(request.user, scope)
    stamp = datetime.now().strftime("%Y%m%d")
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow([str(h) for _k, h in RESULT_HEADERS])
        for r in rows:
            w.writerow([r[k] for k, _h in RESULT_HEADERS])
        return download_response("\ufeff" + out.getvalue(), f"quiz-results-{stamp}.csv")
    from hazardwatch.quizzes.export import results_workbook

    return download_response(results_workbook(rows, RESULT_HEADERS, title=_g("Quiz results per unit")),
                             f"quiz-results-{stamp}.xlsx")
