import pytest

from hazardwatch.cases.services import next_level_regulator, regulator_for
from hazardwatch.places.models import Division


@pytest.mark.django_db
@pytest.mark.parametrize("division,sector,expected", [
    ("410105002", "fire", "jinshui_fire"),  # a Jinshui street: the district brigade
    ("410105002", "industry_trade", "jinshui_em"),
    ("410105002", "gas", "jinshui_em"),  # no gas department in Jinshui: the bureau that takes "other"
    ("410103001", "fire", "erqi_fire"),
    ("410103001", "industry_trade", "city_em"),  # Erqi has no EM bureau here: the city's
    ("410102001", "fire", "city_fire"),  # 中原区 has no brigade here: the city service
])
def test_routing_picks_the_deepest_regulator_for_region_and_sector(city, division, sector, expected):
    assert regulator_for(region=Division.objects.get(code=division), sector=sector) == getattr(city, expected)


@pytest.mark.django_db
def test_no_region_no_regulator(city):
    assert regulator_for(region=None, sector="fire") is None


@pytest.mark.django_db
def test_next_level_is_the_parent_regions_department(city):
    assert next_level_regulator(city.jinshui_fire, "fire") == city.city_fire
    assert next_level_regulator(city.city_fire, "fire") is None
