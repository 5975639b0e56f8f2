"""Reads of the exposure column: the public list with filters, one public item, the staff queue, history."""
from hazardwatch.cases.choices import CaseStatus
from hazardwatch.core.choices import SECTOR_VALUES
from hazardwatch.core.models import AuditEntry
from hazardwatch.exposure.choices import PhotoKind, PublicationStatus
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.places.models import Division, DivisionLevel


def publication_public_list(*, region: str = "", sector: str = ""):
    """Published items, newest first, filtered by region (any division code: its subtree) and sector.

    Unknown filter values give an empty list rather than everything.
    """
    qs = Publication.objects.public().select_related("region", "case").order_by("-published_at", "-pk")
    if region:
        division = Division.objects.filter(code=str(region)[:12]).first()
        qs = qs.filter(region_path__startswith=division.path) if division else qs.none()
    if sector:
        qs = qs.filter(sector=sector) if sector in SECTOR_VALUES else qs.none()
    return qs


def publication_public_get(publication_id: int) -> Publication | None:
    return Publication.objects.public().select_related("region", "case").filter(pk=publication_id).first()


def publication_public_photos(publication: Publication) -> dict[str, list[PublicationPhoto]]:
    """Before photos always; after photos (rectification evidence) only once the case is closed."""
    photos = list(publication.photos.order_by("-kind", "position", "pk"))
    closed = publication.case.status == CaseStatus.CLOSED
    return {
        "before": [p for p in photos if p.kind == PhotoKind.BEFORE],
        "after": [p for p in photos if p.kind == PhotoKind.AFTER] if closed else [],
    }


def public_photo_get(photo_id: int) -> PublicationPhoto | None:
    """A redacted photo, only while its publication is public (and an after photo only once closed)."""
    photo = (PublicationPhoto.objects.select_related("publication__case")
             .filter(pk=photo_id, publication__in=Publication.objects.public()).first())
    if photo is None:
        return None
    if photo.kind == PhotoKind.AFTER and photo.publication.case.status != CaseStatus.CLOSED:
        return None
    return photo


def region_filter_choices() -> list[tuple[str, str]]:
    """Prefectures and their counties that have published items, for the column's region filter."""
    paths = set(Publication.objects.public().values_list("region_path", flat=True))
    codes = {c for p in paths for c in p.strip("/").split("/") if c}
    rows = Division.objects.filter(code__in=codes, level__in=[DivisionLevel.PREFECTURE, DivisionLevel.COUNTY])
    return [(d.code, ("　" if d.level == DivisionLevel.COUNTY else "") + d.name) for d in rows.order_by("path")]


def publication_queue_for_user(user, status: str = ""):
    qs = Publication.objects.visible_to(user).select_related("case", "region", "proposed_by", "submitted_by")
    if status in PublicationStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-pk")


def publication_history(publication: Publication):
    """The publication's steps, from the audit log (the only record of them)."""
    return AuditEntry.objects.filter(object_type="publication", object_id=str(publication.pk)).order_by("id")
