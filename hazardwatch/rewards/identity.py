"""Checks of a claimant's details: resident ID number (GB 11643-1999 check digit), payment accounts, keyed hash."""
import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings

ID_RE = re.compile(r"^\d{17}[\dX]$")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
BANK_RE = re.compile(r"^\d{12,19}$")
ALIPAY_RE = re.compile(r"^(1[3-9]\d{9}|[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,})$")
WECHAT_RE = re.compile(r"^(1[3-9]\d{9}|[A-Za-z][A-Za-z0-9_-]{5,19})$")


def id_check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def id_normalize(raw: str) -> str | None:
    """An 18-character resident ID number with a valid birth date and check character, else None."""
    value = re.sub(r"\s", "", raw or "").upper()
    if not ID_RE.match(value):
        return None
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > dt.date.today():
        return None
    if id_check_char(value[:17]) != value[17]:
        return None
    return value


def id_hash(normalized: str) -> str:
    """Keyed hash for per-person caps; the number itself is stored only encrypted."""
    configured = getattr(settings, "HAZARDWATCH_RECEIPT_KEY", "")
    key = configured.encode() if configured else hashlib.sha256(
        f"hazardwatch:reward-id:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key + b":reward-id", normalized.encode(), hashlib.sha256).hexdigest()


def account_normalize(method: str, raw: str) -> str | None:
    value = re.sub(r"\s", "", raw or "")
    if method == "bank":
        value = value.replace("-", "")
        return value if BANK_RE.match(value) else None
    if method == "alipay":
        return value if ALIPAY_RE.match(value) else None
    if method == "wechat":
        return value if WECHAT_RE.match(value) else None
    return None


def mask(value: str, keep: int = 4) -> str:
    if not value:
        return ""
    return "*" * max(0, len(value) - keep) + value[-keep:]
