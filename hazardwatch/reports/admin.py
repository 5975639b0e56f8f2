"""Admin for reports: reports are immutable, photos are served only by the access-checked workbench,
and reporter identities are not registered at all (read them only through `identity_read`, audited)."""
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.admin import ReadOnlyAdminMixin
from hazardwatch.reports.models import DeviceKey, IntakeCounter, Report, ReportPhoto


class ReportPhotoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportPhoto
    extra = 0
    fields = ("position", "content_type", "width", "height", "size_bytes", "sha256", "phash", "taken_at")


@admin.register(IntakeCounter)
class IntakeCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "name", "count")
    list_filter = ("name",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("submitted_at", "category", "source", "region", "is_anonymous", "case")
    list_filter = ("source", "category", "is_anonymous")
    search_fields = ("description", "address", "case__reference")
    date_hierarchy = "submitted_at"
    list_select_related = ("region", "case")
    # No receipt hash, no identity: nothing here can lead back to the reporter.
    exclude = ("receipt_hash", "reporter_key")
    inlines = (ReportPhotoInline,)


@admin.register(DeviceKey)
class DeviceKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "prefix", "is_active", "last_used_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "prefix", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "kind", "organization", "is_active")
        return ("name", "kind", "organization", "is_active", "prefix", "key_hash", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from hazardwatch.reports.services import device_key_create

        key, plain = device_key_create(name=obj.name, kind=obj.kind, organization=obj.organization)
        if not obj.is_active:
            DeviceKey.objects.filter(pk=key.pk).update(is_active=False)
            key.is_active = False
        obj.__dict__.update({k: v for k, v in key.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        obj._plain_key = plain

    def response_add(self, request, obj, post_url_continue=None):
        # The plain key exists only now: show it once on this page (never in a message cookie or a log).
        plain = getattr(obj, "_plain_key", None)
        if plain is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Device key created"),
            "opts": self.model._meta,
            "key": obj,
            "plain_key": plain,
        }
        response = TemplateResponse(request, "workbench/admin_device_key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response
