from django.contrib import admin

from hazardwatch.checklists.models import ChecklistItem, ChecklistRun, ChecklistTemplate, Inspection, InspectionSchedule


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("position", "code", "text_zh", "text_en", "hazard_answer", "category", "sector", "criterion")


@admin.register(ChecklistTemplate)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "is_current", "audience", "title_zh", "loaded_at")
    list_filter = ("audience", "is_current")
    inlines = [ItemInline]


@admin.register(ChecklistRun)
class RunAdmin(admin.ModelAdmin):
    list_display = ("pk", "template", "unit", "user", "status", "started_at", "completed_at")
    list_filter = ("status",)
    raw_id_fields = ("user", "unit", "inspection", "template")
    exclude = ("token",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("pk", "unit", "regulator", "template", "due_date", "announced", "status", "is_late")
    list_filter = ("status", "announced", "is_late")
    raw_id_fields = ("unit", "regulator", "template", "schedule", "created_by")


@admin.register(InspectionSchedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("pk", "unit", "regulator", "template_code", "interval", "start_date", "is_active")
    raw_id_fields = ("unit", "regulator", "created_by")
