from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Membership, Organization, OrgPolicy, TOTPDevice, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organization", "user")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "is_superuser", "last_login")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    inlines = (MembershipInline,)


class OrgPolicyInline(admin.StackedInline):
    model = OrgPolicy
    extra = 0
    max_num = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "uscc", "primary_sector")
    list_filter = ("kind", "primary_sector")
    search_fields = ("name", "name_en", "uscc", "region__name_zh", "region__code")
    autocomplete_fields = ("region",)
    inlines = (OrgPolicyInline, MembershipInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("role", "organization__kind")
    search_fields = ("user__username", "user__display_name", "organization__name")
    autocomplete_fields = ("user", "organization")


@admin.register(OrgPolicy)
class OrgPolicyAdmin(admin.ModelAdmin):
    list_display = ("organization", "general_deadline_days", "major_deadline_days", "acceptance_days",
                    "escalate_when_overdue")
    search_fields = ("organization__name",)
    autocomplete_fields = ("organization",)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Deleting a user's device resets two-factor sign-in (a lost phone); the secret is never shown."""

    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__username",)
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
