"""Checklist fixtures: the shipped templates loaded, and a site in Jinshui district."""
import pytest

SITE = (34.78, 113.68)  # 金水区


@pytest.fixture
def templates(db):
    from hazardwatch.checklists.services import templates_load

    return templates_load()


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


def answer_all(run, hazard_on=(), photo_for=None):
    """Answer every item of a run; items in hazard_on get their hazard answer, the rest the safe one."""
    from hazardwatch.checklists.services import run_answer

    rows = []
    for item in run.template.items.all():
        safe = "yes" if item.hazard_answer == "no" else "no"
        rows.append({"item": item.code, "answer": item.hazard_answer if item.code in hazard_on else safe})
    return run_answer(run=run, user=None, answers=rows)
