"""Login lockout: too many failed sign-ins for one username, or from one client, lock it for a while.

Counting is keyed by keyed hashes (never the plain address or username) in the cache, like the rate limits of
core.ratelimit; unlike those fixed windows, a lockout must last its full period from the moment it trips, so it
has its own small counter + lock keys. The check runs in the authentication backend, so every way of signing
in (staff login, the two-factor step, the admin) is covered, and a locked attempt is refused before the
password hash is computed: a flood of bad logins costs almost nothing and does not slow other users.
The same answer is given whether or not the username exists (failures are counted for any name).

Settings: HAZARDWATCH_LOGIN_FAILURES_USER / _CLIENT ("failures/seconds") and HAZARDWATCH_LOGIN_LOCKOUT_SECONDS.
"""
import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.audit import audit_append
from hazardwatch.core.ratelimit import cache_count, parse_rate
from hazardwatch.core.secrets import client_key

LOGIN_LOCKED = _("Too many failed sign-in attempts. Sign-in is locked for {minutes} minutes; try again later "
                 "or ask your administrator.")


def _username_key(username: str) -> str:
    key = hashlib.sha256(f"hazardwatch:login:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, (username or "").strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def _subjects(request, username: str) -> list[tuple[str, str, str]]:
    """(scope, hashed key, rate) for the username and, when there is a request, the client."""
    subjects = [("user", _username_key(username), settings.HAZARDWATCH_LOGIN_FAILURES_USER)]
    if request is not None:
        subjects.append(("client", client_key(request, "login"), settings.HAZARDWATCH_LOGIN_FAILURES_CLIENT))
    return subjects


def lockout_remaining(request, username: str) -> int:
    """Seconds until sign-in is allowed again for this username or client (0: not locked)."""
    now = time.time()
    until = max((cache.get(f"login:lock:{scope}:{key}") or 0) for scope, key, _rate in _subjects(request, username))
    return max(0, int(until - now))


def lockout_message(seconds: int) -> str:
    return str(LOGIN_LOCKED).format(minutes=max(1, (seconds + 59) // 60))


def lockout_record_failure(request, username: str, *, user_id=None) -> bool:
    """Count one failed attempt; returns True when this failure locked the username or the client."""
    locked_now = False
    for scope, key, rate in _subjects(request, username):
        limit, window = parse_rate(rate)
        if limit <= 0 or cache.get(f"login:lock:{scope}:{key}"):
            continue
        counter = f"login:fail:{scope}:{key}"
        failures = cache_count(counter, window)
        if failures >= limit:
            lock_seconds = settings.HAZARDWATCH_LOGIN_LOCKOUT_SECONDS
            cache.set(f"login:lock:{scope}:{key}", time.time() + lock_seconds, timeout=lock_seconds)
            cache.delete(counter)
            locked_now = True
            audit_append(actor=None, action="accounts.login_locked", obj_type="accounts.Login", obj_id=key[:16],
                         payload={"scope": scope, "failures": failures, "seconds": lock_seconds,
                                  "user_id": user_id if scope == "user" else None})
    return locked_now


def lockout_clear_user(username: str) -> None:
    """A successful sign-in forgets the username's earlier failures (the client's count stays)."""
    cache.delete(f"login:fail:user:{_username_key(username)}")


class LoginLocked(PermissionDenied):
    """Raised by the backend for a locked username or client; carries the seconds left."""

    def __init__(self, seconds: int):
        super().__init__(lockout_message(seconds))
        self.seconds = seconds


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend behind the lockout: locked → refused without checking the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        remaining = lockout_remaining(request, username or "")
        if remaining:
            if request is not None:
                request.login_locked_seconds = remaining
            raise LoginLocked(remaining)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            from hazardwatch.accounts.models import User

            user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
            if lockout_record_failure(request, username or "", user_id=user_id) and request is not None:
                request.login_locked_seconds = lockout_remaining(request, username or "")
        else:
            lockout_clear_user(username or "")
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
