from django.contrib import admin

from hazardwatch.campaigns.models import Activity, Campaign, Liaison, Reminder, Summary, SummaryVersion


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "office", "starts_on", "ends_on", "liaison_due", "summary_due", "status")
    list_filter = ("status",)
    search_fields = ("title", "theme")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("campaign", "unit", "kind", "held_on", "participants")
    list_filter = ("kind",)
    raw_id_fields = ("campaign", "unit", "created_by")


class SummaryVersionInline(admin.TabularInline):
    model = SummaryVersion
    extra = 0
    readonly_fields = ("number", "filed_at", "filed_by", "is_late", "figures", "platform_figures", "narrative")
    can_delete = False


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ("campaign", "unit", "first_filed_at", "is_late")
    list_filter = ("is_late",)
    raw_id_fields = ("campaign", "unit", "current")
    inlines = [SummaryVersionInline]


admin.site.register(Liaison, list_display=("campaign", "unit", "is_late", "updated_at"), raw_id_fields=("unit",))
admin.site.register(Reminder, list_display=("campaign", "unit", "deadline", "kind", "channel", "sent_at"))
