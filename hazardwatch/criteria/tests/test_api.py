"""The read-only criteria API under /api/v1/criteria: no sign-in, 400 for bad values, 404 for unknown editions."""
from pathlib import Path

import pytest

from hazardwatch.criteria.models import Standard
from hazardwatch.criteria.services import catalogue_load

SAMPLE = Path(__file__).parent / "data" / "sample"
BASE = "/api/v1/criteria"


@pytest.fixture
def catalogue(db):
    catalogue_load(SAMPLE)


def get(client, path, expect=200, **params):
    resp = client.get(f"{BASE}{path}", params)
    assert resp.status_code == expect, resp.content
    return resp.json()


def keys(rows) -> set[tuple[str, str]]:
    return {(r["code"], r["edition"]) for r in rows}


@pytest.mark.django_db
def test_standards_lists_the_current_versions(client, catalogue):
    rows = get(client, "/standards")
    assert keys(rows) == {("firetest", "2017"), ("firetest", "2025"), ("chemtest", "2017")}
    fire = next(r for r in rows if r["edition"] == "2025")
    assert fire == {
        "code": "firetest", "edition": "2025", "version": 1, "document_number": "TEST 1-2025",
        "title_zh": "测试火灾标准（新）", "title_en": "Test fire standard (new)", "issuer_zh": "", "issuer_en": "",
        "effective_from": "2025-11-01", "effective_to": None, "status": "in_force", "in_force": True,
        "sectors": ["fire"], "url": "", "notes_zh": "", "notes_en": "", "item_count": 1,
    }
    old = next(r for r in rows if r["code"] == "firetest" and r["edition"] == "2017")
    assert old["status"] == "superseded" and old["in_force"] is False and old["item_count"] == 3
    Standard.objects.filter(code="chemtest").update(is_current=False)
    assert keys(get(client, "/standards")) == {("firetest", "2017"), ("firetest", "2025")}


@pytest.mark.django_db
def test_standards_by_sector_and_by_day(client, catalogue):
    assert keys(get(client, "/standards", sector="fire")) == {("firetest", "2017"), ("firetest", "2025")}
    assert keys(get(client, "/standards", sector="industry_trade")) == {("chemtest", "2017")}
    assert get(client, "/standards", sector="gas") == []
    assert keys(get(client, "/standards", in_force_on="2024-01-01")) == {("firetest", "2017"), ("chemtest", "2017")}
    assert keys(get(client, "/standards", in_force_on="2025-11-01")) == {("firetest", "2025"), ("chemtest", "2017")}
    assert keys(get(client, "/standards", in_force_on="2017-12-01", sector="fire")) == set()
    assert keys(get(client, "/standards", in_force_on="2025-10-31", sector="fire")) == {("firetest", "2017")}


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"sector": "nonsense"}, "sector"),
    ({"in_force_on": "2024-13-01"}, "in_force_on"),
    ({"in_force_on": "yesterday"}, "in_force_on"),
    ({"sector": "x" * 41}, "sector"),
])
def test_standards_bad_filters_are_400(client, catalogue, params, field):
    body = get(client, "/standards", expect=400, **params)
    assert set(body) == {"message", "extra"} and field in body["extra"]["fields"]


@pytest.mark.django_db
def test_one_edition_with_its_items(client, catalogue):
    body = get(client, "/standards/firetest/2017")
    assert (body["document_number"], body["status"], body["item_count"]) == ("TEST 1-2017", "superseded", 3)
    assert [i["code"] for i in body["items"]] == ["6.6", "6.2", "7.3.1"]
    first = body["items"][0]
    assert set(first) == {"id", "code", "kind", "group_zh", "group_en", "text_zh", "text_en", "sectors",
                          "place_types", "keywords", "unverified"}
    assert first["text_en"].startswith("Crowded places") and first["place_types"] == ["entertainment", "hotel", "shop"]
    assert body["items"][2]["kind"] == "composite" and first["unverified"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/standards/firetest/1999", "/standards/nope/2017"])
def test_an_unknown_edition_is_404(client, catalogue, path):
    body = get(client, path, expect=404)
    assert set(body) == {"message", "extra"}


@pytest.mark.django_db
def test_item_search(client, catalogue):
    body = get(client, "/items", q="KTV")
    assert body["count"] == 2
    assert [(i["standard"], i["edition"], i["code"]) for i in body["items"]] == [
        ("firetest", "2025", "5.6"), ("firetest", "2017", "6.6")]  # in force first
    hit = body["items"][0]
    assert hit["document_number"] == "TEST 1-2025" and hit["standard_status"] == "in_force"
    assert [i["code"] for i in get(client, "/items", q="quick-FREEZE")["items"]] == ["Q1"]  # text_en
    assert [i["code"] for i in get(client, "/items", q="有毒")["items"]] == ["12"]  # text_zh
    assert [i["code"] for i in get(client, "/items", q="7.3.1")["items"]] == ["7.3.1"]  # code
    assert get(client, "/items", q="ktv", sector="hazardous_chemicals")["count"] == 0
    assert [i["code"] for i in get(client, "/items", sector="industry_trade")["items"]] == ["Q1"]
    assert get(client, "/items")["count"] == 6


@pytest.mark.django_db
def test_item_search_pages(client, catalogue):
    page1 = get(client, "/items", limit=4)
    page2 = get(client, "/items", limit=4, offset=4)
    assert page1["count"] == page2["count"] == 6
    assert len(page1["items"]) == 4 and len(page2["items"]) == 2
    assert not {i["id"] for i in page1["items"]} & {i["id"] for i in page2["items"]}
    assert get(client, "/items", offset=10)["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"offset": -1}, "offset"),
    ({"q": "x" * 101}, "q"),
    ({"sector": "nonsense"}, "sector"),
])
def test_item_search_bad_values_are_400(client, catalogue, params, field):
    body = get(client, "/items", expect=400, **params)
    assert set(body) == {"message", "extra"} and field in body["extra"]["fields"]


@pytest.mark.django_db
def test_no_sign_in_needed_and_read_only(client, catalogue):
    assert client.get(f"{BASE}/standards").status_code == 200
    assert client.post(f"{BASE}/standards", {}).status_code == 405
    assert client.get("/api/v1/openapi.json").json()["paths"][f"{BASE}/items"]["get"]["tags"] == ["criteria"]
