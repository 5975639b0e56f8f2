"""Reads for quizzes: leaderboards (Redis sorted sets or the database, same results), results per unit,
and the figures the campaign summary uses."""
from datetime import date

from django.db.models import Count, Q, Sum

from hazardwatch.accounts.models import Organization
from hazardwatch.places.models import Division
from hazardwatch.quizzes import store
from hazardwatch.quizzes.models import Answer, Attempt, Contest, TakerProfile


def unit_quiz_figures(org_ids: list[int], start: date, end: date) -> dict:
    """Figures for the campaign summary: distinct takers credited to these units, attempts and points, for
    attempts started on days in [start, end] (local dates). Counts what is persisted in the database."""
    qs = Attempt.objects.filter(unit_id__in=list(org_ids), day__gte=start, day__lte=end)
    agg = qs.aggregate(takers=Count("taker", distinct=True), attempts=Count("id"), points=Sum("score"))
    return {"takers": int(agg["takers"] or 0), "attempts": int(agg["attempts"] or 0),
            "points": int(agg["points"] or 0)}


def _scope_filter(scope: str) -> Q:
    if scope == "daily":
        return Q(contest__isnull=True)
    if scope.startswith("c") and scope[1:].isdigit():
        return Q(contest_id=int(scope[1:]))
    raise ValueError(scope)


def valid_scope(scope: str) -> bool:
    try:
        _scope_filter(scope)
    except ValueError:
        return False
    return True


def _ranked(pairs: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    pairs = sorted(((m, p) for m, p in pairs if p > 0), key=lambda mp: (-mp[1], mp[0]))
    return pairs[:limit] if limit else pairs


def region_board(*, scope: str, parent: Division | None, limit: int = 50, source: str | None = None) -> list[dict]:
    """Points per child division of `parent` (top-level divisions when None), each child's whole subtree
    rolled up. `source` forces "redis" or "db"; by default Redis when configured."""
    use_redis = store.enabled() if source is None else source == "redis"
    if use_redis:
        pairs = store.board_read(f"lb:{scope}:region:{parent.code if parent else '_'}", limit)
    else:
        depth = (parent.path.count("/") if parent else 0)
        qs = Attempt.objects.filter(_scope_filter(scope))
        if parent is not None:
            qs = qs.filter(region__path__startswith=parent.path)
        totals: dict[str, int] = {}
        for path, points in qs.values("region__path").annotate(points=Sum("score")).values_list("region__path",
                                                                                               "points"):
            codes = [c for c in path.strip("/").split("/") if c]
            if len(codes) > depth:
                totals[codes[depth]] = totals.get(codes[depth], 0) + int(points or 0)
        pairs = list(totals.items())
    pairs = _ranked(pairs, limit)
    names = {d.code: d.name for d in Division.objects.filter(code__in=[m for m, _p in pairs])}
    return [{"rank": i + 1, "code": m, "name": names.get(m, m), "points": p} for i, (m, p) in enumerate(pairs)]


def unit_board(*, scope: str, limit: int = 50, source: str | None = None) -> list[dict]:
    use_redis = store.enabled() if source is None else source == "redis"
    if use_redis:
        pairs = store.board_read(f"lb:{scope}:unit", limit)
    else:
        rows = (Attempt.objects.filter(_scope_filter(scope), unit__isnull=False).values("unit_id")
                .annotate(points=Sum("score")).values_list("unit_id", "points"))
        pairs = [(str(u), int(p or 0)) for u, p in rows]
    pairs = _ranked(pairs, limit)
    names = {str(o.pk): o.display_name for o in Organization.objects.filter(pk__in=[int(m) for m, _p in pairs])}
    return [{"rank": i + 1, "id": int(m), "name": names.get(m, m), "points": p} for i, (m, p) in enumerate(pairs)]


def taker_board(*, scope: str, limit: int = 50, source: str | None = None) -> list[dict]:
    """Takers by points (no personal data: a taker number, their region and unit)."""
    use_redis = store.enabled() if source is None else source == "redis"
    if use_redis:
        pairs = store.board_read(f"lb:{scope}:taker", limit)
    else:
        rows = (Attempt.objects.filter(_scope_filter(scope)).values("taker_id").annotate(points=Sum("score"))
                .values_list("taker_id", "points"))
        pairs = [(str(t), int(p or 0)) for t, p in rows]
    pairs = _ranked(pairs, limit)
    takers = {str(t.pk): t for t in TakerProfile.objects.filter(pk__in=[int(m) for m, _p in pairs])
              .select_related("region", "unit")}
    out = []
    for i, (m, p) in enumerate(pairs):
        t = takers.get(m)
        out.append({"rank": i + 1, "taker": int(m), "region": t.region.name if t else "",
                    "unit": t.unit.display_name if t and t.unit else "", "points": p})
    return out


def unit_results(*, scope: str | None = None, region: Division | None = None,
                 unit_ids: set[int] | None = None) -> list[dict]:
    """One row per unit: region, takers, attempts, answers, correct answers, points (persisted data)."""
    qs = Attempt.objects.filter(unit__isnull=False)
    if scope:
        qs = qs.filter(_scope_filter(scope))
    if region is not None:
        qs = qs.filter(unit__region__path__startswith=region.path)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = (qs.values("unit_id").annotate(takers=Count("taker", distinct=True), attempts=Count("id"),
                                          answers=Sum("answered_count"), correct=Sum("correct_count"),
                                          points=Sum("score")).order_by("-points", "unit_id"))
    units = Organization.objects.select_related("region").in_bulk([r["unit_id"] for r in rows])
    out = []
    for r in rows:
        u = units[r["unit_id"]]
        out.append({"unit": u.display_name, "region": u.region.name, "takers": r["takers"],
                    "attempts": r["attempts"], "answers": int(r["answers"] or 0), "correct": int(r["correct"] or 0),
                    "points": int(r["points"] or 0)})
    return out


def open_contests(now) -> list[Contest]:
    return list(Contest.objects.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at"))


def attempt_answers(attempt: Attempt) -> dict[int, dict]:
    """Answers given so far in this attempt: from the Redis state when configured (not yet persisted ones
    included), else from the database. Maps question id to {"choice"}."""
    if store.enabled():
        answered = store.answered_get(attempt.token)
        if answered is not None:
            return {qid: {"choice": list(v)} for qid, v in answered.items()}
    return {a.question_id: {"choice": a.choice} for a in Answer.objects.filter(attempt=attempt)}


def attempt_view(attempt: Attempt) -> dict:
    """The attempt as the taker sees it: questions in order with options in the attempt's shuffled order
    (never the answers), what was answered so far, and the time left."""
    from django.utils import timezone

    from hazardwatch.quizzes.models import Question

    by_id = Question.objects.in_bulk(attempt.questions)
    answered = attempt_answers(attempt)
    questions = []
    for qid in attempt.questions:
        q = by_id.get(qid)
        if q is None:
            continue
        order = attempt.option_orders.get(str(qid)) or [o["key"] for o in q.options]
        item = {"id": q.pk, "kind": q.kind, "text": q.text,
                "options": [{"key": k, "text": q.option_text(k)} for k in order]}
        if qid in answered:
            choice = answered[qid]["choice"]
            item.update(answered=True, choice=choice, correct=sorted(choice) == sorted(q.answer) if choice else None,
                        answer=sorted(q.answer), explanation=q.explanation)
        else:
            item["answered"] = False
        questions.append(item)
    left = max(0, int((attempt.deadline_at - timezone.now()).total_seconds()))
    correct = sum(1 for q in questions if q.get("correct"))
    return {"token": attempt.token, "contest": attempt.contest_id, "deadline": attempt.deadline_at,
            "seconds_left": left, "points_per_correct": attempt.points_per_correct, "questions": questions,
            "answered": sum(1 for q in questions if q["answered"]), "correct": correct,
            "points": correct * attempt.points_per_correct}
