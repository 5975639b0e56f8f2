"""Fixed-window rate limits keyed by a short-lived hash of the client (no addresses stored).

Scopes (each `HAZARDWATCH_RATE_<SCOPE>` = "count/seconds", 0 turns it off):
- intake: report submissions from the form and the API, per client;
- lookup: receipt-code look-ups, disputes and "was it fixed?" answers, per client;
- duplicates: likely-duplicate look-ups from the form and the API, per client;
- reporter: report submissions per identified reporter (keyed hash of the phone or e-mail, any client);
- device: report submissions per device key (its stored hash).
"""
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.errors import RateLimited
from hazardwatch.core.secrets import client_key

RATE_LIMITED = _("Too many requests. Please wait a while and try again.")


def parse_rate(rate: str) -> tuple[int, int]:
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def check_rate(request, scope: str) -> None:
    """Count one hit for this client in `scope`; raise RateLimited past the configured rate."""
    check_rate_key(scope, client_key(request, scope))


def cache_count(key: str, window: int) -> int:
    """Add one to the counter `key` (created for `window` seconds by the first hit) and return it; atomic on
    Redis, and safe when the key expires between the add and the increment."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        return 1


def check_rate_key(scope: str, hashed_key: str) -> None:
    """Count one hit for an already keyed-hashed subject (e.g. a reporter key) in `scope`."""
    if not hashed_key:
        return
    rate = getattr(settings, f"HAZARDWATCH_RATE_{scope.upper()}")
    limit, window = parse_rate(rate)
    if limit <= 0:
        return
    bucket = int(time.time() // window)
    hits = cache_count(f"rl:{scope}:{bucket}:{hashed_key[:32]}", window)
    if hits > limit:
        raise RateLimited(RATE_LIMITED, {"retry_after_seconds": window - int(time.time()) % window})
