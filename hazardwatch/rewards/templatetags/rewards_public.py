"""The reward block of the public status page: shown when the report has a proposed or approved reward."""
from django import template

register = template.Library()


@register.inclusion_tag("rewards/_status_block.html", takes_context=True)
def reward_status_block(context):
    from hazardwatch.rewards.models import AssessmentStatus, RewardAssessment

    report = context.get("report")
    form = context.get("lookup_form")
    code = ""
    if form is not None and form.is_bound:
        code = form.data.get("receipt_code", "")
    reward = None
    if report is not None and getattr(report, "pk", None):
        reward = (RewardAssessment.objects.filter(report=report)
                  .exclude(status__in=[AssessmentStatus.EXCLUDED]).select_related("claim").first())
    claimed = reward is not None and hasattr(reward, "claim")
    return {"reward": reward, "code": code, "claimed": claimed,
            "can_claim": reward is not None and not claimed
            and reward.status in (AssessmentStatus.PROPOSED, AssessmentStatus.APPROVED)}
