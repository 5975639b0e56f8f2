"""Unified Social Credit Code (GB 32100-2015): 18 characters, the last one a check character."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
USCC_INVALID = _("Enter a valid 18-character unified social credit code (the check character does not match).")


def uscc_check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    code = (code or "").strip().upper()
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def validate_uscc(value: str) -> None:
    if not uscc_is_valid(value):
        raise ValidationError(USCC_INVALID, code="uscc")
