"""The persistence worker: the Redis stream into the database, idempotent when killed mid-batch and replayed."""
from django.core.management import call_command

from hazardwatch.quizzes import services, store
from hazardwatch.quizzes.models import Answer, Attempt
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client, wrong_choice


def _answers(city, n_takers=3):
    acked = 0
    for i in range(n_takers):
        c = make_client(unit=city.enterprise.pk)
        a = c.post("/api/v1/quizzes/daily").json()
        for j, q in enumerate(a["questions"]):
            choice = correct_choice(q["id"]) if (i + j) % 2 == 0 else wrong_choice(q["id"])
            r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q["id"], "choice": choice},
                       content_type="application/json")
            acked += r.status_code == 201
    return acked


def _snapshot():
    return sorted(Attempt.objects.values_list("pk", "score", "correct_count", "answered_count"))


def test_worker_killed_after_insert_replays_without_double_counting(city, bank, redis_on, settings):
    settings.HAZARDWATCH_QUIZ_PERSIST_BATCH = 4
    acked = _answers(city)
    assert acked == 15 and Answer.objects.count() == 0
    assert services.answers_pending() == 15
    # a worker dies after writing its first batch, before acknowledging it to Redis
    died = services.answers_persist(consumer="w-dead", crash_after_insert=True)
    assert died.read == 4 and Answer.objects.count() == 4
    # another worker takes over: replays the pending batch (no duplicates), then the rest
    r = services.answers_persist(consumer="w-2")
    assert r.read == 15 and r.inserted == 11
    assert Answer.objects.count() == 15
    first = _snapshot()
    assert sum(s for _p, s, _c, _n in first) == sum(Answer.objects.values_list("points", flat=True))
    assert all(n == 5 for _p, _s, _c, n in first)
    # running it again changes nothing
    again = services.answers_persist(consumer="w-3")
    assert again.read == 0 and Answer.objects.count() == 15 and _snapshot() == first
    assert services.answers_pending() == 0


def test_replaying_the_same_entries_twice_gives_the_same_counts(city, bank, redis_on):
    _answers(city, n_takers=2)
    c = store.client()
    entries = c.xrange(store.key(store.STREAM))
    services._persist_batch(entries)
    first = (Answer.objects.count(), _snapshot())
    services._persist_batch(entries)
    assert (Answer.objects.count(), _snapshot()) == first == (10, first[1])


def test_persist_command(city, bank, redis_on):
    import io

    _answers(city, n_takers=1)
    out = io.StringIO()
    call_command("quizzes", "persist", stdout=out)
    assert "read 5, inserted 5" in out.getvalue()
    assert Answer.objects.count() == 5


def test_without_redis_answers_are_written_directly(city, bank, db_only):
    import io

    assert _answers(city, n_takers=1) == 5
    assert Answer.objects.count() == 5
    out = io.StringIO()
    call_command("quizzes", "persist", stdout=out)
    assert "nothing to do" in out.getvalue()
