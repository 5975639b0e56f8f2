"""Loading the division tree and finding the division of a point."""
import json
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from hazardwatch.places import geo
from hazardwatch.places.models import Division

DATA_DIR = Path(__file__).resolve().parent / "data"
# A point farther than this from every township centroid falls back to the nearest county.
TOWNSHIP_RADIUS_M = 12_000
COUNTY_RADIUS_M = 60_000


@transaction.atomic
def divisions_load(path: Path) -> int:
    """Create or update divisions from a JSON list (parents before children). Idempotent."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    count = 0
    for row in rows:
        parent = Division.objects.get(code=row["parent"]) if row.get("parent") else None
        path_str = (parent.path if parent else "") + row["code"] + "/"
        Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row.get("name_en", ""),
                "level": row["level"],
                "parent": parent,
                "path": path_str,
                "depth": path_str.count("/") - 1,
                "lat": row.get("lat"),
                "lon": row.get("lon"),
            },
        )
        count += 1
    _centroids.cache_clear()
    return count


@lru_cache(maxsize=1)
def _centroids() -> tuple[tuple[str, str, float, float], ...]:
    return tuple(
        Division.objects.filter(lat__isnull=False, lon__isnull=False, level__in=["township", "county"])
        .values_list("code", "level", "lat", "lon")
    )


def division_code_for_point(lat: float, lon: float) -> str | None:
    """The code of the township (or else county) whose centroid is nearest, within a sane radius.

    Centroids stand in for boundary polygons until those are loaded; the staff can correct the region.
    """
    best: dict[str, tuple[float, str]] = {}
    for code, level, clat, clon in _centroids():
        d = geo.distance_m(lat, lon, clat, clon)
        if level not in best or d < best[level][0]:
            best[level] = (d, code)
    for level, radius in (("township", TOWNSHIP_RADIUS_M), ("county", COUNTY_RADIUS_M)):
        if level in best and best[level][0] <= radius:
            return best[level][1]
    return None


def division_for_point(lat: float, lon: float) -> Division | None:
    """division_code_for_point's division."""
    code = division_code_for_point(lat, lon)
    return Division.objects.get(code=code) if code else None


def division_clear_cache() -> None:
    _centroids.cache_clear()
