"""Service requests received through Open311: which service and key they came with, and batch tokens."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for the intake worker")
    DONE = "done", _("Taken in")
    FAILED = "failed", _("Refused by the intake")


class Open311Request(models.Model):
    """One POST /requests: its service code and api key, and for batch services the token and the waiting
    submission. The submission (which may hold the reporter's contact) is encrypted and is emptied as soon
    as the intake has run. Requests from the web form have no row: their service is their category's."""

    service_code = models.CharField(_("service code"), max_length=40)
    api_key = models.ForeignKey("apikeys.ApiKey", models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("API key"))
    token = models.CharField(_("token"), max_length=40, unique=True, null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    payload = models.TextField(_("waiting submission (encrypted)"), blank=True)
    error = models.TextField(_("intake error"), blank=True)
    report = models.OneToOneField("reports.Report", models.CASCADE, null=True, blank=True,
                                  related_name="open311", verbose_name=_("report"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.service_code} {self.token or self.report_id}"
