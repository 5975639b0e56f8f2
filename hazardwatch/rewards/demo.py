"""Demo rewards: assessments in every state and a few ledger entries for the demo city's verified cases.

Called from `demo.seed` after the cases exist. Written through `rewards.services` (so every step is audited
and checked: the proposer never approves). Claimants are fictional, with valid-looking ID numbers.
"""
import datetime as dt
import random

from django.utils import timezone

from hazardwatch.accounts.models import User
from hazardwatch.cases.choices import CaseGrade
from hazardwatch.core.errors import ApplicationError
from hazardwatch.rewards import services
from hazardwatch.rewards.identity import id_check_char
from hazardwatch.rewards.models import RewardAssessment, RewardReminder

SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"]


def _id_number(rng: random.Random) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    first17 = f"410105{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_char(first17)


def _claim_data(rng: random.Random) -> dict:
    method = rng.choice(["alipay", "wechat", "bank"])
    phone = f"1{rng.choice('3589')}{rng.randrange(0, 10**9):09d}"
    account = {"alipay": phone, "wechat": f"hw_demo_{rng.randrange(10**5, 10**6)}",
               "bank": f"6222{rng.randrange(10**14, 10**15)}"}[method]
    return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "id_number": _id_number(rng),
            "phone": phone, "payment_method": method, "account": account,
            "bank_name": "中国工商银行郑州分行" if method == "bank" else "", "declaration": True}


def seed_rewards(*, rng_seed: int = 20260616, log=print) -> dict:
    """Propose for every verified demo case, then walk some through approval, claim, payment, rejection, expiry."""
    rng = random.Random(rng_seed)
    reviewer = User.objects.filter(username="reviewer_qian").first()
    admin = User.objects.filter(username="admin_chen").first()
    if reviewer is None or admin is None:
        return {"reward_assessments": 0}
    proposed = services.propose_due(limit=10_000)
    open_ones = list(RewardAssessment.objects.filter(status="proposed").select_related("case").order_by("pk"))
    majors = [a for a in open_ones if a.case.grade == CaseGrade.MAJOR]
    generals = [a for a in open_ones if a.case.grade != CaseGrade.MAJOR]
    for a in majors:  # staff enter the fine; the platform computes 15 % within the bounds
        try:
            services.assessment_edit(assessment_id=a.pk, actor=admin, fine_yuan=rng.choice([20000, 50000, 120000]))
        except ApplicationError:
            continue
    plan = majors[:1] + generals
    counts = {"approved": 0, "claimed": 0, "paid": 0, "rejected": 0, "expired": 0}
    for i, a in enumerate(plan[:14]):
        step = ["pay", "pay", "claim", "approve", "reject", "pay", "expire", "claim", "approve", "pay",
                "reject", "approve", "pay", "claim"][i]
        try:
            if step == "reject":
                services.assessment_reject(assessment_id=a.pk, actor=reviewer,
                                           reason="经核查，举报内容与现场情况不符，不予奖励。")
                counts["rejected"] += 1
                continue
            services.assessment_approve(assessment_id=a.pk, actor=reviewer, note="经核查属实，同意奖励。", notify=False)
            counts["approved"] += 1
            if step == "expire":
                RewardAssessment.objects.filter(pk=a.pk).update(
                    claim_deadline=timezone.now() - dt.timedelta(days=1))
                counts["expired"] += services.assessments_expire()
                continue
            if step in ("claim", "pay"):
                services.claim_submit(report=a.report, data=_claim_data(rng))
                counts["claimed"] += 1
            if step == "pay":
                services.assessment_pay(assessment_id=a.pk, actor=reviewer,
                                        payment_reference=f"DEMO{timezone.localdate():%Y%m%d}{a.pk:05d}")
                counts["paid"] += 1
        except ApplicationError as exc:
            log(f"demo reward for {a.case.reference} stopped at {step}: {exc}")
    # Reminders to fictional reporters must never go out: mark them as done for the unclaimed demo rewards.
    for a in RewardAssessment.objects.filter(status="approved", claim__isnull=True):
        for days in services.reminder_days():
            RewardReminder.objects.get_or_create(assessment=a, days_before=days,
                                                 defaults={"sent_at": timezone.now(), "channels": "demo"})
    result = {"reward_assessments": proposed, **{f"rewards_{k}": v for k, v in counts.items()}}
    log("Rewards: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return result

