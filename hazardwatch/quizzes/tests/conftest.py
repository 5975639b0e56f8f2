import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

BANK = Path(__file__).resolve().parents[1] / "data" / "starter_bank.yaml"
TEST_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def bank(db):
    call_command("quizzes", "import", str(BANK), stdout=open("/dev/null", "w"))


@pytest.fixture(params=["db", "redis"])
def mode(request, settings):
    """Run a test twice: answers written to the database directly, and through Redis (own key prefix)."""
    if request.param == "redis":
        settings.REDIS_URL = TEST_REDIS
        settings.HAZARDWATCH_QUIZ_REDIS_PREFIX = f"hwtest:{uuid.uuid4().hex[:10]}:"
        from hazardwatch.quizzes import store

        yield "redis"
        store.clear_all()
    else:
        settings.REDIS_URL = ""
        yield "db"


@pytest.fixture
def redis_on(settings):
    prefix = f"hwtest:{uuid.uuid4().hex[:10]}:"
    settings.REDIS_URL = TEST_REDIS
    settings.HAZARDWATCH_QUIZ_REDIS_PREFIX = prefix
    from hazardwatch.quizzes import store

    yield
    settings.REDIS_URL, settings.HAZARDWATCH_QUIZ_REDIS_PREFIX = TEST_REDIS, prefix
    store.clear_all()


@pytest.fixture
def db_only(settings):
    settings.REDIS_URL = ""


def make_client(region="410105", unit=None):
    from django.test import Client

    c = Client()
    c.cookies["django_language"] = "en"
    body = {"region": region}
    if unit:
        body["unit"] = unit
    r = c.post("/api/v1/quizzes/profile", body, content_type="application/json")
    assert r.status_code == 200, r.content
    return c


def correct_choice(qid):
    from hazardwatch.quizzes.models import Question

    return Question.objects.get(pk=qid).answer


def wrong_choice(qid):
    from hazardwatch.quizzes.models import Question

    q = Question.objects.get(pk=qid)
    return [next((o["key"] for o in q.options if o["key"] not in q.answer), q.answer[0])]
