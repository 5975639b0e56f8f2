"""Administrative divisions (GB/T 2260 tree) and the located-row mixin."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.places import geo


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class DivisionQuerySet(models.QuerySet):
    def subtree(self, division: "Division"):
        return self.filter(path__startswith=division.path)


class Division(models.Model):
    """A division: 6-digit GB/T 2260 code (province, prefecture, county) or 9-digit township code.

    `path` is the materialized path of codes from the root ("410000/410100/410105/") so a subtree is one
    indexed prefix query. Codes are reissued when divisions change: keep the row, set `valid_to`.
    """

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=DivisionLevel.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    path = models.CharField(_("path"), max_length=200, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def ancestors(self) -> list["Division"]:
        codes = [c for c in self.path.strip("/").split("/") if c]
        found = {d.code: d for d in Division.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]


class CRS(models.TextChoices):
    WGS84 = "wgs84", "WGS-84"
    GCJ02 = "gcj02", "GCJ-02"
    BD09 = "bd09", "BD-09"


class Located(models.Model):
    """A row with a point: WGS-84 lat/lon, the coordinates as received, and indexed H3 cells."""

    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    input_crs = models.CharField(_("input coordinate system"), max_length=8, choices=CRS.choices, blank=True)
    input_lat = models.FloatField(_("latitude as received"), null=True, blank=True)
    input_lon = models.FloatField(_("longitude as received"), null=True, blank=True)
    h3_r5 = models.CharField(_("H3 cell r5"), max_length=16, blank=True, db_index=True)
    h3_r7 = models.CharField(_("H3 cell r7"), max_length=16, blank=True, db_index=True)
    h3_r9 = models.CharField(_("H3 cell r9"), max_length=16, blank=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # H3 cells are derived from lat/lon; keep them in step wherever the point was set.
        if self.lat is not None and self.lon is not None:
            cells = geo.h3_cells(self.lat, self.lon)
            self.h3_r5, self.h3_r7, self.h3_r9 = cells[5], cells[7], cells[9]
            if not self.input_crs:
                self.input_crs, self.input_lat, self.input_lon = CRS.WGS84, self.lat, self.lon
        super().save(*args, **kwargs)

    def set_location(self, lat: float, lon: float, crs: str = CRS.WGS84) -> None:
        self.input_crs, self.input_lat, self.input_lon = crs, lat, lon
        self.lat, self.lon = geo.to_wgs84(lat, lon, crs)
        cells = geo.h3_cells(self.lat, self.lon)
        self.h3_r5, self.h3_r7, self.h3_r9 = cells[5], cells[7], cells[9]
