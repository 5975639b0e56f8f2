import pytest

from hazardwatch.places import geo


@pytest.mark.parametrize("lat,lon", [(34.78, 113.672), (39.9087, 116.3975), (22.5431, 114.0579), (45.75, 126.65)])
def test_gcj02_inverse_recovers_wgs84_within_a_metre(lat, lon):
    glat, glon = geo.wgs84_to_gcj02(lat, lon)
    assert geo.distance_m(lat, lon, glat, glon) > 100  # the offset is real inside China
    wlat, wlon = geo.gcj02_to_wgs84(glat, glon)
    assert geo.distance_m(lat, lon, wlat, wlon) < 1.0


def test_bd09_round_trip_through_gcj02():
    glat, glon = geo.wgs84_to_gcj02(34.78, 113.672)
    blat, blon = geo.gcj02_to_bd09(glat, glon)
    wlat, wlon = geo.to_wgs84(blat, blon, "bd09")
    assert geo.distance_m(34.78, 113.672, wlat, wlon) < 1.0


def test_outside_china_gcj02_is_wgs84():
    assert geo.wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)


def test_unknown_crs_is_refused():
    with pytest.raises(ValueError):
        geo.to_wgs84(34.0, 113.0, "epsg3857")


def test_area_bounds(settings):
    assert geo.in_area(34.78, 113.67)
    assert not geo.in_area(51.5, -0.12)
    settings.HAZARDWATCH_AREA_BBOX = [34.2, 112.7, 35.1, 114.3]
    assert not geo.in_area(39.9, 116.4)


def test_h3_cells_nest():
    import h3

    cells = geo.h3_cells(34.78, 113.672)
    assert h3.cell_to_parent(cells[9], 7) == cells[7]
    assert h3.cell_to_parent(cells[9], 5) == cells[5]


@pytest.mark.django_db
def test_division_for_point_picks_nearest_township(divisions):
    from hazardwatch.places.services import division_for_point

    assert division_for_point(34.78, 113.672).code == "410105002"  # 花园路街道, 金水区
    assert division_for_point(34.73, 113.64).code.startswith("410103")  # 二七区
    assert division_for_point(30.0, 120.0) is None  # far outside the loaded city


@pytest.mark.django_db
def test_division_subtree_and_idempotent_load(divisions):
    from hazardwatch.places.models import Division
    from hazardwatch.places.services import DATA_DIR, divisions_load

    jinshui = Division.objects.get(code="410105")
    assert Division.objects.subtree(jinshui).count() > 5
    before = Division.objects.count()
    divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    assert Division.objects.count() == before
    assert [d.code for d in Division.objects.get(code="410105002").ancestors()] == [
        "410000", "410100", "410105", "410105002"]
