"""Security headers on every page and API response, and `check --deploy` of the production settings."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hazardwatch.core.security import content_security_policy, tile_source

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _walk(patterns, prefix=""):
    """Every URL of the configuration that takes no required argument, as a path."""
    for entry in patterns:
        pattern = entry.pattern
        text = str(pattern)
        if hasattr(pattern, "regex") and pattern.__class__.__name__ == "RegexPattern":
            if "(" in text or "[" in text or "\\" in text.replace("\\.", ""):
                continue  # a captured argument (e.g. the admin's app_label)
            text = text.lstrip("^").rstrip("$").replace("\\.", ".")
        elif "<" in text:
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + text


def _paths() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def _assert_headers(response, path):
    for header, value in REQUIRED.items():
        assert response.get(header) == value, (path, response.status_code, header, response.get(header))
    csp = response.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, (path, csp)
    assert "default-src 'self'" in csp and "script-src 'self';" in csp, (path, csp)
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0], (path, csp)


def test_the_walk_finds_the_whole_site():
    paths = _paths()
    for expected in ("/", "/staff/login/", "/staff/", "/api/v1/docs", "/map/", "/dashboard/"):
        assert expected in paths, expected
    assert len(paths) > 60


@pytest.mark.django_db
def test_every_page_and_api_response_has_the_security_headers(city):
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(city.inspector_li)
    checked = 0
    for path in _paths():
        for client in (anonymous, staff):
            response = client.get(path)
            _assert_headers(response, path)
            checked += 1
    assert checked > 120
    # static files (served by whitenoise in production, staticfiles here) too
    # (whitenoise answers above XFrameOptionsMiddleware; CSP frame-ancestors covers framing there)
    static = Client().get("/static/app.css")
    if static.status_code == 200:
        assert static["X-Content-Type-Options"] == "nosniff" and static["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in static["Content-Security-Policy"]


@pytest.mark.django_db
def test_hsts_and_secure_cookies_when_secure(settings, city):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    for path in ("/", "/staff/login/", "/api/v1/openapi.json"):
        response = client.get(path, secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
    login = client.get("/staff/login/", secure=True)
    csrf = login.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post("/staff/login/", {"username": "inspector_li", "password": "pw-inspector_li"}, secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE <= 12 * 3600
    # without HTTPS (development) there is no HSTS header
    assert "Strict-Transport-Security" not in Client().get("/")


def test_csp_allows_the_configured_tile_host(settings):
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_source("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}") == "https://*.tianditu.gov.cn"
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""
    settings.HAZARDWATCH_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    img = content_security_policy().split("img-src ", 1)[1].split(";", 1)[0].split()
    assert img == ["'self'", "data:", "blob:", "https://*.is.autonavi.com"]


def _check_deploy(env_overrides: dict, drop: tuple[str, ...], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides, HAZARDWATCH_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


# DJANGO_ALLOW_ASYNC_UNSAFE is set by conftest.py for Playwright; a deployment never has it.
PROD_VARS = ("DJANGO_SECURE", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def test_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy({
        "DJANGO_SECURE": "1", "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "hazardwatch.example.gov.cn",
        "DJANGO_SECRET_KEY": "k7Qw9-Zp2Lm4Xv8Rt6Yn3Bc5Hd1Jf0Gs7Ua9Ke2Wq4Ey6Ti8Op1As3Df5Gh7Jk9Lz0Xc2Vb4Nm6",
    }, PROD_VARS, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_do_not_pass_check_deploy(tmp_path):
    result = _check_deploy({}, PROD_VARS, tmp_path)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016", "hazardwatch.W001"):
        assert warning in out, (warning, out)


# --- in the browser: the key pages run under the policy without a single violation ------------------------

KEY_PAGES = [
    "/", "/report/", "/map/", "/status/", "/criteria/", "/quiz/",  # public
    "/staff/", "/map/staff/", "/dashboard/", "/staff/risk/", "/staff/risk/map/", "/staff/security/two-factor/",
    "/api/v1/docs",
]


def _watch_csp(page) -> list[str]:
    """Collect CSP violations: Chromium reports each one on the console ("... Content Security Policy ...")."""
    found = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_collector_sees_a_violation(live_server, desktop_page):
    """The check below can fail: a page with an inline script under our policy is reported."""
    page = desktop_page
    found = _watch_csp(page)
    page.route(f"{live_server.url}/csp-probe", lambda route: route.fulfill(
        status=200, body="<p>probe</p><script>document.title='ran'</script>",
        headers={"Content-Type": "text/html", "Content-Security-Policy": content_security_policy()}))
    page.goto(f"{live_server.url}/csp-probe")
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert any("inline script" in text for text in found), found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_key_pages_have_no_csp_violations(city, live_server, desktop_page):
    """A leader signs in (setting up two-factor sign-in in the browser), then opens the key pages."""
    from hazardwatch.insights.stats import stats_rebuild
    from hazardwatch.insights.tests.test_dashboard_browser import seed_demo_like

    seed_demo_like(60)  # cases, so the map and every dashboard chart have something to draw
    stats_rebuild()
    page = desktop_page
    found = _watch_csp(page)
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", "leader_zhao")
    page.fill("input[name=password]", "pw-leader_zhao")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_url("**/staff/security/two-factor/")
    assert page.locator("[data-totp-qr] svg").is_visible()
    secret = page.locator("[data-totp-secret]").inner_text()
    page.fill("input[name=code]", pyotp_now(secret))
    page.click("button[value=confirm]")
    assert page.locator("[data-recovery-codes] li").count() == 10
    page.click("[data-continue]")
    page.wait_for_url(f"{live_server.url}/staff/")
    for path in KEY_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert not found, (path, found)
    # Swagger UI really rendered under the policy
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    # Leaflet and ECharts really ran
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.goto(f"{live_server.url}/dashboard/")
    # a function, not a bare expression: Playwright evaluates expressions with eval, which the CSP forbids
    page.wait_for_function("() => document.documentElement.dataset.dashboardReady === '6'", timeout=15000)
    assert page.locator("#chart-status canvas").count() >= 1
    assert not found, found


def pyotp_now(secret: str) -> str:
    from hazardwatch.accounts.testing import totp_now

    return totp_now(secret)
