"""Security headers that Django 5.2 does not send itself, and deploy checks of our own (docs/security.md).

Django's SecurityMiddleware already sends HSTS (on HTTPS, when DJANGO_SECURE=1), X-Content-Type-Options and
Referrer-Policy, and XFrameOptionsMiddleware sends X-Frame-Options. What is missing before Django 6.0 is a
Content-Security-Policy: this small middleware adds one to every response (pages, API, static files).

Why a middleware of our own and not django-csp: the policy is one fixed string built once from settings (the
only variable part is the map tile host), no template has an inline script (data goes through `json_script`,
which browsers never execute), so nonces are not needed; twenty lines are easier to review than a dependency
whose configuration format changed between 3.x and 4.x.
"""
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

DEV_SECRET_PREFIX = "dev-insecure-"


def tile_source(url_template: str) -> str:
    """The CSP source for a Leaflet tile URL template: scheme and host, `{s}`-style labels become `*`.

    `https://{s}.tile.example.org/{z}/{x}/{y}.png` -> `https://*.tile.example.org`;
    `https://t{s}.tianditu.gov.cn/...` -> `https://*.tianditu.gov.cn`. Empty for a relative or bad URL.
    """
    parts = urlsplit(url_template or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"  # CSP allows a wildcard only as the leftmost label
    host = ".".join(labels)
    if "{" in host or "}" in host:
        return ""
    return f"{parts.scheme}://{host}"


@lru_cache(maxsize=8)
def _policy(tile_url: str, secure: bool, extra_img: tuple[str, ...]) -> str:
    img = ["'self'", "data:", "blob:", tile_source(tile_url), *extra_img]
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet, ECharts and Swagger UI set style attributes; styles cannot run code, scripts can.
        "style-src 'self' 'unsafe-inline'",
        "img-src " + " ".join(s for s in img if s),
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if secure:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def content_security_policy() -> str:
    """The policy for the current settings (cached per distinct settings, so tests may override them)."""
    return _policy(
        settings.HAZARDWATCH_TILE_URL,
        bool(getattr(settings, "SECURE", False)),
        tuple(getattr(settings, "HAZARDWATCH_CSP_IMG_EXTRA", ())),
    )


PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy, Permissions-Policy and Cross-Origin-Resource-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def check_deploy_secrets(app_configs=None, **kwargs):
    """`check --deploy`: the development SECRET_KEY (derived from the checkout path) must not reach production."""
    errors = []
    if settings.SECRET_KEY.startswith(DEV_SECRET_PREFIX):
        errors.append(checks.Warning(
            "SECRET_KEY is the development default derived from the checkout path.",
            hint="Set DJANGO_SECRET_KEY to 50+ random characters (see .env.example).",
            id="hazardwatch.W001",
        ))
    if "hazardwatch.core.security.SecurityHeadersMiddleware" not in settings.MIDDLEWARE:
        errors.append(checks.Warning(
            "SecurityHeadersMiddleware is not in MIDDLEWARE: no Content-Security-Policy is sent.",
            id="hazardwatch.W002",
        ))
    return errors


def register_checks() -> None:
    checks.register(check_deploy_secrets, checks.Tags.security, deploy=True)
