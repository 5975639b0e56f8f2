"""SMS backends. Production plugs in a carrier gateway with the same `send(phone, text)` method."""
import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("hazardwatch.sms")


class ConsoleSMSBackend:
    """Writes the message (with the number masked) to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        logger.info("SMS to %s: %s", masked, text)


class MemorySMSBackend:
    """Keeps messages in memory (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySMSBackend.outbox.append((phone, text))


def get_sms_backend():
    return import_string(settings.HAZARDWATCH_SMS_BACKEND)()
