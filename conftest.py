"""Shared fixtures: test settings, on-commit callbacks, and headless Chromium (Debian's, never downloaded)."""
import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HAZARDWATCH_SMS_BACKEND = "hazardwatch.integrations.sms.MemorySMSBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HAZARDWATCH_RATE_INTAKE = "1000/60"
    settings.HAZARDWATCH_RATE_LOOKUP = "1000/60"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    cache.clear()
    from hazardwatch.integrations.sms import MemorySMSBackend

    MemorySMSBackend.outbox.clear()
    from hazardwatch.places.services import division_clear_cache

    division_clear_cache()
    yield
    division_clear_cache()


CHROMIUM = os.environ.get("HAZARDWATCH_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make install` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def phone_page(browser):
    """A 360 px wide phone-sized page that blocks every request off this machine (map tiles included)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort())
    page = context.new_page()
    yield page
    context.close()


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))


# --- domain fixtures: a small Zhengzhou with regulators, an enterprise and the named cast ------------

ALL_SECTORS = ["fire", "industry_trade", "hazardous_chemicals", "fireworks", "mining", "construction", "gas",
               "road_transport", "special_equipment", "electrical", "household_community", "other"]
EM_SECTORS = ["industry_trade", "hazardous_chemicals", "fireworks", "mining", "electrical",
              "household_community", "other"]


@pytest.fixture
def divisions(db):
    from hazardwatch.places.services import DATA_DIR, divisions_load

    divisions_load(DATA_DIR / "divisions_zhengzhou.json")


def _user(username, org=None, role=None, **extra):
    from hazardwatch.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def city(divisions):
    """Regulators for Jinshui and Erqi districts and the city, one enterprise, and the named cast."""
    from types import SimpleNamespace

    from hazardwatch.accounts.models import Organization, OrgPolicy
    from hazardwatch.places.models import Division

    d = {code: Division.objects.get(code=code) for code in ("410100", "410105", "410103")}

    def reg(name, code, sectors):
        org = Organization.objects.create(kind="regulator", name=name, region=d[code], sectors=sectors)
        OrgPolicy.objects.create(organization=org, general_deadline_days=10, major_deadline_days=60)
        return org

    ns = SimpleNamespace()
    ns.city_em = reg("郑州市应急管理局", "410100", EM_SECTORS)
    ns.city_fire = reg("郑州市消防救援支队", "410100", ["fire"])
    ns.jinshui_em = reg("金水区应急管理局", "410105", EM_SECTORS)
    ns.jinshui_fire = reg("金水区消防救援大队", "410105", ["fire"])
    ns.erqi_fire = reg("二七区消防救援大队", "410103", ["fire"])
    ns.enterprise = Organization.objects.create(kind="enterprise", name="郑州示例商贸有限公司", region=d["410105"],
                                                uscc="91350100M000100Y43", primary_sector="industry_trade")
    ns.other_enterprise = Organization.objects.create(kind="enterprise", name="另一家公司", region=d["410103"])
    ns.inspector_li = _user("inspector_li", ns.jinshui_fire, "regulator_staff")
    ns.leader_zhao = _user("leader_zhao", ns.jinshui_fire, "regulator_leader")
    ns.em_li = _user("em_li", ns.jinshui_em, "regulator_staff")
    ns.erqi_wang = _user("erqi_wang", ns.erqi_fire, "regulator_staff")
    ns.city_sun = _user("city_sun", ns.city_fire, "regulator_leader")
    ns.officer_liu = _user("officer_liu", ns.enterprise, "safety_officer")
    ns.other_officer = _user("other_officer", ns.other_enterprise, "safety_officer")
    ns.reporter_wang = _user("reporter_wang")
    ns.admin_chen = _user("admin_chen", is_superuser=True, is_staff=True)
    ns.divisions = d
    return ns


def jpeg_bytes(width=640, height=480, color=(200, 80, 40), exif_gps=None) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        lat, lon = exif_gps
        gps = {1: "N", 2: (float(int(lat)), float(int((lat % 1) * 60)), 0.0),
               3: "E", 4: (float(int(lon)), float(int((lon % 1) * 60)), 0.0)}
        exif[0x8825] = gps
        kwargs["exif"] = exif
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


@pytest.fixture
def make_jpeg():
    return jpeg_bytes


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (task enqueues) inside the test transaction."""
    return django_capture_on_commit_callbacks
