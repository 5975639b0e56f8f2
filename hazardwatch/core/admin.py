"""Admin for the audit log: view only. The database also refuses UPDATE and DELETE on it."""
from django.contrib import admin

from hazardwatch.core.models import AuditEntry, AuditHead


class ReadOnlyAdminMixin:
    """View-only admin: no add, change or delete (records written only by services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    actions = None
    show_full_result_count = False


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("last_entry_id", "count", "last_hash")
    actions = None
