from django.contrib import admin

from hazardwatch.drills.models import Drill, DrillIssue, DrillObservation


class ObservationInline(admin.TabularInline):
    model = DrillObservation
    extra = 0
    readonly_fields = ("at", "text", "author")


class IssueInline(admin.TabularInline):
    model = DrillIssue
    extra = 0
    readonly_fields = ("description", "category", "report", "created_by", "created_at")


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "kind", "status", "scheduled_at", "participants")
    list_filter = ("kind", "status")
    search_fields = ("title", "scenario", "place", "organization__name")
    raw_id_fields = ("organization", "created_by", "recorded_by")
    inlines = [ObservationInline, IssueInline]
