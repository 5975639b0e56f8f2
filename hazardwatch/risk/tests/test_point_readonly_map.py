"""Users who see a risk point read-only (regulators) get a read-only map of its zone or location."""
import json

import pytest

from hazardwatch.risk import services
from hazardwatch.risk.geometry import rectangle
from hazardwatch.risk.tests.conftest import SITE


def _login(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/staff/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("form.wb-login-form button[type=submit]")


@pytest.mark.django_db
def test_read_only_page_carries_the_zone_for_the_map(client, city, point_payload):
    zone = rectangle(*SITE, 60, 40)
    point = services.risk_point_create(actor=city.officer_liu, data=point_payload(zone=zone))
    located = services.risk_point_create(actor=city.officer_liu, data=point_payload(
        name="门卫室", zone=None, lat=SITE[0], lon=SITE[1]))
    client.force_login(city.em_li)
    html = client.get(f"/staff/risk/points/{point.pk}/").content.decode()
    assert "data-risk-form" not in html and "data-readonly" in html
    assert "leaflet-geoman" not in html and "risk_zone_draw.js" in html and "vendor/leaflet/leaflet.js" in html
    stored = html.split('data-zone="', 1)[1].split('"', 1)[0].replace("&quot;", '"')
    assert json.loads(stored) == zone
    html = client.get(f"/staff/risk/points/{located.pk}/").content.decode()
    assert f'data-lat="{located.lat}"' in html and f'data-lon="{located.lon}"' in html
    # the editor still gets the drawing tools and no read-only map
    client.force_login(city.officer_liu)
    html = client.get(f"/staff/risk/points/{point.pk}/").content.decode()
    assert "data-readonly" not in html and "leaflet-geoman.min.js" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regulator_sees_the_zone_on_a_read_only_map(city, point_payload, live_server, desktop_page, settings):
    settings.HAZARDWATCH_TILE_CRS = "wgs84"
    zone = rectangle(*SITE, 60, 40)
    point = services.risk_point_create(actor=city.officer_liu, data=point_payload(zone=zone))
    services.risk_point_create(actor=city.officer_liu, data=point_payload(
        name="配电柜", area="配电房", zone=rectangle(*SITE, 30, 20, 200, 0)))  # a neighbour, for orientation
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "em_li", f"/staff/risk/points/{point.pk}/")
    page.wait_for_selector("[data-zone-draw][data-ready='1'][data-state='zone']", timeout=15000)
    page.wait_for_selector("[data-zone-draw][data-context='1']")
    assert page.locator("[data-zone-map]").is_visible()
    assert page.locator("[data-zone-map] .leaflet-pm-toolbar").count() == 0  # nothing to draw with
    shown = page.evaluate("""() => { let ring = null;
      HWZoneDraw.map.eachLayer(l => { if (l instanceof L.Polygon && !l.options.pmIgnore)
        ring = l.getLatLngs()[0].map(p => [p.lng, p.lat]); }); return ring; }""")
    assert len(shown) == 4
    for (lon, lat), (zlon, zlat) in zip(shown, zone["coordinates"][0][:-1]):
        assert abs(lon - zlon) < 1e-9 and abs(lat - zlat) < 1e-9
    assert "m²" in page.inner_text("[data-draw-status]")
    assert errors == []
