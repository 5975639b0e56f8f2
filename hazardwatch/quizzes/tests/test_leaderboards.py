"""Leaderboards by region (rolled up the tree), unit and contest taker: the same from Redis and the database."""
from django.test import Client

from hazardwatch.quizzes import selectors, services
from hazardwatch.quizzes.models import Attempt
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client, wrong_choice


def _answer(c, token, qid, ok):
    r = c.post(f"/api/v1/quizzes/attempts/{token}/answers",
               {"question": qid, "choice": correct_choice(qid) if ok else wrong_choice(qid)},
               content_type="application/json")
    assert r.status_code == 201, r.content


def _play(c, pattern):
    a = c.post("/api/v1/quizzes/daily").json()
    for q, ok in zip(a["questions"], pattern):
        _answer(c, a["token"], q["id"], ok)


def _scenario(city):
    _play(make_client("410105", city.enterprise.pk), [True, True, True])           # 30, Jinshui, enterprise
    _play(make_client("410103", city.other_enterprise.pk), [True, False])           # 10, Erqi, other
    _play(make_client("410105"), [True, True, False, False, False])                 # 20, Jinshui, no unit
    _play(make_client("410103"), [False])                                           # 0


def _boards(city, source):
    return {
        "top": selectors.region_board(scope="daily", parent=None, source=source),
        "city": selectors.region_board(scope="daily", parent=city.divisions["410100"], source=source),
        "jinshui": selectors.region_board(scope="daily", parent=city.divisions["410105"], source=source),
        "units": selectors.unit_board(scope="daily", source=source),
        "takers": selectors.taker_board(scope="daily", source=source),
    }


EXPECTED_CITY = [("410105", 50), ("410103", 10)]


def test_region_and_unit_boards_from_the_database(city, bank, db_only):
    _scenario(city)
    b = _boards(city, "db")
    assert [(r["code"], r["points"]) for r in b["city"]] == EXPECTED_CITY
    assert [(r["code"], r["points"]) for r in b["top"]] == [("410000", 60)]
    assert b["jinshui"] == []  # attempts are credited to the district itself, not to a street below it
    assert [(u["id"], u["points"]) for u in b["units"]] == [(city.enterprise.pk, 30), (city.other_enterprise.pk, 10)]
    assert [t["points"] for t in b["takers"]] == [30, 20, 10]


def test_redis_boards_match_the_database_after_persistence(city, bank, redis_on):
    _scenario(city)
    live = _boards(city, "redis")
    assert [(r["code"], r["points"]) for r in live["city"]] == EXPECTED_CITY
    assert Attempt.objects.filter(score__gt=0).count() == 0  # not persisted yet: the database lags
    services.answers_persist()
    assert _boards(city, "db") == live
    # and the rebuild from the database gives the same boards again
    services.leaderboards_rebuild()
    assert _boards(city, "redis") == live


def test_leaderboard_api_and_page(city, bank, mode):
    _scenario(city)
    services.answers_persist()
    c = Client()
    c.cookies["django_language"] = "en"
    r = c.get("/api/v1/quizzes/leaderboards/regions", {"scope": "daily", "parent": "410100"})
    assert [(x["code"], x["points"]) for x in r.json()] == EXPECTED_CITY
    r = c.get("/api/v1/quizzes/leaderboards/units")
    assert r.json()[0]["points"] == 30
    assert c.get("/api/v1/quizzes/leaderboards/units", {"scope": "x1"}).status_code == 400
    assert c.get("/api/v1/quizzes/leaderboards/regions", {"parent": "000000"}).status_code == 400
    page = c.get("/quiz/leaderboard/", {"parent": "410100"})
    assert page.status_code == 200
    assert "金水区" in page.content.decode() or "Jinshui" in page.content.decode()
