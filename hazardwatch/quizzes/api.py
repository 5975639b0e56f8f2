"""Quiz API under /api/v1/quizzes/: taker profile, daily quiz, contests, answers, leaderboards.

No sign-in needed: a taker is identified by a signed cookie (set by POST /profile or when an attempt starts);
a signed-in user is credited to their unit. The answer endpoint reads only the cookie and the attempt state
(Redis, or the database without Redis) so that it stays cheap under load (docs/quizzes.md).
"""
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.places.models import Division
from hazardwatch.quizzes import selectors, services, takers
from hazardwatch.quizzes.models import Contest
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["quizzes"])

BAD_SCOPE = _("Unknown leaderboard scope: use 'daily' or 'c' followed by a contest number.")
UNKNOWN_PARENT = _("Unknown region code.")


class ProfileIn(Schema):
    region: str = Field(..., max_length=12)
    unit: int | None = None


class ProfileOut(Schema):
    region: str
    region_name: str
    unit: int | None
    unit_name: str


class AnswerIn(Schema):
    question: int
    choice: list[str] = Field(..., max_length=8)


class AnswerOut(Schema):
    question: int
    correct: bool
    points: int
    answer: list[str]
    explanation: str


class ContestOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    question_count: int
    time_limit_seconds: int


def _profile_out(p) -> dict:
    return {"region": p.region_id, "region_name": p.region.name, "unit": p.unit_id,
            "unit_name": p.unit.display_name if p.unit else ""}


@router.get("/profile", response={200: ProfileOut, 404: ErrorOut}, summary="The taker's region and unit")
def profile_get(request):
    p = takers.taker_from_request(request)
    if p is None:
        raise NotFound(services.NO_PROFILE)
    return _profile_out(p)


@router.post("/profile", response={200: ProfileOut, 400: ErrorOut},
             summary="Choose your region (and optionally your unit or school); sets the taker cookie")
def profile_set(request, payload: ProfileIn, response: HttpResponse):
    p = services.taker_save(token=takers.cookie_token(request), user=request.user, region_code=payload.region,
                            unit_id=payload.unit)
    takers.set_cookie(response, p.token)
    return _profile_out(p)


def _start(request, response, fn, **kwargs):
    taker = takers.taker_from_request(request)
    attempt = fn(taker=taker, **kwargs)
    takers.set_cookie(response, taker.token)
    return Status(201, selectors.attempt_view(attempt))


@router.post("/daily", response={201: dict, 400: ErrorOut, 409: ErrorOut},
             summary="Start today's quiz (one attempt per taker per day)")
def daily_start(request, response: HttpResponse):
    return _start(request, response, services.daily_start)


@router.get("/contests", response=list[ContestOut], summary="Contests open now")
def contest_list(request):
    return [{"id": c.pk, "title": c.title, "starts_at": c.starts_at, "ends_at": c.ends_at,
             "question_count": c.question_count, "time_limit_seconds": c.time_limit_seconds}
            for c in selectors.open_contests(timezone.now())]


@router.post("/contests/{contest_id}/attempts", response={201: dict, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Take part in a contest (once per taker)")
def contest_start(request, contest_id: int, response: HttpResponse):
    return _start(request, response, services.contest_start, contest_id=contest_id)


def _own_attempt(request, token: str):
    from hazardwatch.quizzes.models import Attempt

    attempt = Attempt.objects.select_related("taker").filter(token=token[:64]).first()
    if attempt is None or attempt.taker.token != takers.cookie_token(request):
        raise NotFound(services.ATTEMPT_NOT_FOUND)
    return attempt


@router.get("/attempts/{token}", response={200: dict, 404: ErrorOut}, summary="An attempt: questions, answers so far")
def attempt_get(request, token: str):
    return selectors.attempt_view(_own_attempt(request, token))


@router.post("/attempts/{token}/answers", response={201: AnswerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                    409: ErrorOut},
             summary="Answer one question of the attempt; the explanation comes back")
def answer_create(request, token: str, payload: AnswerIn):
    """Served by `fast.answer` (routed ahead of this API, same input and output); kept here for the schema."""
    from hazardwatch.quizzes.fast import answer_payload

    result = services.answer_submit(token=token[:64], taker_token=takers.cookie_token(request),
                                    question_id=payload.question, choice=payload.choice)
    return Status(201, answer_payload(request, result))


def _scope(scope: str) -> str:
    if not selectors.valid_scope(scope):
        raise ApplicationError(BAD_SCOPE)
    return scope


@router.get("/leaderboards/regions", response={200: list[dict], 400: ErrorOut},
            summary="Points per region under `parent` (top level when empty), subtrees rolled up")
def board_regions(request, scope: str = "daily", parent: str = "", limit: int = 50):
    division = None
    if parent:
        division = Division.objects.filter(code=parent[:12]).first()
        if division is None:
            raise ApplicationError(UNKNOWN_PARENT)
    return selectors.region_board(scope=_scope(scope), parent=division, limit=max(1, min(limit, 200)))


@router.get("/leaderboards/units", response={200: list[dict], 400: ErrorOut}, summary="Points per unit")
def board_units(request, scope: str = "daily", limit: int = 50):
    return selectors.unit_board(scope=_scope(scope), limit=max(1, min(limit, 200)))


@router.get("/contests/{contest_id}/leaderboard", response={200: list[dict], 404: ErrorOut},
            summary="Takers of a contest by points (no personal data)")
def board_contest(request, contest_id: int, limit: int = 50):
    if not Contest.objects.filter(pk=contest_id).exists():
        raise NotFound(_("This contest does not exist."))
    return selectors.taker_board(scope=f"c{contest_id}", limit=max(1, min(limit, 200)))


@router.get("/bench/echo", include_in_schema=False)
def bench_echo(request):
    """A trivial JSON view for `make bench-quiz` (only with HAZARDWATCH_QUIZ_BENCH on)."""
    if not settings.HAZARDWATCH_QUIZ_BENCH:
        raise Http404
    return {"ok": True}


# --- staff (the workbench's quiz page): contests and results per unit -------------------------------------

def _staff_only(request):
    from hazardwatch.accounts.models import Role
    from hazardwatch.accounts.selectors import jurisdiction_for_user, user_is_staff_user
    from hazardwatch.core.errors import PermissionDenied

    if not request.user.is_authenticated:
        from ninja.errors import AuthenticationError

        raise AuthenticationError()
    if not (user_is_staff_user(request.user) or Role.CAMPAIGN_OFFICE in jurisdiction_for_user(request.user).roles):
        raise PermissionDenied(_("Quiz results are for staff."))


class StaffContestOut(ContestOut):
    title_zh: str
    title_en: str
    tags: list[str]
    points_per_correct: int


class StaffContestPage(Schema):
    count: int
    items: list[StaffContestOut]
    next_cursor: str | None = None


def _staff_contest(c: Contest) -> dict:
    return {"id": c.pk, "title": c.title, "title_zh": c.title_zh, "title_en": c.title_en, "starts_at": c.starts_at,
            "ends_at": c.ends_at, "question_count": c.question_count, "time_limit_seconds": c.time_limit_seconds,
            "tags": list(c.tags or []), "points_per_correct": c.points_per_correct}


@router.get("/staff/contests", auth=django_auth,
            response={200: StaffContestPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="All contests, newest first (staff)")
def staff_contest_list(request, limit: int = Query(50, ge=1, le=200),
                       cursor: str | None = Query(None, max_length=1000)):
    from hazardwatch.api.pagination import page, paginate

    _staff_only(request)
    qs = Contest.objects.all()
    rows, next_cursor = paginate(qs, limit=limit, cursor=cursor, scope="quizzes.contests")
    return Status(200, page([_staff_contest(c) for c in rows], next_cursor, qs.count()))


class ContestIn(Schema):
    title_zh: str
    title_en: str = ""
    starts_at: str
    ends_at: str
    tags: str = Field("", description="Separated by commas; empty: the whole bank")
    question_count: int = 10
    time_limit_seconds: int = 300
    points_per_correct: int = 10


@router.post("/staff/contests", auth=django_auth,
             response={201: StaffContestOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
             summary="Create a contest (regulators, campaign office, administrators)")
def staff_contest_create(request, payload: ContestIn):
    from hazardwatch.quizzes.forms import ContestForm

    _staff_only(request)
    if not services._may_run_contests(request.user):
        raise ApplicationError(services.CONTEST_NOT_ALLOWED, status_code=403)
    form = ContestForm(payload.dict())  # the staff page's own validation
    if not form.is_valid():
        fields = {k: [str(e) for e in v] for k, v in form.errors.items()}
        raise ApplicationError(_("The request has invalid fields."), {"fields": fields})
    d = form.cleaned_data
    contest = services.contest_create(
        actor=request.user, title_zh=d["title_zh"], title_en=d["title_en"], starts_at=d["starts_at"],
        ends_at=d["ends_at"], tags=d["tags"], question_count=d["question_count"],
        time_limit_seconds=d["time_limit_seconds"], points_per_correct=d["points_per_correct"])
    return Status(201, _staff_contest(contest))


@router.get("/staff/results", auth=django_auth, response={200: dict, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Results per unit you may see, most points first (scope: empty for all, 'daily', or "
                    "'c<contest id>')")
def staff_results(request, scope: str = Query("", max_length=20), limit: int = Query(100, ge=1, le=500),
                  cursor: str | None = Query(None, max_length=1000)):
    from hazardwatch.api.pagination import page, paginate_list
    from hazardwatch.quizzes.views import _results

    _staff_only(request)
    if scope and not selectors.valid_scope(scope):
        raise ApplicationError(BAD_SCOPE, {"fields": {"scope": [str(BAD_SCOPE)]}})
    rows = _results(request.user, scope)
    items, next_cursor = paginate_list(rows, limit=limit, cursor=cursor, scope=f"quizzes.results.{scope}")
    return Status(200, page(items, next_cursor, len(rows)))


@router.get("/staff/results.{fmt}", auth=django_auth, response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Results per unit as csv or xlsx (the staff page's downloads)")
def staff_results_export(request, fmt: str, scope: str = Query("", max_length=20)):
    from hazardwatch.quizzes.views import staff_export

    _staff_only(request)
    return staff_export(request, fmt)
