"""Webhook subscriptions of partner systems, and one delivery row per (case event, subscription)."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """The case events a partner can subscribe to (mapped from case actions in `webhooks.services`)."""

    OPENED = "opened", _("Case opened or reopened")
    GRADED = "graded", _("Case graded")
    ASSIGNED = "assigned", _("Rectification assigned")
    OVERDUE = "overdue", _("Case overdue")
    CLOSED = "closed", _("Case closed, rejected or merged")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Waiting to retry")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Subscription(models.Model):
    """A partner endpoint that receives signed case events of its organization's jurisdiction.

    `organization` None means every case (only administrators may own such a subscription).
    """

    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(_("target URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("signing secret"), max_length=80)
    organization = models.ForeignKey("accounts.Organization", models.CASCADE, null=True, blank=True,
                                     related_name="webhook_subscriptions", verbose_name=_("organization"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One event for one subscription. The body is frozen when the event happens; retries resend it byte for byte.

    `id` (a UUID) is sent as X-Hazardwatch-Delivery: receivers de-duplicate on it (delivery is at least once).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(Subscription, models.CASCADE, related_name="deliveries",
                                     verbose_name=_("subscription"))
    event_id = models.UUIDField(_("event id"), db_index=True)
    event_type = models.CharField(_("event type"), max_length=20, choices=EventType.choices)
    case_id = models.BigIntegerField(_("case id"), db_index=True)
    case_reference = models.CharField(_("case reference"), max_length=24)
    body = models.TextField(_("payload"))
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts allowed before giving up; a replay raises it by one.
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_response = models.CharField(_("last response"), max_length=500, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]


class DeliveryAttempt(models.Model):
    """One HTTP request made for a delivery (the log keeps each one)."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    is_replay = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
