from django.contrib import admin

from hazardwatch.exposure.models import Publication, PublicationPhoto


class PublicationPhotoInline(admin.TabularInline):
    model = PublicationPhoto
    extra = 0
    can_delete = False
    fields = ("kind", "source", "source_id", "width", "height", "faces", "boxes", "position")
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the workflow (staff pages or API), which audits it."""

    list_display = ("public_title", "case", "status", "region", "sector", "published_at")
    list_filter = ("status", "sector")
    search_fields = ("public_title", "case__reference")
    inlines = [PublicationPhotoInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
