"""The matcher on a small sample catalogue: terms, synonyms, negation, completion, quantities, sectors."""
import datetime as dt
from pathlib import Path

import pytest

from hazardwatch.criteria import catalogue
from hazardwatch.criteria.engine import Matcher

SAMPLE = Path(__file__).parent / "data" / "sample"


@pytest.fixture(scope="module")
def matcher():
    editions = catalogue.in_force(catalogue.read_all(SAMPLE), dt.date(2025, 6, 1))
    return Matcher(editions, catalogue.load_lexicon(SAMPLE))


def top(result):
    return f"{result.candidates[0].standard}:{result.candidates[0].item}" if result.candidates else None


def test_missing_sprinklers_in_a_ktv_is_a_major_candidate(matcher):
    r = matcher.match("KTV包厢没有喷淋，只有一个出口")
    assert r.is_major_candidate and top(r) == "firetest:6.6" and r.sector == "fire"
    reasons = r.candidates[0].reasons
    assert any(x.startswith("missing:") for x in reasons) and "term:ktv" in reasons


def test_synonyms_and_traditional_characters(matcher):
    r = matcher.match("歌廳裡面的噴淋頭都壞了")  # traditional: 歌厅里面的喷淋头都坏了
    assert r.is_major_candidate and top(r) == "firetest:6.6"
    assert any(x.startswith("missing:") for x in r.candidates[0].reasons)


def test_english_reports(matcher):
    r = matcher.match("The KTV on the third floor has no sprinklers at all")
    assert r.is_major_candidate and top(r) == "firetest:6.6"


@pytest.mark.parametrize("text", [
    "KTV已安装喷淋，运行正常",  # completed
    "这家KTV喷淋系统已经修好了",
    "The KTV sprinklers have been fixed",
    "KTV里面有喷淋",  # present, nothing missing
])
def test_installed_or_fixed_is_not_a_candidate(matcher, text):
    assert not matcher.match(text).is_major_candidate


def test_generic_words_prove_nothing(matcher):
    r = matcher.match("重大隐患！非常严重的安全问题，请领导重视")
    assert not r.is_major_candidate and not r.candidates


def test_negated_presence_cancels_a_group(matcher):
    assert matcher.match("仓库里堆着油漆，楼上住人").is_major_candidate
    assert not matcher.match("仓库里堆着油漆，楼上没有住人").is_major_candidate


@pytest.mark.parametrize("text,major", [
    ("速冻间里有十几个人在干活", True),
    ("速冻间里有20多人", True),
    ("速冻间里有5个人", False),
    ("速冻间里有9人", False),
])
def test_quantity_thresholds(matcher, text, major):
    r = matcher.match(text)
    assert r.is_major_candidate is major
    assert any(x.startswith(("threshold:", "below-threshold:")) for x in r.candidates[0].reasons)


def test_sector_from_words_place_and_hint(matcher):
    assert matcher.match("小区井盖丢了，晚上很容易掉下去").sector == "household_community"
    assert matcher.match("配电箱门坏了，电线裸露").sector == "electrical"
    assert matcher.match("路边有个东西", place_type="mine").sector == "mining"
    assert matcher.match("一些情况", sector="gas").sector == "gas"
    assert matcher.match("说不清").sector == "other"


def test_edition_in_force_is_chosen_by_date():
    eds = catalogue.read_all(SAMPLE)
    old = {(e["standard"]["code"], e["standard"]["edition"]) for e in catalogue.in_force(eds, dt.date(2025, 10, 31))}
    new = {(e["standard"]["code"], e["standard"]["edition"]) for e in catalogue.in_force(eds, dt.date(2025, 11, 1))}
    assert ("firetest", "2017") in old and ("firetest", "2025") in new and ("chemtest", "2017") in new
    r = Matcher(catalogue.in_force(eds, dt.date(2026, 1, 1)), catalogue.load_lexicon(SAMPLE)).match("KTV没有喷淋")
    assert (r.candidates[0].edition, r.candidates[0].item) == ("2025", "5.6")


def test_output_shape(matcher):
    d = matcher.match("化工厂可燃气体报警器坏了一直没修", place_type="chemical_plant").as_dict()
    assert set(d) == {"sector", "is_major_candidate", "candidates"}
    assert set(d["candidates"][0]) == {"standard", "edition", "item", "score", "reasons"}
    assert d["sector"] == "hazardous_chemicals" and d["is_major_candidate"]
    assert 0 < d["candidates"][0]["score"] <= 1
