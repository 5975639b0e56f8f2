"""Contests: created by staff in /staff/quizzes/, open only in their window, points to a contest board."""
import time
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from hazardwatch.accounts.models import Membership, Organization, User
from hazardwatch.quizzes import services
from hazardwatch.quizzes.models import Contest, Question
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client


def _office(city):
    org = Organization.objects.create(kind="campaign_office", name="郑州市安委办", region=city.divisions["410100"])
    user = User.objects.create_user("office_wu", password="pw")
    Membership.objects.create(user=user, organization=org, role="campaign_office")
    return user


def _contest(**kw):
    now = timezone.now()
    data = dict(title_zh="知识竞赛", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1),
                tags=["gas"], question_count=3, time_limit_seconds=120)
    data.update(kw)
    return Contest.objects.create(**data)


def test_campaign_office_creates_a_contest_on_the_staff_page(city, bank, db_only):
    office = _office(city)
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(office)
    now = timezone.localtime()
    form = {"title_zh": "燃气安全知识竞赛", "title_en": "Gas safety contest",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "tags": "gas, ebike", "question_count": 5, "time_limit_seconds": 300, "points_per_correct": 10}
    r = c.post("/staff/quizzes/", form)
    assert r.status_code == 303, r.content.decode()[:2000]
    contest = Contest.objects.get()
    assert contest.tags == ["gas", "ebike"] and contest.created_by == office
    # a tag no question carries is refused with a message
    r = c.post("/staff/quizzes/", dict(form, tags="nonexistent-tag"))
    assert r.status_code == 400 and "No active question carries any of these tags." in r.content.decode()
    # an enterprise safety officer may not create contests
    c2 = Client()
    c2.force_login(city.officer_liu)
    assert c2.post("/staff/quizzes/", form).status_code == 403
    assert Contest.objects.count() == 1


def test_contest_questions_come_from_its_tags_and_count_once(city, bank, mode):
    contest = _contest()
    c = make_client(unit=city.enterprise.pk)
    r = c.get("/api/v1/quizzes/contests")
    assert [x["id"] for x in r.json()] == [contest.pk]
    a = c.post(f"/api/v1/quizzes/contests/{contest.pk}/attempts")
    assert a.status_code == 201
    a = a.json()
    ids = [q["id"] for q in a["questions"]]
    assert len(ids) == 3
    assert all("gas" in Question.objects.get(pk=i).tags for i in ids)
    for qid in ids:
        assert c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers",
                      {"question": qid, "choice": correct_choice(qid)},
                      content_type="application/json").status_code == 201
    assert c.post(f"/api/v1/quizzes/contests/{contest.pk}/attempts").status_code == 409
    # the daily quiz is separate
    assert c.post("/api/v1/quizzes/daily").status_code == 201
    services.answers_persist()
    board = c.get(f"/api/v1/quizzes/contests/{contest.pk}/leaderboard").json()
    assert [t["points"] for t in board] == [30]
    units = c.get("/api/v1/quizzes/leaderboards/units", {"scope": f"c{contest.pk}"}).json()
    assert units[0]["id"] == city.enterprise.pk and units[0]["points"] == 30


def test_contest_outside_its_window_is_refused(city, bank, mode):
    now = timezone.now()
    later = _contest(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    c = make_client()
    r = c.post(f"/api/v1/quizzes/contests/{later.pk}/attempts")
    assert r.status_code == 409 and r.json()["message"] == str(services.CONTEST_CLOSED)
    assert c.post("/api/v1/quizzes/contests/999999/attempts").status_code == 404


def test_answers_after_the_contest_closes_are_refused(city, bank, mode, settings):
    settings.HAZARDWATCH_QUIZ_GRACE_SECONDS = 0
    now = timezone.now()
    closing = _contest(ends_at=now + timedelta(seconds=1))
    c = make_client()
    a = c.post(f"/api/v1/quizzes/contests/{closing.pk}/attempts").json()
    time.sleep(1.1)
    q = a["questions"][0]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": q, "choice": correct_choice(q)},
               content_type="application/json")
    assert r.status_code == 409 and r.json()["extra"]["code"] == "time_up"
