"""Demo quizzes: the starter bank, an open contest, and a week of daily quizzes by takers of the demo's
schools, enterprises and communities (answers written as the persistence worker would)."""
import random
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hazardwatch.accounts.models import Organization, OrganizationKind, User
from hazardwatch.quizzes import importer, services
from hazardwatch.quizzes.models import Answer, Attempt, Contest, Question, TakerProfile

BANK = Path(__file__).resolve().parent / "data" / "starter_bank.yaml"


def seed_quizzes(*, rng_seed: int = 7, log=print) -> dict:
    rng = random.Random(rng_seed)
    result = importer.bank_import(name=str(BANK.name), content=BANK.read_bytes(), actor="demo")
    questions = list(Question.objects.filter(active=True))
    units = list(Organization.objects.filter(kind__in=[OrganizationKind.SCHOOL, OrganizationKind.ENTERPRISE,
                                                       OrganizationKind.COMMUNITY]).select_related("region"))
    now = timezone.now()
    today = services.local_today()
    attempts = 0
    with transaction.atomic():
        office = User.objects.filter(username="office_wu").first()
        Contest.objects.get_or_create(
            title_zh="安全生产月“查找身边安全隐患”知识竞赛",
            defaults={"title_en": "Safety Month contest: find the hazards around us",
                      "starts_at": now - timedelta(days=2), "ends_at": now + timedelta(days=28), "tags": ["fire", "gas", "ebike", "reporting"],
                      "question_count": 10, "time_limit_seconds": 300, "created_by": office})
        for unit in units:
            for _i in range(rng.randint(2, 6)):
                taker = TakerProfile.objects.create(token=services.secrets.token_hex(16), region=unit.region,
                                                    unit=unit)
                skill = rng.uniform(0.4, 0.95)
                for back in range(1, 8):
                    if rng.random() < 0.45:
                        continue
                    started = now - timedelta(days=back, minutes=rng.randint(0, 600))
                    qs = rng.sample(questions, 5)
                    att = Attempt.objects.create(
                        token=services.secrets.token_hex(16), taker=taker, day=today - timedelta(days=back),
                        region=unit.region, unit=unit, questions=[q.pk for q in qs],
                        option_orders={str(q.pk): [o["key"] for o in q.options] for q in qs},
                        points_per_correct=10, started_at=started, deadline_at=started + timedelta(seconds=150))
                    rows = []
                    for n, q in enumerate(qs):
                        ok = rng.random() < skill
                        wrong = [next((o["key"] for o in q.options if o["key"] not in q.answer), q.answer[0])]
                        rows.append(Answer(attempt=att, question=q, choice=q.answer if ok else wrong, correct=ok,
                                           points=10 if ok else 0, answered_at=started + timedelta(seconds=20 * n)))
                    Answer.objects.bulk_create(rows)
                    attempts += 1
        services._totals_recompute(list(Attempt.objects.values_list("pk", flat=True)))
    services.leaderboards_rebuild()
    log(f"Quizzes: {result.created + result.updated} questions, {attempts} demo attempts")
    return {"quiz_questions": result.created + result.updated, "quiz_attempts": attempts}
