"""GCJ-02 tile sources (HAZARDWATCH_TILE_CRS="gcj02"): the client-side conversion in frontend/src/crs.js.

The browser tests run crs.js in headless Chromium and compare it with the server's formula in
hazardwatch/places/geo.py; the template tests check that every map page loads crs.js and passes the
tiles' coordinate system on.
"""
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings

from hazardwatch.places import geo

SAMPLES = [(34.78, 113.672), (34.7466, 113.6253), (39.9087, 116.3975), (22.5431, 114.0579), (45.75, 126.65),
           (30.0, 105.0)]
OUTSIDE = [(48.8566, 2.3522), (37.5665, 126.978 + 20), (-33.86, 151.21)]  # GCJ-02 equals WGS-84 there


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tile_crs", ["wgs84", "gcj02"])
def test_crs_js_matches_python_formula(live_server, desktop_page, settings, tile_crs):
    settings.HAZARDWATCH_TILE_CRS = tile_crs
    page = desktop_page
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.HWCRS !== undefined")
    assert page.get_attribute("#hazard-map", "data-tile-crs") == tile_crs

    # The conversions themselves do not depend on the page's tile setting.
    lat, lon = page.evaluate("window.HWCRS.toDisplay(34.78, 113.672)")
    glat, glon = geo.wgs84_to_gcj02(34.78, 113.672)
    assert abs(lat - glat) < 1e-9 and abs(lon - glon) < 1e-9
    assert abs(lon - 113.672) > 1e-3  # really shifted (about 560 m east in Zhengzhou)

    for wlat, wlon in SAMPLES + OUTSIDE:
        shown = page.evaluate("([a, b]) => window.HWCRS.toDisplay(a, b)", [wlat, wlon])
        expected = geo.wgs84_to_gcj02(wlat, wlon)
        assert abs(shown[0] - expected[0]) < 1e-9 and abs(shown[1] - expected[1]) < 1e-9, (wlat, wlon)
        back = page.evaluate("([a, b]) => window.HWCRS.fromDisplay(a, b)", shown)
        assert abs(back[0] - wlat) < 1e-6 and abs(back[1] - wlon) < 1e-6, (wlat, wlon)
        py_back = geo.gcj02_to_wgs84(*shown)
        assert abs(back[0] - py_back[0]) < 1e-8 and abs(back[1] - py_back[1]) < 1e-8
    for wlat, wlon in OUTSIDE:
        assert page.evaluate("([a, b]) => window.HWCRS.toDisplay(a, b)", [wlat, wlon]) == [wlat, wlon]

    # latLngs shifts pairs nested to any depth (L.polygon rings), keeping the shape.
    rings = page.evaluate("window.HWCRS.latLngs([[[34.78, 113.672], [34.79, 113.68]], [[34.7466, 113.6253]]])")
    assert rings[0][1] == pytest.approx(list(geo.wgs84_to_gcj02(34.79, 113.68)), abs=1e-9)
    assert rings[1][0] == pytest.approx(list(geo.wgs84_to_gcj02(34.7466, 113.6253)), abs=1e-9)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tile_crs", ["wgs84", "gcj02"])
def test_map_asks_the_api_for_a_wgs84_bbox(live_server, desktop_page, settings, tile_crs):
    """The map opens on MAP_CENTER; drawn on GCJ-02 tiles the view is shifted, but the bbox sent is WGS-84."""
    settings.HAZARDWATCH_TILE_CRS = tile_crs
    page = desktop_page
    with page.expect_request(re.compile(r"/api/v1/map/clusters\?")) as request:
        page.goto(f"{live_server.url}/map/")
    bbox = [float(x) for x in parse_qs(urlparse(request.value.url).query)["bbox"][0].split(",")]
    south, west, north, east = bbox
    clat, clon = django_settings.HAZARDWATCH_MAP_CENTER
    # Leaflet rounds the pixel origin (≤ half a pixel, ~0.00035° at zoom 11); the GCJ-02 shift is ~0.006° in lon.
    assert abs((south + north) / 2 - clat) < 5e-4
    assert abs((west + east) / 2 - clon) < 5e-4


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_form_tap_on_gcj02_tiles_sends_gcj02(live_server, phone_page, settings):
    settings.HAZARDWATCH_TILE_CRS = "gcj02"
    page = phone_page
    page.goto(f"{live_server.url}/report/")
    page.wait_for_selector("#report-map[data-ready='1']")
    box = page.locator("#report-map").bounding_box()
    page.locator("#report-map").tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_function("() => document.querySelector('[name=latitude]').value !== ''")
    assert page.input_value("[name=crs]") == "gcj02"
    lat, lon = float(page.input_value("[name=latitude]")), float(page.input_value("[name=longitude]"))
    # The map is centred on MAP_CENTER shifted to GCJ-02; the tapped point is sent as it is (GCJ-02).
    glat, glon = geo.wgs84_to_gcj02(*django_settings.HAZARDWATCH_MAP_CENTER)
    assert abs(lat - glat) < 3e-4 and abs(lon - glon) < 3e-4


# --- templates -------------------------------------------------------------------------------------

CRS_JS = re.compile(r'<script src="[^"]*/crs\.js"></script>\s*<script src="[^"]*/(map|report|risk_map)\.js"')


@pytest.mark.django_db
def test_public_map_page_includes_crs_js_and_gcj02_marker(client, settings):
    settings.HAZARDWATCH_TILE_CRS = "gcj02"
    html = client.get("/map/").content.decode()
    assert CRS_JS.search(html)  # crs.js, before map.js
    assert 'data-tile-crs="gcj02"' in html


@pytest.mark.django_db
def test_default_tile_crs_is_wgs84(client):
    html = client.get("/map/").content.decode()
    assert 'data-tile-crs="wgs84"' in html and "crs.js" in html


@pytest.mark.django_db
def test_staff_map_and_report_form_pass_the_tile_crs(client, city, settings):
    settings.HAZARDWATCH_TILE_CRS = "gcj02"
    html = client.get("/report/").content.decode()
    assert CRS_JS.search(html) and 'data-tile-crs="gcj02"' in html
    client.force_login(city.inspector_li)
    html = client.get("/map/staff/").content.decode()
    assert CRS_JS.search(html) and 'data-tile-crs="gcj02"' in html
