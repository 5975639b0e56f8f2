"""Likely duplicates of a report or a case: open cases of the same category nearby, ranked.

Candidates are found in three steps:
1. an indexed pre-filter: open cases of the same category created within the time window whose H3 cell is
   in a `grid_disk` around the point's cell (resolution 9, 7 or 5, the finest that covers the radius in a
   few rings);
2. the exact great-circle distance: within `HAZARDWATCH_DUPLICATE_RADIUS_M`, or within
   `HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M` when one of the case's photos is perceptually similar
   (pHash Hamming distance ≤ `HAZARDWATCH_DUPLICATE_PHASH_DISTANCE`, default 12 of 64 bits, chosen from
   measured distances of same-scene variants and different photographs: `cases.phash_calibration` and
   docs/duplicates.md);
3. a score in [0, 1]: 0.5 × closeness + 0.2 × recency + 0.3 × photo similarity (0 without photos).
"""
import datetime as dt
import math
from dataclasses import dataclass

import h3
from django.conf import settings
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.places import geo

WEIGHT_DISTANCE = 0.5
WEIGHT_TIME = 0.2
WEIGHT_PHOTO = 0.3
MAX_RINGS = 8


@dataclass
class DuplicateCandidate:
    case: Case
    distance_m: float
    age_days: float
    photo_distance: int | None  # smallest Hamming distance between the photos, None without photos
    score: float

    @property
    def photo_similar(self) -> bool:
        return self.photo_distance is not None and self.photo_distance <= settings.HAZARDWATCH_DUPLICATE_PHASH_DISTANCE


def neighbourhood(lat: float, lon: float, radius_m: float) -> tuple[str, set[str]]:
    """(Located field, H3 cells) whose disk covers a circle of `radius_m` around the point."""
    for res in (9, 7, 5):
        edge = h3.average_hexagon_edge_length(res, unit="m")
        # neighbouring cell centres are √3·edge apart; 1.5·edge per ring errs on the generous side
        rings = math.ceil(radius_m / (1.5 * edge)) + 1
        if rings <= MAX_RINGS or res == 5:
            return f"h3_r{res}", set(h3.grid_disk(h3.latlng_to_cell(lat, lon, res), min(rings, 40)))
    raise AssertionError("unreachable")


def _case_phashes(case_ids) -> dict[int, list[str]]:
    from hazardwatch.reports.models import ReportPhoto

    out: dict[int, list[str]] = {}
    rows = (ReportPhoto.objects.filter(report__case_id__in=list(case_ids)).exclude(phash="")
            .values_list("report__case_id", "report__case__merged_into_id", "phash"))
    for case_id, merged_into_id, phash in rows:
        out.setdefault(case_id, []).append(phash)
        if merged_into_id:
            out.setdefault(merged_into_id, []).append(phash)
    return out


def duplicate_candidates(*, lat: float, lon: float, category: str, phashes=(), queryset=None,
                         exclude_ids=(), now=None, limit: int | None = None) -> list[DuplicateCandidate]:
    """Open cases of `category` near (lat, lon) (WGS-84), best first. `queryset` narrows who may see them."""
    from hazardwatch.reports.images import phash_distance

    if lat is None or lon is None or not category:
        return []
    now = now or timezone.now()
    radius = float(settings.HAZARDWATCH_DUPLICATE_RADIUS_M)
    photo_radius = max(radius, float(settings.HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M)) if phashes else radius
    window = float(settings.HAZARDWATCH_DUPLICATE_WINDOW_DAYS)
    threshold = int(settings.HAZARDWATCH_DUPLICATE_PHASH_DISTANCE)
    field, cells = neighbourhood(lat, lon, photo_radius)
    qs = (queryset if queryset is not None else Case.objects.all()).open().filter(
        category=category, created_at__gte=now - dt.timedelta(days=window), **{f"{field}__in": list(cells)},
    ).exclude(pk__in=list(exclude_ids)).exclude(lat__isnull=True).select_related("region")
    cases = list(qs[:500])
    photos = _case_phashes([c.pk for c in cases]) if phashes else {}
    found = []
    for case in cases:
        distance = geo.distance_m(lat, lon, case.lat, case.lon)
        best = None
        for mine in phashes:
            for theirs in photos.get(case.pk, ()):
                d = phash_distance(mine, theirs)
                if d is not None and (best is None or d < best):
                    best = d
        similar = best is not None and best <= threshold
        if distance > radius and not (similar and distance <= photo_radius):
            continue
        age = max(0.0, (now - case.created_at).total_seconds() / 86400)
        closeness = max(0.0, 1 - distance / photo_radius) if distance > radius else 1 - 0.5 * distance / radius
        recency = max(0.0, 1 - age / window) if window else 0.0
        photo = (1 - best / (threshold + 1)) if similar else 0.0
        score = WEIGHT_DISTANCE * closeness + WEIGHT_TIME * recency + WEIGHT_PHOTO * photo
        found.append(DuplicateCandidate(case=case, distance_m=distance, age_days=age, photo_distance=best,
                                        score=round(score, 4)))
    found.sort(key=lambda c: (-c.score, c.distance_m, c.case.pk))
    limit = settings.HAZARDWATCH_DUPLICATE_LIMIT if limit is None else limit
    return found[:limit] if limit else found


def case_duplicate_candidates(case: Case, *, user=None, limit: int | None = None) -> list[DuplicateCandidate]:
    """Likely duplicates of an existing case for the staff case page (only cases the user may see)."""
    from hazardwatch.cases.selectors import case_reports, merged_case_ids
    from hazardwatch.reports.models import ReportPhoto

    if case.lat is None:
        return []
    phashes = list(ReportPhoto.objects.filter(report__in=case_reports(case)).exclude(phash="")
                   .values_list("phash", flat=True))
    queryset = Case.objects.visible_to(user) if user is not None else None
    return duplicate_candidates(lat=case.lat, lon=case.lon, category=case.category, phashes=phashes,
                                queryset=queryset, exclude_ids={case.pk, *merged_case_ids(case)},
                                now=max(timezone.now(), case.created_at), limit=limit)


def public_candidate(candidate: DuplicateCandidate) -> dict:
    """What a reporter may see of a candidate: no description, no address, no reporter, no unit.

    The title is the kind of hazard and the street or district, never the other reporter's words.
    """
    from hazardwatch.cases.choices import CaseStatus
    from hazardwatch.reports.choices import ReportCategory

    case = candidate.case
    try:
        kind = str(ReportCategory(case.category).label)
    except ValueError:
        kind = case.category
    place = case.region.name if case.region else ""
    return {
        "reference": case.reference,
        "title": f"{kind} · {place}" if place else kind,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "distance_m": int(round(candidate.distance_m / 10.0) * 10),
        "reported_on": timezone.localdate(case.created_at),
        "photo_similar": candidate.photo_similar,
        "score": candidate.score,
    }
