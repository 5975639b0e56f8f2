"""Admin for cases: view only. A case changes only through `cases.services.case_transition`, which
checks the state machine and writes the timeline and the audit log; admin edits would bypass both."""
from django.contrib import admin

from hazardwatch.cases.models import Case, CaseEvent, EvidencePhoto, MajorHazardPlan, Notification
from hazardwatch.core.admin import ReadOnlyAdminMixin


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ("at", "actor_label", "action", "from_status", "to_status", "note", "is_public")
    show_change_link = True


class MajorHazardPlanInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = MajorHazardPlan
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "title", "status", "grade", "sector", "region", "regulator", "responsible_unit",
                    "deadline", "is_overdue", "is_listed")
    list_filter = ("status", "grade", "sector", "is_overdue", "is_listed")
    search_fields = ("reference", "title", "description", "address")
    date_hierarchy = "created_at"
    list_select_related = ("region", "regulator", "responsible_unit")
    inlines = (MajorHazardPlanInline, CaseEventInline)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "at", "actor_label", "action", "from_status", "to_status", "is_public")
    list_filter = ("action", "is_public")
    search_fields = ("case__reference", "actor_label", "note")
    list_select_related = ("case",)
    date_hierarchy = "at"


@admin.register(MajorHazardPlan)
class MajorHazardPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "time_limit", "created_at")
    search_fields = ("case__reference",)


@admin.register(EvidencePhoto)
class EvidencePhotoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The file itself is shown only through the workbench, which checks access.
    list_display = ("id", "event", "content_type", "width", "height", "size_bytes")
    fields = ("event", "content_type", "width", "height", "size_bytes", "sha256")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "event", "channel", "status", "sent_at")
    list_filter = ("channel", "status")
