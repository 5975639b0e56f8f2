"""Keys, receipt codes and encryption of personal data."""
import base64
import hashlib
import hmac
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

# Crockford-style alphabet without look-alikes (no I, L, O, U): easy to read aloud and type on a phone.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_GROUPS = 4
RECEIPT_GROUP_LEN = 4  # 16 symbols x 5 bits = 80 bits of entropy
RECEIPT_RE = re.compile(r"^[0-9A-Z]{16}$")


def _derived_key(purpose: str, configured: str) -> bytes:
    if configured:
        return configured.encode()
    return hashlib.sha256(f"hazardwatch:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def receipt_new() -> str:
    """A fresh receipt code such as `7KQ2-M9XD-4T0B-RW8E` (80 random bits)."""
    symbols = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_LEN))
    return "-".join(symbols[i : i + RECEIPT_GROUP_LEN] for i in range(0, len(symbols), RECEIPT_GROUP_LEN))


def receipt_normalize(code: str) -> str | None:
    """Upper-case, drop separators and map look-alikes; None when it cannot be a receipt code."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    cleaned = re.sub(r"[\s\-_]", "", code).upper().translate(str.maketrans("ILOU", "110V"))
    if not RECEIPT_RE.match(cleaned) or any(c not in RECEIPT_ALPHABET for c in cleaned):
        return None
    return cleaned


def receipt_hash(normalized: str) -> str:
    """Keyed hash stored instead of the code; lookups hash the candidate and compare in constant time."""
    key = _derived_key("receipt", settings.HAZARDWATCH_RECEIPT_KEY)
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def client_key(request, scope: str) -> str:
    """A short-lived keyed hash of the client address for rate limits; the address itself is never stored."""
    ip = request.META.get("REMOTE_ADDR", "")
    key = _derived_key("ratelimit", settings.HAZARDWATCH_RECEIPT_KEY)
    return hmac.new(key, f"{scope}:{ip}".encode(), hashlib.sha256).hexdigest()[:32]


def _fernet() -> Fernet:
    configured = settings.HAZARDWATCH_IDENTITY_KEY
    if configured:
        return Fernet(configured.encode())
    raw = hashlib.sha256(f"hazardwatch:identity:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a rotated or wrong key must not look like empty data
        raise ValueError("identity cannot be decrypted with the configured key") from exc
