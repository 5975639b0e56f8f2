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
