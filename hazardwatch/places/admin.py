from django.contrib import admin

from hazardwatch.places.models import Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "level", "parent", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name_zh", "name_en")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    ordering = ("path",)
