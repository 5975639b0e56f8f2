"""Admin for webhooks: view only. Subscriptions change through the staff pages or the API (validated, audited)."""
from django.contrib import admin

from hazardwatch.core.admin import ReadOnlyAdminMixin
from hazardwatch.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "target_url", "organization", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "subscription", "event_type", "case_reference", "status", "attempts",
                    "last_status_code", "next_attempt_at")
    list_filter = ("status", "event_type")
    search_fields = ("case_reference",)
