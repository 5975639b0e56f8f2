"""Admin for Open311 requests: read-only; the waiting submission (encrypted, may hold a contact) is not shown."""
from django.contrib import admin

from hazardwatch.core.admin import ReadOnlyAdminMixin
from hazardwatch.open311.models import Open311Request


@admin.register(Open311Request)
class Open311RequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "service_code", "state", "api_key", "report", "processed_at")
    list_filter = ("state", "service_code")
    list_select_related = ("api_key", "report")
    fields = ("service_code", "state", "api_key", "report", "error", "created_at", "processed_at")
    date_hierarchy = "created_at"
