"""Results per unit (CSV, Excel) and the figures for the campaign summary."""
import io
from datetime import timedelta

from django.test import Client
from openpyxl import load_workbook

from hazardwatch.quizzes import services
from hazardwatch.quizzes.selectors import unit_quiz_figures
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client


def _play(city, unit, n_correct):
    c = make_client(unit.region_id, unit.pk)
    a = c.post("/api/v1/quizzes/daily").json()
    for q in a["questions"][:n_correct]:
        c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers",
               {"question": q["id"], "choice": correct_choice(q["id"])}, content_type="application/json")


def test_results_per_unit_export_csv_and_excel(city, bank, mode):
    _play(city, city.enterprise, 3)
    _play(city, city.enterprise, 1)
    _play(city, city.other_enterprise, 2)
    services.answers_persist()
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(city.admin_chen)
    page = c.get("/staff/quizzes/")
    assert page.status_code == 200 and city.enterprise.name in page.content.decode()
    r = c.get("/staff/quizzes/results.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Unit,Region,Takers,Attempts,Answers,Correct answers,Points"
    assert lines[1].startswith(city.enterprise.name) and lines[1].endswith(",2,2,4,4,40")
    r = c.get("/staff/quizzes/results.xlsx", {"scope": "daily"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "Unit" and rows[2][0] == city.enterprise.name and rows[2][6] == 40
    assert rows[3][0] == city.other_enterprise.name and rows[3][6] == 20
    assert c.get("/staff/quizzes/results.pdf").status_code == 404


def test_unit_staff_export_only_their_unit(city, bank, db_only):
    _play(city, city.enterprise, 2)
    _play(city, city.other_enterprise, 2)
    c = Client()
    c.force_login(city.officer_liu)
    lines = c.get("/staff/quizzes/results.csv").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(city.enterprise.name)
    anonymous = Client().get("/staff/quizzes/results.csv")
    assert anonymous.status_code == 302


def test_unit_quiz_figures(city, bank, mode):
    _play(city, city.enterprise, 3)
    _play(city, city.enterprise, 0)
    _play(city, city.other_enterprise, 1)
    services.answers_persist()
    today = services.local_today()
    figures = unit_quiz_figures([city.enterprise.pk], today, today)
    assert figures == {"takers": 2, "attempts": 2, "points": 30}
    both = unit_quiz_figures([city.enterprise.pk, city.other_enterprise.pk], today - timedelta(days=7), today)
    assert both == {"takers": 3, "attempts": 3, "points": 40}
    assert unit_quiz_figures([city.enterprise.pk], today + timedelta(days=1), today + timedelta(days=2)) == \
        {"takers": 0, "attempts": 0, "points": 0}
    assert all(isinstance(v, int) for v in figures.values())
