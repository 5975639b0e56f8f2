"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

The secret is stored encrypted with the identity key (core.secrets), recovery codes only as keyed hashes.
Enrolment is two steps: `totp_setup_start` makes a pending device, `totp_setup_confirm` enables it once the
user proves the app shows the right code, and returns the recovery codes (shown once). Who must enrol is
`HAZARDWATCH_TOTP_REQUIRED_ROLES` (leaders by default): they are sent to the setup page right after their
password, before any other page (workbench.views).
"""
import hashlib
import hmac
import io
import re
import secrets

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Membership, RecoveryCode, TOTPDevice
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError
from hazardwatch.core.secrets import decrypt_text, encrypt_text

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RE = re.compile(r"^\d{6}$")

TOTP_CODE_WRONG = _("That code is not right. Check the time on your phone and type the current 6-digit code.")
TOTP_NOT_PENDING = _("Start the set-up again: there is no authenticator waiting to be confirmed.")
TOTP_REQUIRED_CANNOT_DISABLE = _("Your role requires two-factor sign-in, so it cannot be switched off.")


def totp_required(user) -> bool:
    """True when one of the user's roles must use two-factor sign-in."""
    roles = set(settings.HAZARDWATCH_TOTP_REQUIRED_ROLES)
    return bool(roles) and Membership.objects.filter(user=user, role__in=roles).exists()


def totp_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _totp(device: TOTPDevice) -> pyotp.TOTP:
    return pyotp.TOTP(decrypt_text(device.secret_encrypted))


def totp_provisioning_uri(user, device: TOTPDevice) -> str:
    """The otpauth:// URI the authenticator app reads from the QR code."""
    return _totp(device).provisioning_uri(name=user.get_username(), issuer_name=settings.HAZARDWATCH_TOTP_ISSUER)


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret, shown for typing it in by hand when the camera cannot read the QR code."""
    return decrypt_text(device.secret_encrypted)


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image file, no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration for inline use
    return re.sub(r'width="[^"]+" height="[^"]+"', 'width="220" height="220"', svg, count=1)


@transaction.atomic
def totp_setup_start(*, user, secret: str | None = None, restart: bool = False) -> TOTPDevice:
    """The user's device, or a new pending one with a fresh secret (`restart` replaces a pending one).

    Reloading the set-up page keeps the same secret, so a QR code already scanned stays valid.
    """
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None and (device.confirmed_at is not None or not restart):
        return device
    if device is not None:
        device.delete()
    return TOTPDevice.objects.create(user=user, secret_encrypted=encrypt_text(secret or pyotp.random_base32()))


def _matching_step(device: TOTPDevice, code: str, at=None) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift), if any."""
    code = (code or "").strip().replace(" ", "")
    if not CODE_RE.match(code):
        return None
    totp = _totp(device)
    now = (at or timezone.now()).timestamp()
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


@transaction.atomic
def totp_setup_confirm(*, user, code: str) -> list[str]:
    """Enable the pending device if `code` is right; returns fresh recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise ApplicationError(TOTP_NOT_PENDING)
    step = _matching_step(device, code)
    if step is None:
        raise ApplicationError(TOTP_CODE_WRONG, {"fields": {"code": [str(TOTP_CODE_WRONG)]}})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = recovery_codes_generate(user=user)
    audit_append(actor=user, action="accounts.totp_enabled", obj_type="accounts.User", obj_id=user.pk)
    return codes


def _recovery_hash(code: str) -> str:
    normalized = re.sub(r"[\s\-]", "", code or "").upper()
    key = hashlib.sha256(f"hazardwatch:recovery:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def recovery_codes_generate(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones; only their keyed hashes are stored."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _j in range(10))  # ~49 bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes)
    return codes


@transaction.atomic
def totp_verify(*, user, code: str) -> bool:
    """Check a sign-in code (6 digits from the app, or an unused recovery code). Each works once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(device, code)
    if step is not None:
        if step <= device.last_step:
            return False  # replay of a code already used
        TOTPDevice.objects.filter(pk=device.pk).update(last_step=step)
        return True
    used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used:
        audit_append(actor=user, action="accounts.recovery_code_used", obj_type="accounts.User", obj_id=user.pk,
                     payload={"remaining": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()})
        return True
    return False


@transaction.atomic
def totp_disable(*, user, code: str) -> None:
    """Switch two-factor sign-in off (needs a current code; refused for roles that require it)."""
    if totp_required(user):
        raise ApplicationError(TOTP_REQUIRED_CANNOT_DISABLE)
    if not totp_verify(user=user, code=code):
        raise ApplicationError(TOTP_CODE_WRONG, {"fields": {"code": [str(TOTP_CODE_WRONG)]}})
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_append(actor=user, action="accounts.totp_disabled", obj_type="accounts.User", obj_id=user.pk)


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
