"""The demo seed of quizzes, and the API schema (the answer operation stays documented)."""
from django.test import Client

from hazardwatch.quizzes import selectors
from hazardwatch.quizzes.models import Attempt, Contest, Question


def test_demo_seed_gives_a_bank_a_contest_and_ranked_units(city, db_only):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.quizzes.demo import seed_quizzes

    Organization.objects.create(kind="school", name="郑州市金水区晨曦小学", region=city.divisions["410105"])
    stats = seed_quizzes(log=lambda *_a: None)
    assert stats["quiz_questions"] >= 100 and stats["quiz_attempts"] > 0
    assert Question.objects.count() >= 100 and Contest.objects.count() == 1
    assert Attempt.objects.filter(score__gt=0).exists()
    assert selectors.unit_board(scope="daily")
    page = Client().get("/quiz/")
    assert page.status_code == 200


def test_openapi_schema_lists_the_quiz_operations(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/quizzes/attempts/{token}/answers" in paths
    assert "/api/v1/quizzes/daily" in paths
    assert "/api/v1/quizzes/bench/echo" not in paths


def test_bench_echo_is_off_unless_enabled(db, settings):
    settings.HAZARDWATCH_QUIZ_BENCH = False
    assert Client().get("/api/v1/quizzes/bench/echo").status_code == 404
    settings.HAZARDWATCH_QUIZ_BENCH = True
    assert Client().get("/api/v1/quizzes/bench/echo").json() == {"ok": True}
