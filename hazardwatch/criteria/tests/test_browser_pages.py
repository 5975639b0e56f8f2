"""The public criteria browser (/criteria/): standards by sector, item search, one edition, in zh and en."""
import re
from pathlib import Path

import pytest

from hazardwatch.criteria.models import Criterion, Standard
from hazardwatch.criteria.services import catalogue_load

SAMPLE = Path(__file__).parent / "data" / "sample"


@pytest.fixture
def catalogue(db):
    catalogue_load(SAMPLE)


def english(client):
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/criteria/"}).status_code == 302


def hits(html: str) -> list[str]:
    return re.findall(r'data-hit="([^"]+)"', html)


def statuses(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-standard="([^"]+)" data-status="([^"]+)"', html))


@pytest.mark.django_db
def test_the_list_groups_current_standards_by_sector(client, catalogue):
    resp = client.get("/criteria/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "测试火灾标准" in html and "测试化工标准" in html  # Chinese titles by default
    assert "TEST 1-2017" in html and "TEST 1-2025" in html and "TEST 2-2017" in html
    assert 'id="sector-fire"' in html and 'id="sector-hazardous_chemicals"' in html
    assert html.index('id="sector-fire"') < html.index('id="sector-hazardous_chemicals"')
    assert statuses(html) == {"firetest/2025": "in_force", "firetest/2017": "superseded", "chemtest/2017": "in_force"}
    assert 'href="/criteria/firetest/2025/"' in html
    assert 'id="results"' not in html  # no search yet


@pytest.mark.django_db
def test_only_current_versions_are_listed(client, catalogue):
    Standard.objects.filter(code="chemtest").update(is_current=False)
    html = client.get("/criteria/").content.decode()
    assert "chemtest/2017" not in statuses(html)
    assert client.get("/criteria/chemtest/2017/").status_code == 404


@pytest.mark.django_db
def test_the_list_in_english(client, catalogue):
    english(client)
    html = client.get("/criteria/").content.decode()
    assert "Test fire standard" in html and "Test chemicals standard" in html and "测试火灾标准" not in html
    assert "In force" in html and "Superseded" in html and "Effective 2018-07-01 to 2025-10-31" in html
    assert "Fire safety" in html


@pytest.mark.django_db
def test_the_public_nav_links_to_the_criteria(client, catalogue):
    assert 'href="/criteria/"' in client.get("/").content.decode()
    assert 'href="/criteria/" aria-current="page"' in client.get("/criteria/").content.decode()


@pytest.mark.django_db
def test_search_matches_code_text_and_keywords_case_insensitively(client, catalogue):
    html = client.get("/criteria/", {"q": "ktv"}).content.decode()  # keywords of 6.6 and 5.6
    assert set(hits(html)) == {"firetest/2025/5.6", "firetest/2017/6.6"}
    assert hits(html)[0] == "firetest/2025/5.6"  # the edition in force first
    assert 'href="/criteria/firetest/2025/#item-5.6"' in html
    assert set(hits(client.get("/criteria/", {"q": "KTV"}).content.decode())) == set(hits(html))
    assert hits(client.get("/criteria/", {"q": "安全出口"}).content.decode()) == ["firetest/2017/7.3.1"]  # text_zh
    assert set(hits(client.get("/criteria/", {"q": "Quick-Freeze"}).content.decode())) == {"chemtest/2017/Q1"}
    assert hits(client.get("/criteria/", {"q": "7.3.1"}).content.decode()) == ["firetest/2017/7.3.1"]  # code
    # every word must match somewhere
    assert hits(client.get("/criteria/", {"q": "喷淋 歌厅"}).content.decode()) == ["firetest/2017/6.6"]


@pytest.mark.django_db
def test_search_with_a_sector(client, catalogue):
    html = client.get("/criteria/", {"q": "人员", "sector": "industry_trade"}).content.decode()
    assert hits(html) == ["chemtest/2017/Q1"]
    assert statuses(html) == {"chemtest/2017": "in_force"}  # the standards listed are the sector's too
    assert 'id="sector-industry_trade"' in html
    assert hits(client.get("/criteria/", {"q": "ktv", "sector": "gas"}).content.decode()) == []
    assert set(statuses(client.get("/criteria/", {"sector": "fire"}).content.decode())) == {
        "firetest/2025", "firetest/2017"}


@pytest.mark.django_db
def test_search_in_english(client, catalogue):
    english(client)
    html = client.get("/criteria/", {"q": "sprinklers"}).content.decode()
    assert set(hits(html)) == {"firetest/2025/5.6", "firetest/2017/6.6"}
    assert "Crowded places lack sprinklers." in html and "人员密集场所未设置自动喷水灭火系统。" not in html
    assert "2 items" in html
    nothing = client.get("/criteria/", {"q": "zzzz"}).content.decode()
    assert hits(nothing) == [] and "No item matches these words" in nothing


@pytest.mark.django_db
def test_bad_search_values_are_a_400_with_the_form(client, catalogue):
    resp = client.get("/criteria/", {"q": "ktv", "sector": "nonsense"})
    assert resp.status_code == 400
    assert 'class="field has-error"' in resp.content.decode()
    assert client.get("/criteria/", {"q": "x" * 101}).status_code == 400


@pytest.mark.django_db
def test_an_edition_shows_all_items_with_anchors(client, catalogue):
    resp = client.get("/criteria/firetest/2017/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert re.findall(r'data-item="([^"]+)"', html) == ["6.6", "6.2", "7.3.1"]
    for code in ("6.6", "6.2", "7.3.1"):
        assert f'id="item-{code}"' in html
    assert "歌舞娱乐场所、宾馆、商场等人员密集场所未按规定设置自动喷水灭火系统或火灾自动报警系统。" in html
    assert "crit-kind-composite" in html and "crit-kind-direct" in html
    assert 'id="paraphrase-note"' in html
    assert 'href="/criteria/firetest/2025/"' in html  # the other edition
    assert "TEST 1-2017" in html and "2018-07-01" in html and "2025-10-31" in html
    assert "crit-unverified" not in html


@pytest.mark.django_db
def test_an_edition_in_english_with_the_official_text_and_unverified_items(client, catalogue):
    Standard.objects.filter(code="firetest", edition="2017").update(url="https://openstd.samr.gov.cn/example",
                                                                     issuer_en="Test issuer", issuer_zh="测试发布机关")
    Criterion.objects.filter(standard__code="firetest", standard__edition="2017", code="6.2").update(unverified=True)
    english(client)
    html = client.get("/criteria/firetest/2017/").content.decode()
    assert "These are our paraphrases for finding the right item; they are not the legal text." in html
    assert 'href="https://openstd.samr.gov.cn/example"' in html
    assert "Exits are blocked." in html and "安全出口被封堵。" not in html
    assert "Test issuer" in html and "测试发布机关" not in html
    assert "Composite" in html and "Superseded" in html
    assert html.count('class="badge crit-unverified"') == 1
    assert "Entertainment venue" in html  # place types of 6.6


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/criteria/nope/2017/", "/criteria/firetest/1999/", "/criteria/firetest/"])
def test_unknown_standards_and_editions_are_404(client, catalogue, url):
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_empty_catalogue(client):
    resp = client.get("/criteria/")
    assert resp.status_code == 200 and statuses(resp.content.decode()) == {}
