"""Drawing a risk point's zone on the map (Leaflet-Geoman) in headless Chromium, with WGS-84 and GCJ-02 tiles.

The expected coordinates are computed here independently of the page: Web Mercator pixel ↔ lat/lon at the
map's zoom, and hazardwatch.places.geo for the GCJ-02 shift. Tiles are blocked (offline); the drawing works on
the blank map. With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/risk-zone-draw.png.
"""
import json
import math
import os

import pytest
from django.conf import settings

from hazardwatch.places import geo
from hazardwatch.risk import services
from hazardwatch.risk.geometry import rectangle
from hazardwatch.risk.models import RiskPoint
from hazardwatch.risk.tests.conftest import SITE

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "risk-zone-draw.png"
TOLERANCE_DEG = 3e-5  # ≈ 3 m: a click lands on a whole pixel (≈ 1 m at zoom 17), Leaflet rounds its origin
# A quadrilateral drawn by clicking, in pixels from the map's centre (x right, y down).
# The display (tile) coordinates [lat, lng] of the editable polygon on the drawing map.
SHOWN_RING = """() => {
  let ring = null;
  HWZoneDraw.map.eachLayer(l => { if (l instanceof L.Polygon && !l.options.pmIgnore)
    ring = l.getLatLngs()[0].map(p => [p.lat, p.lng]); });
  return ring; }"""
SHAPE_PX = [(-120, -80), (110, -90), (140, 70), (-100, 100)]


def _project(lat, lon, zoom):
    scale = 256 * 2 ** zoom
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def _unproject(x, y, zoom):
    scale = 256 * 2 ** zoom
    lon = x / scale * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lat, lon


def _login(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/staff/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("[data-zone-draw][data-ready='1']", timeout=15000)


def _fill_required(page, name):
    page.fill("input[name=name]", name)
    page.fill("input[name=responsible_person]", "刘洋")
    page.select_option("select[name=l]", "3")
    page.select_option("select[name=e]", "6")
    page.select_option("select[name=c]", "15")


def _tool(page, icon):
    page.locator(f"[data-zone-map] .leaflet-pm-toolbar .{icon}").click()


def _map_box(page):
    page.locator("[data-zone-map]").scroll_into_view_if_needed()
    return page.locator("[data-zone-map]").bounding_box()


def _draw_polygon(page):
    box = _map_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    _tool(page, "leaflet-pm-icon-polygon")
    for dx, dy in SHAPE_PX:
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(80)
    page.mouse.click(cx + SHAPE_PX[0][0], cy + SHAPE_PX[0][1])  # the first corner again finishes the ring
    page.wait_for_selector("[data-zone-draw][data-state='zone']")
    return box


def _save(page):
    with page.expect_navigation():
        page.click("form[data-risk-form] button[type=submit]")
    if "saved=1" not in page.url:
        messages = page.locator(".wb-field-error").evaluate_all(
            "els => els.map(e => e.dataset.field + ': ' + e.innerText)")
        pytest.fail(f"not saved: {page.url} {messages}")


def _expected_ring(center_display, zoom, box, to_wgs84):
    """WGS-84 [lon, lat] of SHAPE_PX clicked on a map of `box` size centred on `center_display` (lat, lon)."""
    ox, oy = _project(*center_display, zoom)
    ring = []
    for dx, dy in SHAPE_PX:
        # click position relative to the map container is (w/2 + dx, h/2 + dy)
        lat, lon = _unproject(ox + dx, oy + dy, zoom)
        lat, lon = to_wgs84(lat, lon)
        ring.append([lon, lat])
    return ring


def _assert_ring(stored, expected):
    assert stored[0] == stored[-1]
    got = stored[:-1]
    assert len(got) == len(expected)
    for (glon, glat), (elon, elat) in zip(got, expected):
        assert abs(glon - elon) < TOLERANCE_DEG and abs(glat - elat) < TOLERANCE_DEG, (got, expected)


def _enterprise_at_site(city):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_draw_a_zone_on_the_new_point_page_stores_it(city, live_server, desktop_page, settings):
    settings.HAZARDWATCH_TILE_CRS = "wgs84"
    _enterprise_at_site(city)
    # Two zones already on the site plan, shown (not editable) for orientation, well away from the drawing
    # so that snapping to them does not move the clicked corners.
    for name, area, dx, scores in (("锅炉运行", "锅炉房", -330, (3, 6, 15)), ("配电柜", "配电房", 340, (1, 6, 7))):
        services.risk_point_create(actor=city.officer_liu, data={
            "organization_id": city.enterprise.pk, "name": name, "area": area, "method": "lec",
            "l": scores[0], "e": scores[1], "c": scores[2], "zone": rectangle(*SITE, 90, 60, dx, 20),
            "control_level": "department", "responsible_person": "刘洋"})
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "officer_liu", f"/staff/risk/org/{city.enterprise.pk}/new/")
    assert page.locator("[data-zone-advanced]").get_attribute("open") is None  # the fallback starts collapsed
    page.wait_for_selector("[data-zone-draw][data-context='2']")
    assert page.locator("[data-zone-map] path.risk-draw-context").count() == 2
    _fill_required(page, "喷漆车间")
    box = _draw_polygon(page)
    zone_text = page.input_value("textarea[name=zone]")
    assert '"Polygon"' in zone_text
    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.locator("fieldset.risk-zone-fieldset").screenshot(path=str(SCREENSHOT))
    _save(page)

    point = RiskPoint.objects.get(name="喷漆车间")
    assert point.zone["type"] == "Polygon" and len(point.zone["coordinates"]) == 1
    _assert_ring(point.zone["coordinates"][0], _expected_ring(SITE, 17, box, lambda a, b: (a, b)))
    # The point's location is inside the drawn zone (the zone's representative point).
    lons = [p[0] for p in point.zone["coordinates"][0]]
    lats = [p[1] for p in point.zone["coordinates"][0]]
    assert min(lats) < point.lat < max(lats) and min(lons) < point.lon < max(lons)
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_gcj02_tiles_store_wgs84(city, live_server, desktop_page, settings):
    settings.HAZARDWATCH_TILE_CRS = "gcj02"
    _enterprise_at_site(city)
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "officer_liu", f"/staff/risk/org/{city.enterprise.pk}/new/")
    _fill_required(page, "GCJ 区域")
    box = _draw_polygon(page)
    _save(page)

    stored = RiskPoint.objects.get(name="GCJ 区域").zone["coordinates"][0]
    center_display = geo.wgs84_to_gcj02(*SITE)  # the map opens on the enterprise, shifted onto the tiles
    _assert_ring(stored, _expected_ring(center_display, 17, box, geo.gcj02_to_wgs84))
    # Not the display coordinates: those are the GCJ-02 shift (hundreds of metres) away.
    naive = _expected_ring(center_display, 17, box, lambda a, b: (a, b))
    assert geo.distance_m(stored[0][1], stored[0][0], naive[0][1], naive[0][0]) > 100

    # Opening the saved point shows the stored zone where it was drawn (WGS-84 shifted back for display).
    page.wait_for_selector("[data-zone-draw][data-state='zone']")
    shown = page.evaluate(SHOWN_RING)
    for (lat, lon), (slon, slat) in zip(shown, stored[:-1]):
        dlat, dlon = geo.wgs84_to_gcj02(slat, slon)
        assert abs(lat - dlat) < 1e-6 and abs(lon - dlon) < 1e-6

    # The fallback: paste GeoJSON under "Advanced"; the map follows, and the pasted text is saved as it is.
    pasted = rectangle(*SITE, 30, 20, 40, -30)
    page.click("[data-zone-advanced] summary")
    page.fill("textarea[name=zone]", json.dumps(pasted))
    page.locator("textarea[name=zone]").dispatch_event("change")
    shown = page.evaluate(SHOWN_RING)
    dlat, dlon = geo.wgs84_to_gcj02(pasted["coordinates"][0][0][1], pasted["coordinates"][0][0][0])
    assert abs(shown[0][0] - dlat) < 1e-6 and abs(shown[0][1] - dlon) < 1e-6
    _save(page)
    assert RiskPoint.objects.get(name="GCJ 区域").zone == pasted
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_edit_an_existing_zone_then_replace_it_by_a_location(city, live_server, desktop_page, settings):
    settings.HAZARDWATCH_TILE_CRS = "wgs84"
    _enterprise_at_site(city)
    original = rectangle(*SITE, 60, 40)
    point = services.risk_point_create(actor=city.officer_liu, data={
        "organization_id": city.enterprise.pk, "name": "危化品仓库", "area": "A 区", "zone": original,
        "method": "lec", "l": 3, "e": 6, "c": 15, "control_level": "department", "responsible_person": "刘洋"})
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "officer_liu", f"/staff/risk/points/{point.pk}/")
    page.wait_for_selector("[data-zone-draw][data-state='zone']")
    assert page.locator("[data-zone-map] path.leaflet-interactive").count() == 1  # the stored zone, loaded
    page.wait_for_selector("[data-zone-draw][data-context='0']")  # its own zone is not repeated as context
    zoom = page.evaluate("HWZoneDraw.map.getZoom()")

    # Edit mode: drag the north-east corner 40 px right and 30 px up.
    _map_box(page)
    _tool(page, "leaflet-pm-icon-edit")
    corners = page.locator("[data-zone-map] .leaflet-marker-icon.marker-icon:not(.marker-icon-middle)")
    assert corners.count() == 4
    boxes = [corners.nth(i).bounding_box() for i in range(4)]
    ne = max(boxes, key=lambda b: b["x"] - b["y"])
    x, y = ne["x"] + ne["width"] / 2, ne["y"] + ne["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + 8 * step, y - 6 * step)
    page.mouse.up()
    _tool(page, "leaflet-pm-icon-edit")  # finish editing
    _save(page)

    point.refresh_from_db()
    old_ring, new_ring = original["coordinates"][0][:-1], point.zone["coordinates"][0][:-1]
    assert len(new_ring) == 4
    ne_index = max(range(4), key=lambda i: old_ring[i][0] + old_ring[i][1])
    for i in range(4):
        if i != ne_index:
            assert new_ring[i] == old_ring[i]  # untouched corners come back exactly
    px, py = _project(old_ring[ne_index][1], old_ring[ne_index][0], zoom)
    elat, elon = _unproject(px + 40, py - 30, zoom)
    assert abs(new_ring[ne_index][0] - elon) < TOLERANCE_DEG and abs(new_ring[ne_index][1] - elat) < TOLERANCE_DEG
    from hazardwatch.core.models import AuditEntry

    event = AuditEntry.objects.filter(action="risk_point.update", object_id=str(point.pk)).latest("pk")
    assert "zone" in event.payload["changed"]

    # Delete the zone and place a location instead: the zone is cleared and the clicked point stored.
    page.wait_for_selector("[data-zone-draw][data-state='zone']")
    _tool(page, "leaflet-pm-icon-delete")
    page.locator("[data-zone-map] path.leaflet-interactive").first.click()
    page.wait_for_selector("[data-zone-draw][data-state='none']")
    _tool(page, "leaflet-pm-icon-delete")
    box = _map_box(page)
    _tool(page, "leaflet-pm-icon-marker")
    page.mouse.click(box["x"] + box["width"] / 2 + 50, box["y"] + box["height"] / 2 + 20)
    page.wait_for_selector("[data-zone-draw][data-state='point']")
    center = page.evaluate("[HWZoneDraw.map.getCenter().lat, HWZoneDraw.map.getCenter().lng]")
    zoom = page.evaluate("HWZoneDraw.map.getZoom()")
    _save(page)
    point.refresh_from_db()
    assert point.zone is None
    cx, cy = _project(*center, zoom)
    elat, elon = _unproject(cx + 50, cy + 20, zoom)
    assert abs(point.lat - elat) < TOLERANCE_DEG and abs(point.lon - elon) < TOLERANCE_DEG
    assert errors == []
