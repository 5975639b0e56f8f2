"""Helpers for tests that sign users in through the login form when two-factor sign-in is on."""
import time

import pyotp

from hazardwatch.accounts import twofactor


def totp_enrol(user, secret: str | None = None) -> str:
    """Enrol `user` with an authenticator secret (random unless given) and return the secret."""
    secret = secret or pyotp.random_base32()
    twofactor.totp_setup_start(user=user, secret=secret, restart=True)
    # confirm with the previous step's code, so the current one (totp_now) is still unused
    twofactor.totp_setup_confirm(user=user, code=pyotp.TOTP(secret).at(time.time() - 30))
    return secret


def totp_now(secret: str) -> str:
    """The current code for `secret` (the one an authenticator app would show)."""
    return pyotp.TOTP(secret).now()
