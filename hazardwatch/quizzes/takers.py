"""The taker cookie: a signed token naming a TakerProfile (no personal data). Reading it needs no database."""
import functools
import time

from django.conf import settings
from django.core import signing

COOKIE = "hw_quiz_taker"
SALT = "hazardwatch.quizzes.taker"
MAX_AGE = 400 * 86400


def cookie_token(request) -> str | None:
    raw = request.COOKIES.get(COOKIE)
    if not raw or len(raw) > 200:
        return None
    return _verified(raw, int(time.time() // 3600))


@functools.lru_cache(maxsize=65536)
def _verified(raw: str, _hour: int) -> str | None:
    """Checking the signature costs two HMACs; the answer path sees the same cookie many times, so verified
    values are remembered per process (and per hour, so that the age limit still applies)."""
    try:
        return signer().unsign(raw, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


def signer():
    """The signer Django's set_signed_cookie uses for this cookie. Building one costs as much as checking a
    signature (backend import, key derivation), so it is kept per process for the settings it was built from
    (a changed SECRET_KEY, fallback keys or backend build a new one)."""
    global _signer
    conf = (settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS), settings.SIGNING_BACKEND)
    cached = _signer
    if cached is None or cached[0] != conf:
        cached = _signer = (conf, signing.get_cookie_signer(salt=signing._cookie_signer_salt(COOKIE, SALT)))
    return cached[1]


_signer: tuple | None = None


def set_cookie(response, token: str) -> None:
    response.set_signed_cookie(COOKIE, token, salt=SALT, max_age=MAX_AGE, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)


def taker_from_request(request):
    """The signed-in user's profile (from their unit), else the cookie's public profile, else None."""
    from hazardwatch.quizzes import services
    from hazardwatch.quizzes.models import TakerProfile

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        profile = services.taker_for_user(user)
        if profile is not None:
            return profile
    token = cookie_token(request)
    if token:
        return TakerProfile.objects.select_related("region", "unit").filter(token=token).first()
    return None
