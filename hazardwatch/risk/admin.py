from django.contrib import admin

from hazardwatch.risk.models import RiskBand, RiskPoint, RiskPointCase


@admin.register(RiskBand)
class RiskBandAdmin(admin.ModelAdmin):
    list_display = ("method", "level", "min_value", "max_value", "note")
    list_filter = ("method",)
    list_editable = ("min_value", "max_value")
    list_display_links = ("level",)


class RiskPointCaseInline(admin.TabularInline):
    model = RiskPointCase
    extra = 0
    raw_id_fields = ("case", "linked_by")


@admin.register(RiskPoint)
class RiskPointAdmin(admin.ModelAdmin):
    """Read-mostly: changes to points go through the staff pages or the API so they are graded and audited."""

    list_display = ("name", "organization", "region", "method", "value", "level", "control_level", "review_date")
    list_filter = ("method", "level", "control_level")
    search_fields = ("name", "area", "organization__name")
    raw_id_fields = ("organization", "region")
    readonly_fields = [f.name for f in RiskPoint._meta.fields]
    inlines = [RiskPointCaseInline]

    def has_add_permission(self, request):
        return False
