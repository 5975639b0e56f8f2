"""Cursor pagination through HTTP: walking a list to its end while rows are inserted between pages gives every
original row exactly once; bad, tampered or foreign cursors → 400 in the standard error format; limit bounds;
the old offset still works; filters still apply while paging."""
import datetime as dt
import itertools
import random

import pytest
from django.core import signing
from django.utils import timezone

from hazardwatch.api.pagination import SALT
from hazardwatch.cases.models import Case
from hazardwatch.places.models import Division

_refs = itertools.count(1)


def _case(region_code="410105", sector="fire", *, deadline=None, overdue=False, status="triaged"):
    region = Division.objects.get(code=region_code)
    case = Case(reference=f"P{next(_refs):05d}", title="t", description="d", status=status, sector=sector,
                region=region, region_path=region.path, deadline=deadline, is_overdue=overdue)
    case.set_location(34.78, 113.68)
    case.save()
    return case


def _walk(client, url, params, *, between=None):
    seen, cursor, pages = [], None, 0
    while True:
        r = client.get(url, {**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.content
        body = r.json()
        assert len(body["items"]) <= params.get("limit", 10**6)
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages
        if between:
            between(pages)
        assert pages < 100


@pytest.mark.django_db
def test_case_queue_walk_with_inserts_between_pages(city, client):
    rng = random.Random(7)
    now = timezone.now()
    original = [
        _case(deadline=rng.choice([None, now + dt.timedelta(days=rng.randint(-5, 20))]), overdue=rng.random() < .3)
        for _ in range(23)
    ]
    # equal sort keys everywhere: the pk tiebreak must still give a total order
    same = now + dt.timedelta(days=3)
    original += [_case(deadline=same) for _ in range(5)]
    client.force_login(city.inspector_li)

    def insert(page_no):  # rows landing before, inside and after the current position
        _case(deadline=None)
        _case(deadline=now + dt.timedelta(days=rng.randint(-5, 20)), overdue=rng.random() < .5)
        _case(deadline=same)

    seen, pages = _walk(client, "/api/v1/cases", {"limit": 4}, between=insert)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert {c.pk for c in original} <= set(seen), "a row that was there all along was skipped"
    assert pages >= 7
    # without inserts, the cursor walk is the same order as one big page
    one_page = [row["id"] for row in client.get("/api/v1/cases", {"limit": 200}).json()["items"]]
    walked, _ = _walk(client, "/api/v1/cases", {"limit": 3})
    assert walked == one_page


@pytest.mark.django_db
def test_filters_apply_while_paging(city, client):
    for _ in range(5):
        _case(overdue=True)
    for _ in range(4):
        _case(overdue=False, status="closed")
    _case(region_code="410103")  # Erqi: not in the inspector's jurisdiction
    client.force_login(city.inspector_li)
    seen, _ = _walk(client, "/api/v1/cases", {"limit": 2, "overdue": "true"})
    assert len(seen) == 5 and set(Case.objects.filter(pk__in=seen).values_list("is_overdue", flat=True)) == {True}
    seen, _ = _walk(client, "/api/v1/cases", {"limit": 3, "status": "closed"})
    assert len(seen) == 4
    body = client.get("/api/v1/cases", {"limit": 2, "status": "closed"}).json()
    assert body["count"] == 4 and len(body["items"]) == 2 and body["next_cursor"]


@pytest.mark.django_db
def test_bad_cursor_and_limit_bounds(city, client):
    for _ in range(3):
        _case()
    client.force_login(city.inspector_li)
    first = client.get("/api/v1/cases", {"limit": 1}).json()
    cursor = first["next_cursor"]
    assert cursor
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    foreign = signing.dumps({"s": "risk.points", "k": [0]}, salt=SALT)  # valid signature, another list
    wrong_shape = signing.dumps({"s": "cases", "k": [1, 2]}, salt=SALT)
    wrong_type = signing.dumps({"s": "cases", "k": [{"dt": "not a date"}, None, None, 1]}, salt=SALT)
    for bad in ("garbage", tampered, foreign, wrong_shape, wrong_type, "x" * 1001):
        r = client.get("/api/v1/cases", {"cursor": bad})
        assert r.status_code == 400, (bad, r.content)
        body = r.json()
        assert set(body) == {"message", "extra"} and "cursor" in body["extra"]["fields"]
    for limit, code in ((0, 400), (-1, 400), (201, 400), ("ten", 400), (1, 200), (200, 200)):
        assert client.get("/api/v1/cases", {"limit": limit}).status_code == code, limit
    # the cursor of another list is refused there too
    assert client.get("/api/v1/risk/points", {"cursor": cursor}).status_code == 400


@pytest.mark.django_db
def test_offset_still_works(city, client):
    for _ in range(5):
        _case()
    client.force_login(city.inspector_li)
    everything = [r["id"] for r in client.get("/api/v1/cases").json()["items"]]
    assert [r["id"] for r in client.get("/api/v1/cases", {"offset": 2, "limit": 2}).json()["items"]] == everything[2:4]


@pytest.mark.django_db
def test_criteria_items_page_with_cursor(client):
    from pathlib import Path

    from hazardwatch.criteria.services import catalogue_load

    catalogue_load(Path(__file__).parents[2] / "criteria" / "tests" / "data" / "sample")
    body = client.get("/api/v1/criteria/items", {"limit": 2}).json()
    assert body["count"] > 2 and body["next_cursor"]
    seen, pages = _walk(client, "/api/v1/criteria/items", {"limit": 2})
    assert len(seen) == body["count"] == len(set(seen)) and pages == -(-body["count"] // 2)
    assert client.get("/api/v1/criteria/items", {"cursor": "nope"}).status_code == 400
