"""The daily quiz through the API, with answers written to the database and through Redis."""
import time

from hazardwatch.quizzes import services
from hazardwatch.quizzes.models import Answer, Attempt
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client, wrong_choice


def _start(c):
    r = c.post("/api/v1/quizzes/daily")
    assert r.status_code == 201, r.content
    return r.json()


def test_daily_quiz_answers_explained_and_scored(city, bank, mode):
    c = make_client(unit=city.enterprise.pk)
    a = _start(c)
    assert len(a["questions"]) == 5
    assert all("answer" not in q for q in a["questions"])
    q1, q2 = a["questions"][0]["id"], a["questions"][1]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q1, "choice": correct_choice(q1)},
               content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["correct"] is True and body["points"] == 10 and body["explanation"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q2, "choice": wrong_choice(q2)},
               content_type="application/json")
    assert r.json()["correct"] is False and r.json()["points"] == 0
    assert r.json()["answer"] == sorted(correct_choice(q2))
    # the same question twice: refused
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q1, "choice": correct_choice(q1)},
               content_type="application/json")
    assert r.status_code == 409
    assert r.json()["message"] == str(services.ALREADY_ANSWERED)
    view = c.get(f"/api/v1/quizzes/attempts/{a['token']}").json()
    assert view["answered"] == 2 and view["points"] == 10
    services.answers_persist()
    att = Attempt.objects.get(token=a["token"])
    assert (att.score, att.correct_count, att.answered_count) == (10, 1, 2)
    assert att.unit_id == city.enterprise.pk and att.region_id == "410105"


def test_one_attempt_per_taker_per_day(city, bank, mode):
    c = make_client()
    _start(c)
    r = c.post("/api/v1/quizzes/daily")
    assert r.status_code == 409
    assert r.json()["message"] == str(services.DAILY_DONE)
    assert Attempt.objects.count() == 1
    # another taker may
    assert make_client().post("/api/v1/quizzes/daily").status_code == 201


def test_options_are_shuffled_per_attempt(city, bank, mode, settings):
    settings.HAZARDWATCH_QUIZ_DAILY_QUESTIONS = 40
    orders = {}
    for _i in range(4):
        a = _start(make_client())
        for q in a["questions"]:
            if q["kind"] != "true_false":
                orders.setdefault(q["id"], set()).add(tuple(o["key"] for o in q["options"]))
    assert any(len(v) > 1 for v in orders.values())
    # the taker sees the same order again when reloading
    c = make_client()
    a = _start(c)
    again = c.get(f"/api/v1/quizzes/attempts/{a['token']}").json()
    assert [[o["key"] for o in q["options"]] for q in again["questions"]] == \
        [[o["key"] for o in q["options"]] for q in a["questions"]]


def test_answer_after_the_time_limit_is_refused(city, bank, mode, settings):
    settings.HAZARDWATCH_QUIZ_DAILY_SECONDS = 0
    settings.HAZARDWATCH_QUIZ_GRACE_SECONDS = 0
    c = make_client()
    a = _start(c)
    time.sleep(0.05)
    q = a["questions"][0]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q, "choice": correct_choice(q)},
               content_type="application/json")
    assert r.status_code == 409
    assert r.json()["message"] == "Time is up: answers after the time limit are not counted."
    services.answers_persist()
    assert Answer.objects.count() == 0


def test_answer_to_a_question_not_in_the_attempt_is_refused(city, bank, mode):
    from hazardwatch.quizzes.models import Question

    c = make_client()
    a = _start(c)
    inside = {q["id"] for q in a["questions"]}
    other = Question.objects.exclude(pk__in=inside).first()
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": other.pk, "choice": other.answer},
               content_type="application/json")
    assert r.status_code == 400
    assert r.json()["message"] == str(services.NOT_IN_ATTEMPT)
    # and an option that is not one of the question's
    q = a["questions"][0]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q, "choice": ["Z"]},
               content_type="application/json")
    assert r.status_code == 400
    services.answers_persist()
    assert Answer.objects.count() == 0


def test_someone_elses_attempt_is_refused(city, bank, mode):
    a = _start(make_client())
    intruder = make_client()
    q = a["questions"][0]["id"]
    r = intruder.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q, "choice": ["A"]},
                      content_type="application/json")
    assert r.status_code == 403
    assert intruder.get(f"/api/v1/quizzes/attempts/{a['token']}").status_code == 404


def test_profile_is_validated(city, bank, db_only):
    from django.test import Client

    c = Client()
    c.cookies["django_language"] = "en"
    r = c.post("/api/v1/quizzes/profile", {"region": "999999"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "Choose your region from the list."
    r = c.post("/api/v1/quizzes/profile", {"region": "410103", "unit": city.enterprise.pk},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "That unit or school is not in the region you chose."
    assert c.post("/api/v1/quizzes/daily").status_code == 400


def test_signed_in_user_is_credited_to_their_unit(city, bank, db_only):
    from django.test import Client

    c = Client()
    c.force_login(city.officer_liu)
    r = c.post("/api/v1/quizzes/daily")
    assert r.status_code == 201
    att = Attempt.objects.get()
    assert att.unit_id == city.enterprise.pk and att.region_id == city.enterprise.region_id


def test_malformed_answers_are_refused_with_field_messages(city, bank, mode):
    c = make_client()
    a = _start(c)
    url = f"/api/v1/quizzes/attempts/{a['token']}/answers"
    q = a["questions"][0]["id"]
    for body in ({"question": q, "choice": "A"}, {"question": "x", "choice": ["A"]}, {"choice": ["A"]}, [1, 2]):
        r = c.post(url, body, content_type="application/json")
        assert r.status_code == 400, body
        assert r.json()["message"] == "The request has invalid fields."
    r = c.post(url, b"{not json", content_type="application/json")
    assert r.status_code == 400
    r = c.post(url, {"question": q, "choice": ["A", "A"]}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == str(services.BAD_CHOICE)
    assert c.get(url).status_code == 405
    assert c.post("/api/v1/quizzes/attempts/nope/answers", {"question": q, "choice": ["A"]},
                  content_type="application/json").status_code in (403, 404)
    services.answers_persist()
    assert Answer.objects.count() == 0


def test_redis_unreachable_gives_503_and_stores_nothing(city, bank, redis_on, settings):
    c = make_client()
    a = _start(c)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    q = a["questions"][0]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q, "choice": correct_choice(q)},
               content_type="application/json")
    assert r.status_code == 503
    assert r.json()["message"] == "Answers cannot be recorded right now. Please try again in a moment."
    other = make_client()
    assert other.post("/api/v1/quizzes/daily").status_code == 503
    assert Attempt.objects.count() == 1 and Answer.objects.count() == 0
