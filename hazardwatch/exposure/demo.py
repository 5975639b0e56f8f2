"""Demo exposure column: a few vetted closed cases published through the real workflow.

Called from `demo.seed` after the cases and photo derivatives exist. Each item is proposed and redacted by
a staff member of the responsible regulator (inspector_li in Jinshui), signed off by a different leader
(leader_zhao or city_sun); one more waits for leader_zhao's sign-off so the staff queue has work in it.
"""
from django.db.models import Exists, OuterRef

from hazardwatch.accounts.models import Role, User
from hazardwatch.cases import services as case_services
from hazardwatch.cases.choices import CaseStatus
from hazardwatch.cases.models import Case, EvidencePhoto
from hazardwatch.exposure import services
from hazardwatch.exposure.models import Publication
from hazardwatch.reports.models import ReportPhoto

PUBLISH = 5
MAX_PHOTOS_EACH = 2


def _proposer(case: Case, preferred: User | None) -> User | None:
    if preferred is not None and "regulator" in case_services.roles_on_case(preferred, case):
        return preferred
    staff = (User.objects.filter(memberships__organization=case.regulator_id,
                                 memberships__role=Role.REGULATOR_STAFF).order_by("pk").first()
             if case.regulator_id else None)
    return staff if staff is not None and "regulator" in case_services.roles_on_case(staff, case) else None


def _signer(case: Case, proposer: User) -> User | None:
    leaders = User.objects.filter(memberships__role=Role.REGULATOR_LEADER).distinct().order_by("pk")
    preferred = sorted(leaders, key=lambda u: (u.username != "leader_zhao", u.username != "city_sun", u.pk))
    for user in preferred:
        if user.pk != proposer.pk and "leader" in case_services.roles_on_case(user, case):
            return user
    return None


def _text(case: Case) -> tuple[str, str]:
    pub = Publication.objects.get(case=case)
    text = pub.public_text.replace(services.REDACTED_MARK, "").strip() or case.title
    return pub.public_title.replace(services.REDACTED_MARK, "").strip()[:120] or case.title[:120], text


def seed_publications(*, log=print, count: int = PUBLISH) -> dict:
    """Publish `count` closed cases with evidence photos (those with reported photos too first, for
    before/after pairs); leave one awaiting sign-off. Only cases a demo leader can sign off qualify, so the
    number with reported photos alone depends on where the random reports fell."""
    has_photo = ReportPhoto.objects.filter(report__case=OuterRef("pk"))
    has_evidence = EvidencePhoto.objects.filter(event__case=OuterRef("pk"))
    candidates = (Case.objects.filter(status=CaseStatus.CLOSED, publication__isnull=True)
                  .filter(Exists(has_evidence)).annotate(has_photo=Exists(has_photo))
                  .order_by("-has_photo", "-closed_at", "pk"))
    inspector = User.objects.filter(username="inspector_li").first()
    published = pending = 0
    for case in candidates[:200]:
        if published >= count and pending >= 1:
            break
        proposer = _proposer(case, inspector)
        signer = _signer(case, proposer) if proposer else None
        if proposer is None or signer is None:
            continue
        want_pending = published >= count
        if want_pending and signer.username != "leader_zhao":
            continue
        pub = services.publication_propose(case_id=case.pk, actor=proposer)
        title, text = _text(case)
        keys = [(s, p.pk) for s, p in services.photo_candidates(case)]
        before = [k for k in keys if k[0] == "report"][:MAX_PHOTOS_EACH]
        after = [k for k in keys if k[0] == "evidence"][:MAX_PHOTOS_EACH]
        photos = [{"source": s, "id": i, "boxes": []} for s, i in before + after]
        services.publication_redact(publication_id=pub.pk, actor=proposer, title=title, text=text, photos=photos)
        services.publication_transition(publication_id=pub.pk, action="submit", actor=proposer)
        if want_pending:
            pending += 1
            continue
        services.publication_transition(publication_id=pub.pk, action="sign_off", actor=signer,
                                        data={"note": "经审核，同意在隐患曝光台公开"})
        published += 1
    log(f"Exposure column: {published} published, {pending} awaiting sign-off.")
    return {"exposure_published": published, "exposure_pending": pending}


def redacted_files(case_ids) -> list:
    """The redacted photo files of these cases' publications (rows go with the cases; files are removed by
    `demo.demo_reset` after the delete)."""
    from hazardwatch.exposure.models import PublicationPhoto

    return [p.file for p in PublicationPhoto.objects.filter(publication__case__in=case_ids)]
