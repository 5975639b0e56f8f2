"""Zone polygons: GeoJSON in, a validated and normalised GeoJSON Polygon out (shapely, no database GIS)."""
import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Polygon, shape
from shapely.validation import explain_validity

MAX_VERTICES = 500
MAX_AREA_KM2 = 50.0

ZONE_NOT_GEOJSON = _("The zone must be a GeoJSON Polygon (or a Feature with a Polygon geometry).")
ZONE_ONE_FEATURE = _("A FeatureCollection zone must hold exactly one Polygon feature; draw one zone per risk point.")
ZONE_BAD_COORDINATES = _("Every position must be [longitude, latitude] with finite numbers.")
ZONE_RING_OPEN = _("Each ring must be closed: the last position must repeat the first.")
ZONE_RING_SHORT = _("Each ring needs at least 4 positions (3 corners and the closing one).")
ZONE_TOO_MANY_VERTICES = _("The zone has more than {limit} vertices.")
ZONE_OUTSIDE_AREA = _("The zone lies outside the service area (mainland China).")
ZONE_INVALID = _("The zone polygon is not valid: {reason}.")
ZONE_TOO_LARGE = _("The zone is larger than {limit} km²; draw the site's zones separately.")


class ZoneError(ValueError):
    pass


def _position(p) -> tuple[float, float]:
    if not isinstance(p, (list, tuple)) or len(p) < 2:
        raise ZoneError(ZONE_BAD_COORDINATES)
    try:
        lon, lat = float(p[0]), float(p[1])
    except (TypeError, ValueError):
        raise ZoneError(ZONE_BAD_COORDINATES) from None
    if isinstance(p[0], bool) or isinstance(p[1], bool) or not (math.isfinite(lon) and math.isfinite(lat)):
        raise ZoneError(ZONE_BAD_COORDINATES)
    return lon, lat


def zone_validate(value) -> dict:
    """Check a zone and return it as {"type": "Polygon", "coordinates": [...]} (raises ZoneError)."""
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ZoneError(ZONE_ONE_FEATURE)
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "Polygon" or not isinstance(value.get("coordinates"), list):
        raise ZoneError(ZONE_NOT_GEOJSON)
    rings = value["coordinates"]
    if not rings:
        raise ZoneError(ZONE_NOT_GEOJSON)
    clean, vertices = [], 0
    for ring in rings:
        if not isinstance(ring, list):
            raise ZoneError(ZONE_NOT_GEOJSON)
        positions = [_position(p) for p in ring]
        if len(positions) < 4:
            raise ZoneError(ZONE_RING_SHORT)
        if positions[0] != positions[-1]:
            raise ZoneError(ZONE_RING_OPEN)
        vertices += len(positions) - 1
        if vertices > MAX_VERTICES:
            raise ZoneError(str(ZONE_TOO_MANY_VERTICES).format(limit=MAX_VERTICES))
        clean.append([[round(lon, 7), round(lat, 7)] for lon, lat in positions])
    south, west, north, east = settings.HAZARDWATCH_AREA_BBOX
    for ring in clean:
        for lon, lat in ring:
            if not (south <= lat <= north and west <= lon <= east):
                raise ZoneError(ZONE_OUTSIDE_AREA)
    geom = shape({"type": "Polygon", "coordinates": clean})
    if not geom.is_valid:
        raise ZoneError(str(ZONE_INVALID).format(reason=explain_validity(geom)))
    if geom.is_empty or geom.area == 0:
        raise ZoneError(str(ZONE_INVALID).format(reason="empty"))
    if zone_area_km2(geom) > MAX_AREA_KM2:
        raise ZoneError(str(ZONE_TOO_LARGE).format(limit=int(MAX_AREA_KM2)))
    return {"type": "Polygon", "coordinates": clean}


def zone_area_km2(geom: Polygon) -> float:
    """Approximate area (equirectangular at the centroid's latitude; fine for site zones)."""
    lat = geom.centroid.y
    kx = 111.320 * math.cos(math.radians(lat))
    ky = 110.574
    return geom.area * kx * ky


def zone_anchor(zone: dict) -> tuple[float, float]:
    """A point inside the zone (lat, lon), used for the point's location and H3 cells."""
    p = shape(zone).representative_point()
    return p.y, p.x


def rectangle(lat: float, lon: float, width_m: float, height_m: float, dx_m: float = 0, dy_m: float = 0) -> dict:
    """A rectangle zone `width_m` × `height_m` whose centre is offset (dx_m east, dy_m north) from lat/lon."""
    m_lat = 1 / 110574.0
    m_lon = 1 / (111320.0 * math.cos(math.radians(lat)))
    cx, cy = lon + dx_m * m_lon, lat + dy_m * m_lat
    hw, hh = width_m / 2 * m_lon, height_m / 2 * m_lat
    ring = [[cx - hw, cy - hh], [cx + hw, cy - hh], [cx + hw, cy + hh], [cx - hw, cy + hh], [cx - hw, cy - hh]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}
