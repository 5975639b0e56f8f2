"""Admin: reward rules are edited here (per region); assessments, claims and the ledger are read-only."""
from django.contrib import admin

from hazardwatch.rewards.models import LedgerEntry, RewardAssessment, RewardRule


@admin.register(RewardRule)
class RewardRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "major_percent", "major_min_fen", "major_max_fen", "cap_period",
                    "cap_amount_fen", "cap_count", "updated_at")
    search_fields = ("name", "region__name_zh", "region__code")
    autocomplete_fields = ()
    raw_id_fields = ("region",)

    def save_model(self, request, obj, form, change):
        from hazardwatch.core.audit import audit_append

        super().save_model(request, obj, form, change)
        audit_append(actor=request.user, action="reward.rule.edit", obj_type="reward_rule", obj_id=obj.pk,
                     payload={"region": obj.region_id, "name": obj.name})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RewardAssessment)
class RewardAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "status", "amount_fen", "rule_name", "proposed_at")
    list_filter = ("status", "kind")
    exclude = ("rule_snapshot",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("paid_at", "case_reference", "amount_fen", "payment_method", "payment_reference", "paid_by_label")
    exclude = ("id_hash",)
