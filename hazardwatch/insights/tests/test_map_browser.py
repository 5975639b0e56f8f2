"""The staff hazard map in headless Chromium (tiles blocked): cluster bubbles, heat layer, points.

With HAZARDWATCH_SCREENSHOTS=1 it seeds a few hundred cases and saves docs/img/hazard-map.png.
"""
import os
import random

import pytest
from django.conf import settings

from hazardwatch.accounts.testing import totp_enrol, totp_now
from hazardwatch.cases.models import Case

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "hazard-map.png"


def _seed(city, n):
    rng = random.Random(3)
    spots = [((34.78, 113.68), "410105"), ((34.755, 113.656), "410103"), ((34.80, 113.66), "410105"),
             ((34.77, 113.71), "410105"), ((34.74, 113.63), "410103")]
    statuses = ["triaged", "assigned", "rectifying", "closed", "closed", "new"]
    rows = []
    for i in range(n):
        (lat, lon), code = spots[i % len(spots)] if i < 5 else rng.choice(spots)
        division = city.divisions[code]
        status = statuses[i % len(statuses)]
        case = Case(reference=f"M{i:06d}", status=status, sector=rng.choice(["fire", "fire", "gas", "electrical"]),
                    title="t", description="d", region=division, region_path=division.path,
                    is_overdue=status == "assigned" or (status == "rectifying" and rng.random() < 0.3))
        jitter = 0 if i < 5 else 0.015
        case.set_location(rng.gauss(lat, jitter), rng.gauss(lon, jitter))
        rows.append(case)
    Case.objects.bulk_create(rows)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_map_shows_clusters(city, live_server, desktop_page):
    screenshots = os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1"
    _seed(city, 400 if screenshots else 30)
    Case.objects.filter(sector__in=["gas", "electrical"]).update(sector="fire")  # all visible to city_sun
    page = desktop_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    secret = totp_enrol(city.city_sun)
    page.goto(f"{live_server.url}/staff/login/?next=/map/staff/")
    page.fill("input[name=username]", "city_sun")  # city fire regulator: the whole city's fire cases
    page.fill("input[name=password]", "pw-city_sun")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_url("**/staff/login/code/")  # a leader: two-factor sign-in (docs/security.md)
    page.fill("input[name=code]", totp_now(secret))
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_url("**/map/staff/")
    page.wait_for_selector("#hazard-map .hm-cluster")
    assert page.locator("#hazard-map .hm-cluster").count() >= 1
    shown = sum(int(t) for t in page.locator("#hazard-map .hm-cluster > span:first-child").all_inner_texts())
    assert shown == Case.objects.visible_to(city.city_sun).exclude(h3_r5="").count()
    assert page.locator("#hazard-map .hm-cluster.is-overdue").count() >= 1
    status = page.locator("#hm-status").inner_text()
    assert str(shown) in status

    # A filter reloads the counts; the heat layer draws hexagons.
    page.select_option("#hm-filters select[name=status]", "closed")
    page.wait_for_function(
        "() => document.getElementById('hm-status').textContent.startsWith('%d ')"
        % Case.objects.visible_to(city.city_sun).filter(status="closed").count())
    page.select_option("#hm-filters select[name=status]", "")
    page.check("#hm-heat")
    page.wait_for_selector("#hazard-map path.leaflet-interactive, #hazard-map svg path")
    if screenshots:
        page.wait_for_timeout(500)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.uncheck("#hm-heat")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOT.with_name("hazard-map-clusters.png")))
        page.check("#hm-heat")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOT))
    assert errors == []
