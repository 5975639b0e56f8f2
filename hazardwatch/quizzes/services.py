"""Writes for quizzes: taker profiles, starting attempts, answering, contests, and persisting the answer stream.

The answer write path has two modes (docs/quizzes.md):
- with Redis (settings.REDIS_URL): the attempt state lives in a Redis hash; an answer is validated against
  it and recorded by one Lua call (answer once per question, append to the `answers` stream, add points to
  the leaderboards). Acknowledged means in Redis. `answers_persist` moves the stream into PostgreSQL in
  batches, idempotently (unique (attempt, question), attempt totals recomputed from the rows).
- without Redis: one transaction locks the attempt row, inserts the answer and updates the totals.
"""
import json
import random
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Membership, Organization, OrganizationKind
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.places.models import Division
from hazardwatch.quizzes import store
from hazardwatch.quizzes.models import Answer, Attempt, Contest, Question, QuestionKind, TakerProfile

UNKNOWN_REGION = _("Choose your region from the list.")
UNKNOWN_UNIT = _("That unit or school does not exist.")
UNIT_OUTSIDE_REGION = _("That unit or school is not in the region you chose.")
NO_PROFILE = _("Choose your region first.")
DAILY_DONE = _("You have already taken today's quiz. Come back tomorrow.")
CONTEST_DONE = _("You have already taken part in this contest.")
CONTEST_CLOSED = _("This contest is not open now.")
NOT_ENOUGH_QUESTIONS = _("There are not enough questions in the bank for this quiz.")
ATTEMPT_NOT_FOUND = _("This quiz attempt does not exist.")
NOT_YOUR_ATTEMPT = _("This quiz attempt belongs to someone else.")
TIME_UP = _("Time is up: answers after the time limit are not counted.")
NOT_IN_ATTEMPT = _("This question is not part of your quiz.")
ALREADY_ANSWERED = _("You have already answered this question.")
BAD_CHOICE = _("Choose one of the options shown.")
ONE_CHOICE = _("Choose exactly one option.")
CONTEST_BAD_WINDOW = _("The contest must close after it opens.")
CONTEST_NO_TAGS = _("No active question carries any of these tags.")
CONTEST_NOT_ALLOWED = _("Only the campaign office, regulators and administrators create contests.")


def _setting(name: str, default):
    return getattr(settings, name, default)


def local_today():
    return timezone.localdate()


# --- takers ------------------------------------------------------------------------------------------------

def _user_unit(user) -> Organization | None:
    m = (Membership.objects.filter(user=user).select_related("organization__region")
         .order_by("id").first())
    return m.organization if m else None


def taker_for_user(user) -> TakerProfile | None:
    """The signed-in user's profile, created from their unit (and its region) on first use; None when the user
    belongs to no unit and has not chosen a region yet."""
    profile = TakerProfile.objects.select_related("region", "unit").filter(user=user).first()
    unit = _user_unit(user)
    if unit is not None:
        if profile is None:
            profile = TakerProfile.objects.create(token=secrets.token_hex(16), user=user, region=unit.region,
                                                  unit=unit)
        elif profile.unit_id != unit.pk or profile.region_id != unit.region_id:
            profile.unit, profile.region = unit, unit.region
            profile.save(update_fields=["unit", "region"])
    return profile


@transaction.atomic
def taker_save(*, token: str | None, user=None, region_code: str, unit_id: int | None) -> TakerProfile:
    """Create or change a taker's region and unit (a member of the public, or a user without a unit)."""
    region = Division.objects.filter(code=str(region_code or "")).first()
    if region is None:
        raise ApplicationError(UNKNOWN_REGION, {"fields": {"region": [str(UNKNOWN_REGION)]}})
    unit = None
    if unit_id:
        unit = Organization.objects.select_related("region").filter(pk=unit_id).first()
        if unit is None:
            raise ApplicationError(UNKNOWN_UNIT, {"fields": {"unit": [str(UNKNOWN_UNIT)]}})
        if not unit.region.path.startswith(region.path):
            raise ApplicationError(UNIT_OUTSIDE_REGION, {"fields": {"unit": [str(UNIT_OUTSIDE_REGION)]}})
    profile = None
    if user is not None and user.is_authenticated:
        profile = TakerProfile.objects.filter(user=user).first()
    if profile is None and token:
        profile = TakerProfile.objects.filter(token=token, user__isnull=True).first()
    if profile is None:
        profile = TakerProfile(token=secrets.token_hex(16),
                               user=user if user is not None and user.is_authenticated else None)
    profile.region, profile.unit = region, unit
    profile.save()
    return profile


def unit_choices(region: Division | None = None):
    qs = Organization.objects.filter(kind__in=[OrganizationKind.SCHOOL, OrganizationKind.ENTERPRISE,
                                               OrganizationKind.COMMUNITY])
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("name")


# --- attempts ----------------------------------------------------------------------------------------------

def _draw(tags: list[str] | None, count: int) -> list[Question]:
    qs = Question.objects.filter(active=True)
    ids = list(qs.values_list("id", "tags"))
    if tags:
        wanted = set(tags)
        ids = [(i, t) for i, t in ids if wanted.intersection(t or [])]
    if len(ids) < count:
        raise ApplicationError(NOT_ENOUGH_QUESTIONS)
    chosen = random.sample([i for i, _t in ids], count)
    by_id = Question.objects.in_bulk(chosen)
    return [by_id[i] for i in chosen]


def _state(attempt: Attempt, questions: list[Question]) -> dict:
    scope = f"c{attempt.contest_id}" if attempt.contest_id else "daily"
    return store.state_fields(
        attempt_id=attempt.pk, taker_token=attempt.taker.token, deadline_ts=attempt.deadline_at.timestamp(),
        points=attempt.points_per_correct,
        boards=store.board_keys(scope, attempt.region.path, attempt.unit_id, attempt.taker_id),
        questions={q.pk: (q.kind, q.answer, [o["key"] for o in q.options]) for q in questions})


def _put_state(attempt: Attempt, questions: list[Question], answered: dict[str, str] | None = None,
               pipe=None) -> None:
    ttl = int(max((attempt.deadline_at - timezone.now()).total_seconds(), 0)) + 86400
    store.state_put(attempt.token, _state(attempt, questions), ttl, answered, pipe=pipe)


def _attempt_create(*, taker: TakerProfile, contest: Contest | None, questions: list[Question], seconds: int,
                    points: int) -> Attempt:
    now = timezone.now()
    deadline = now + timedelta(seconds=seconds)
    if contest is not None:
        deadline = min(deadline, contest.ends_at)
    orders = {}
    for q in questions:
        keys = [o["key"] for o in q.options]
        random.shuffle(keys)
        orders[str(q.pk)] = keys
    import redis

    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                token=secrets.token_hex(16), taker=taker, contest=contest, day=local_today(), region=taker.region,
                unit=taker.unit, questions=[q.pk for q in questions], option_orders=orders,
                points_per_correct=points, started_at=now, deadline_at=deadline)
            attempt.taker = taker
            if store.enabled():  # inside the transaction: no attempt without its state
                _put_state(attempt, questions)
    except IntegrityError:
        raise Conflict(CONTEST_DONE if contest is not None else DAILY_DONE) from None
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        raise ApplicationError(store.UNAVAILABLE, status_code=503) from None
    return attempt


def daily_start(*, taker: TakerProfile | None) -> Attempt:
    """Start today's quiz: N random active questions, options shuffled, one attempt per taker per day."""
    if taker is None:
        raise ApplicationError(NO_PROFILE)
    if Attempt.objects.filter(taker=taker, day=local_today(), contest__isnull=True).exists():
        raise Conflict(DAILY_DONE)
    questions = _draw(None, _setting("HAZARDWATCH_QUIZ_DAILY_QUESTIONS", 5))
    return _attempt_create(taker=taker, contest=None, questions=questions,
                           seconds=_setting("HAZARDWATCH_QUIZ_DAILY_SECONDS", 150),
                           points=_setting("HAZARDWATCH_QUIZ_POINTS", 10))


def contest_start(*, taker: TakerProfile | None, contest_id: int) -> Attempt:
    if taker is None:
        raise ApplicationError(NO_PROFILE)
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        raise NotFound(_("This contest does not exist."))
    now = timezone.now()
    if not (contest.starts_at <= now < contest.ends_at):
        raise Conflict(CONTEST_CLOSED)
    if Attempt.objects.filter(taker=taker, contest=contest).exists():
        raise Conflict(CONTEST_DONE)
    questions = _draw(contest.tags, contest.question_count)
    return _attempt_create(taker=taker, contest=contest, questions=questions, seconds=contest.time_limit_seconds,
                           points=contest.points_per_correct)


@dataclass
class AnswerResult:
    question_id: int
    correct: bool
    points: int
    answer: list[str]


def _score(kind: str, correct_keys: list[str], choice: list[str], valid_keys: list[str]) -> bool:
    if not choice or any(c not in valid_keys for c in choice) or len(set(choice)) != len(choice):
        raise ApplicationError(BAD_CHOICE, {"fields": {"choice": [str(BAD_CHOICE)]}})
    if kind != QuestionKind.MULTIPLE and len(choice) != 1:
        raise ApplicationError(ONE_CHOICE, {"fields": {"choice": [str(ONE_CHOICE)]}})
    return sorted(choice) == sorted(correct_keys)


def _grace() -> float:
    return float(_setting("HAZARDWATCH_QUIZ_GRACE_SECONDS", 3))


def answer_submit(*, token: str, taker_token: str | None, question_id: int, choice: list[str]) -> AnswerResult:
    """Validate and record one answer. Refused (4xx, nothing recorded) when the attempt is someone else's,
    the time limit (plus a small network grace) has passed, the question is not in the attempt, the choice is
    not one of its options, or the question was answered already."""
    if store.enabled():
        return _answer_redis(token=token, taker_token=taker_token, question_id=question_id, choice=choice)
    return _answer_db(token=token, taker_token=taker_token, question_id=question_id, choice=choice)


def _option_keys(question_id: int) -> list[str]:
    return question_cache(question_id)["keys"]


_qcache: dict[int, tuple[float, dict]] = {}


def question_cache(question_id: int) -> dict:
    """Answer keys, kind and explanations of a question, cached in the process for five minutes (the answer
    path should not hit the database); an imported change shows within that time."""
    hit = _qcache.get(question_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < 300:
        return hit[1]
    q = Question.objects.filter(pk=question_id).first()
    if q is None:
        raise ApplicationError(NOT_IN_ATTEMPT)
    data = {"keys": [o["key"] for o in q.options], "answer": sorted(q.answer), "kind": q.kind,
            "explanation_zh": q.explanation_zh, "explanation_en": q.explanation_en}
    # The explanation as it appears in the answer's JSON response (fast.answer builds the bytes directly).
    data["explanation_json"] = {
        "zh": json.dumps(q.explanation_zh).encode(),
        "en": json.dumps(q.explanation_en or q.explanation_zh).encode(),
    }
    _qcache[question_id] = (now, data)
    return data


def _rebuild_state(token: str) -> bool:
    """The Redis state expired or was lost: rebuild it from the database (answers already persisted count as
    answered)."""
    attempt = Attempt.objects.select_related("taker", "region").filter(token=token).first()
    if attempt is None:
        return False
    questions = list(Question.objects.filter(pk__in=attempt.questions))
    answered = {f"a:{a.question_id}": "".join(a.choice) for a in attempt.answers.all()}
    _put_state(attempt, questions, answered)
    return True


_REDIS_REFUSALS = {-2: (PermissionDenied, NOT_YOUR_ATTEMPT), -3: (Conflict, TIME_UP),
                   -4: (ApplicationError, NOT_IN_ATTEMPT), -5: (Conflict, ALREADY_ANSWERED),
                   -6: (ApplicationError, BAD_CHOICE), -7: (ApplicationError, ONE_CHOICE)}
_CODES = {-3: "time_up", -4: "not_in_attempt"}


def _answer_redis(*, token, taker_token, question_id, choice) -> AnswerResult:
    """One Lua call does every check and the write (store._ANSWER_LUA); Python only shapes the input."""
    if not isinstance(choice, list) or not choice or len(set(choice)) != len(choice) or any(
            not isinstance(c, str) or len(c) != 1 or not c.isalpha() or not c.isupper() for c in choice):
        raise ApplicationError(BAD_CHOICE, {"fields": {"choice": [str(BAD_CHOICE)]}})
    if not taker_token:
        raise PermissionDenied(NOT_YOUR_ATTEMPT)
    letters = "".join(sorted(choice))
    for _try in range(2):
        res = store.answer_record(token=token, taker_token=taker_token, question_id=question_id, choice=letters,
                                  now_ms=int(time.time() * 1000), grace_ms=int(_grace() * 1000))
        if res[0] != -1:
            break
        if not _rebuild_state(token):
            raise NotFound(ATTEMPT_NOT_FOUND)
    code = res[0]
    if code < 0:
        if code == -1:
            raise NotFound(ATTEMPT_NOT_FOUND)
        exc, message = _REDIS_REFUSALS[code]
        extra = {"code": _CODES[code]} if code in _CODES else {}
        if code in (-6, -7):
            extra = {"fields": {"choice": [str(message)]}}
        raise exc(message, extra)
    return AnswerResult(question_id, code == 1, int(res[2]), list(res[1]))


def _answer_db(*, token, taker_token, question_id, choice) -> AnswerResult:
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("taker").filter(token=token).first()
        if attempt is None:
            raise NotFound(ATTEMPT_NOT_FOUND)
        if not taker_token or not secrets.compare_digest(attempt.taker.token, taker_token):
            raise PermissionDenied(NOT_YOUR_ATTEMPT)
        now = timezone.now()
        if now > attempt.deadline_at + timedelta(seconds=_grace()):
            raise Conflict(TIME_UP, {"code": "time_up"})
        if question_id not in attempt.questions:
            raise ApplicationError(NOT_IN_ATTEMPT, {"code": "not_in_attempt"})
        if attempt.answers.filter(question_id=question_id).exists():
            raise Conflict(ALREADY_ANSWERED)
        q = question_cache(question_id)
        ok = _score(q["kind"], q["answer"], choice, q["keys"])
        points = attempt.points_per_correct if ok else 0
        Answer.objects.create(attempt=attempt, question_id=question_id, choice=sorted(choice), correct=ok,
                              points=points, answered_at=now)
        _totals_recompute([attempt.pk])
    return AnswerResult(question_id, ok, points, q["answer"])


def _totals_recompute(attempt_ids) -> None:
    """Set each attempt's totals from its answer rows: one UPDATE with correlated subqueries, so replaying a
    batch can never count an answer twice."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    def agg(expr, **filters):
        rows = (Answer.objects.filter(attempt_id=OuterRef("pk"), **filters).order_by().values("attempt_id")
                .annotate(v=expr).values("v"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    Attempt.objects.filter(pk__in=list(attempt_ids)).update(
        score=agg(Sum("points")), correct_count=agg(Count("id"), correct=True), answered_count=agg(Count("id")))


# --- persistence of the answer stream ----------------------------------------------------------------------

@dataclass
class PersistResult:
    read: int = 0
    inserted: int = 0
    batches: int = 0


def _persist_batch(entries) -> int:
    """Insert one batch in one transaction; duplicates (a replayed batch) are skipped by the unique
    constraint and the attempt totals are recomputed from the rows, so replaying never double counts."""
    from datetime import datetime
    from datetime import timezone as dt_tz

    rows = []
    for _id, f in entries:
        rows.append(Answer(attempt_id=int(f["a"]), question_id=int(f["q"]), choice=list(f["c"]),
                           correct=f["ok"] == "1", points=int(f["p"]),
                           answered_at=datetime.fromtimestamp(int(f["t"]) / 1000, tz=dt_tz.utc)))
    # An attempt deleted since (its taker's data removed) takes its answers with it instead of blocking the stream.
    alive = set(Attempt.objects.filter(pk__in={r.attempt_id for r in rows}).values_list("pk", flat=True))
    rows = [r for r in rows if r.attempt_id in alive]
    if not rows:
        return 0
    with transaction.atomic():
        before = Answer.objects.filter(attempt_id__in={r.attempt_id for r in rows}).count()
        Answer.objects.bulk_create(rows, ignore_conflicts=True)
        after = Answer.objects.filter(attempt_id__in={r.attempt_id for r in rows}).count()
        _totals_recompute({r.attempt_id for r in rows})
    return after - before


def answers_persist(*, batch: int | None = None, consumer: str = "worker-1", max_batches: int | None = None,
                    block_ms: int | None = None, crash_after_insert: bool = False,
                    claim_idle_ms: int = 60_000) -> PersistResult:
    """Move acknowledged answers from the Redis stream into the database, batch by batch, then XACK them.

    Entries left pending by a worker that died (read, maybe inserted, not acknowledged) are claimed and
    replayed: all of them at start, and those idle for `claim_idle_ms` whenever a following worker finds no
    new entries. Replays are harmless (unique answers, totals recomputed). `crash_after_insert` stops after
    the first insert without acknowledging (tests of the replay)."""
    result = PersistResult()
    if not store.enabled():
        return result
    batch = batch or _setting("HAZARDWATCH_QUIZ_PERSIST_BATCH", 1000)
    store.ensure_group()
    c = store.client()
    stream = store.key(store.STREAM)

    def handle(entries) -> bool:
        result.read += len(entries)
        result.inserted += _persist_batch(entries)
        if crash_after_insert:
            return False
        c.xack(stream, store.GROUP, *[e[0] for e in entries])
        c.xdel(stream, *[e[0] for e in entries])
        result.batches += 1
        return True

    def claim(min_idle: int) -> bool:
        start = "0-0"
        while True:
            start, entries = c.xautoclaim(stream, store.GROUP, consumer, min_idle_time=min_idle, start_id=start,
                                          count=batch)[:2]
            entries = [e for e in entries if e[1]]
            if entries and not handle(entries):
                return False
            if start == "0-0":
                return True

    if not claim(0):
        return result
    while max_batches is None or result.batches < max_batches:
        got = c.xreadgroup(store.GROUP, consumer, {stream: ">"}, count=batch, block=block_ms)
        entries = got[0][1] if got else []
        if not entries:
            if block_ms is None:
                break
            if not claim(claim_idle_ms):
                return result
            continue
        if not handle(entries):
            return result
    return result


def answers_pending() -> int:
    if not store.enabled():
        return 0
    store.ensure_group()
    return store.client().xlen(store.key(store.STREAM))


# --- contests ----------------------------------------------------------------------------------------------

def _may_run_contests(user) -> bool:
    from hazardwatch.accounts.models import Role
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    j = jurisdiction_for_user(user)
    return j.is_admin or j.is_regulator or Role.CAMPAIGN_OFFICE in j.roles


@transaction.atomic
def contest_create(*, actor, title_zh: str, title_en: str = "", starts_at, ends_at, tags: list[str],
                   question_count: int, time_limit_seconds: int, points_per_correct: int = 10) -> Contest:
    if not _may_run_contests(actor):
        raise PermissionDenied(CONTEST_NOT_ALLOWED)
    if ends_at <= starts_at:
        raise ApplicationError(CONTEST_BAD_WINDOW, {"fields": {"ends_at": [str(CONTEST_BAD_WINDOW)]}})
    tags = [t.strip() for t in tags if t.strip()]
    available = [t for t in Question.objects.filter(active=True).values_list("tags", flat=True)
                 if not tags or set(tags).intersection(t or [])]
    if tags and not available:
        raise ApplicationError(CONTEST_NO_TAGS, {"fields": {"tags": [str(CONTEST_NO_TAGS)]}})
    if len(available) < question_count:
        raise ApplicationError(NOT_ENOUGH_QUESTIONS, {"fields": {"question_count": [str(NOT_ENOUGH_QUESTIONS)]}})
    contest = Contest(title_zh=title_zh, title_en=title_en, starts_at=starts_at, ends_at=ends_at, tags=tags,
                      question_count=question_count, time_limit_seconds=time_limit_seconds,
                      points_per_correct=points_per_correct, created_by=actor)
    contest.full_clean()
    contest.save()
    audit_append(actor=actor, action="quiz.contest_create", obj_type="quizzes.contest", obj_id=contest.pk,
                 payload={"title": title_zh, "tags": tags, "starts_at": starts_at, "ends_at": ends_at})
    return contest


def leaderboards_rebuild() -> int:
    """Rewrite every Redis leaderboard from the database (after Redis was lost, or after a demo seed). Run it
    when the answer stream is empty (after `quizzes persist`), else the pending answers are counted twice."""
    if not store.enabled():
        return 0
    c = store.client()
    for k in c.scan_iter(match=store.prefix() + "lb:*", count=1000):
        c.delete(k)
    totals: dict[tuple[str, str], int] = {}
    rows = (Attempt.objects.filter(score__gt=0).values_list("contest_id", "region__path", "unit_id", "taker_id",
                                                            "score"))
    for contest_id, path, unit_id, taker_id, score in rows:
        scope = f"c{contest_id}" if contest_id else "daily"
        for k, member in store.board_keys(scope, path, unit_id, taker_id):
            totals[(k, member)] = totals.get((k, member), 0) + score
    pipe = c.pipeline(transaction=False)
    for (k, member), score in totals.items():
        pipe.zincrby(store.prefix() + k, score, member)
    pipe.execute()
    return len(totals)
