"""Insights tables. Sections per feature; each section owns its models."""
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- map -----------------------------------------------------------------------------------------------


class MapScope(models.TextChoices):
    ALL = "all", _("All cases")
    PUBLIC = "public", _("Accepted cases (public)")


class MapCellCount(models.Model):
    """Pre-aggregated case counts per H3 cell (r3, r5, r7, r9) for the unfiltered map.

    One row per (resolution, cell, scope), so a viewport reads at most as many rows as it has cells,
    whatever the number of cases. Kept in step by signals on Case.save/delete once built
    (`maps.map_cells_rebuild`); QuerySet.update()/bulk_create bypass signals, so after bulk loads run the
    rebuild again. While `MapAggregateState` has no row the map reads the Case table directly.
    """

    resolution = models.PositiveSmallIntegerField(_("H3 resolution"))
    cell = models.CharField(_("H3 cell"), max_length=16)
    scope = models.CharField(_("scope"), max_length=8, choices=MapScope.choices)
    count = models.IntegerField(_("cases"), default=0)
    overdue = models.IntegerField(_("overdue cases"), default=0)
    major = models.IntegerField(_("major hazards"), default=0)

    class Meta:
        verbose_name = _("map cell count")
        verbose_name_plural = _("map cell counts")
        constraints = [
            models.UniqueConstraint(fields=["resolution", "scope", "cell"], name="insights_mapcell_unique"),
        ]


class GradeOverdueCounters(models.Model):
    """Six counters splitting cases by grade (general, major, ungraded) × overdue, so a grade or overdue filter
    is a sum of columns (`maps._wanted_buckets`), not more rows."""

    gen_ok = models.IntegerField(_("general, not overdue"), default=0)
    gen_od = models.IntegerField(_("general, overdue"), default=0)
    maj_ok = models.IntegerField(_("major, not overdue"), default=0)
    maj_od = models.IntegerField(_("major, overdue"), default=0)
    ung_ok = models.IntegerField(_("ungraded, not overdue"), default=0)
    ung_od = models.IntegerField(_("ungraded, overdue"), default=0)

    class Meta:
        abstract = True


class MapCellSplit(GradeOverdueCounters):
    """Pre-aggregated case counts per H3 cell (r3, r5, r7, r9) split by the map's filter dimensions.

    Key: (resolution, status, sector, region, cell). `status` is a case status or a rollup member: "*" (every
    status), "pub" (the statuses the public map shows) or "open"; `sector` a sector or "*" (every sector);
    `region` the case's `region_path` cut to its first `maps.REGION_KEY_LEN` characters (the county level of
    "410000/410100/410105/…"; "" = no region) or "*" (every region). The six counters split the cases by
    grade × overdue, so a grade or overdue filter is a sum of columns, not more rows. A filtered public or
    admin viewport reads one row per cell (per listed status and sector); a regulator's about one per cell and
    region key in the cell (regions are spatially clustered: 1–2 at r7), whatever the number of cases. Built with MapCellCount by `maps.map_cells_rebuild`, kept in step by
    the same Case signals.
    """

    resolution = models.PositiveSmallIntegerField(_("H3 resolution"))
    status = models.CharField(_("status"), max_length=24)
    sector = models.CharField(_("sector"), max_length=32)
    region = models.CharField(_("region path prefix"), max_length=24, blank=True)
    cell = models.CharField(_("H3 cell"), max_length=16)

    class Meta:
        verbose_name = _("map cell split count")
        verbose_name_plural = _("map cell split counts")
        constraints = [
            models.UniqueConstraint(fields=["resolution", "status", "sector", "cell", "region"],
                                    name="insights_mapsplit_unique"),
        ]


class MapSeries(models.Model):
    """One series of running totals (MapCellDay): an H3 cell (r3, r5, r7, r9) of a scope, for every case
    ("*", "*") or for one (sector, region key) pair.

    The integer id is the key of the series' day rows, so "the latest row on or before a day" is a seek on
    (series, day) — two integers and a date — instead of on six text columns (measured at 1,000,000 cases,
    SQLite: the text key cost ~3.7 µs per seek, the larger part of a city date-range view).
    """

    resolution = models.PositiveSmallIntegerField(_("H3 resolution"))
    scope = models.CharField(_("scope"), max_length=8, choices=MapScope.choices)
    sector = models.CharField(_("sector"), max_length=32, default="*")
    region = models.CharField(_("region path prefix"), max_length=24, blank=True, default="*")
    cell = models.CharField(_("H3 cell"), max_length=16)

    class Meta:
        verbose_name = _("map running-total series")
        verbose_name_plural = _("map running-total series")
        constraints = [
            # Viewports look series up by cell (then sector and region inside the wanted areas).
            models.UniqueConstraint(fields=["resolution", "scope", "cell", "sector", "region"],
                                    name="insights_mapseries_key"),
        ]


class MapCellDay(GradeOverdueCounters):
    """Running totals per series (MapSeries: H3 cell, scope, sector, region) by creation day, for date-range
    map views.

    A row (series, day) holds the cases of the series created on or before `day` (local date), split into the
    six grade × overdue counters of MapCellSplit. Two families of series: sector = region = "*" (every case of
    the scope: the public map and admins), and, for scope "all", the exact sector and region key
    (`maps.REGION_KEY_LEN`) of the cases (regulators' jurisdictions and sector filters, summed over the
    (sector, region) pairs present in the cell). Rows exist for the days on which a case of the series was
    created, so the count of a range [from, to] is the latest row on or before `to` minus the latest row
    before `from`: two index seeks per series, whatever the number of cases or days. Built with the other map
    pre-aggregates by `maps.map_cells_rebuild`, kept in step by the Case signals (a change to a case created
    on day d adds its delta to the series' rows from d on).
    """

    series = models.ForeignKey(MapSeries, on_delete=models.CASCADE, related_name="days", db_index=False,
                               verbose_name=_("series"))
    day = models.DateField(_("created on or before"))

    class Meta:
        verbose_name = _("map cell running total")
        verbose_name_plural = _("map cell running totals")
        constraints = [
            models.UniqueConstraint(fields=["series", "day"], name="insights_mapday_series_day"),
        ]
        indexes = [
            # Covering: "the latest row on or before a day" reads the counters from the index alone (one seek per
            # series and bound, no table lookup).
            models.Index(fields=["series", "day", "gen_ok", "gen_od", "maj_ok", "maj_od", "ung_ok", "ung_od"],
                         name="insights_mapday_series_cov"),
        ]


class MapAggregateState(models.Model):
    """Present (one row) when MapCellCount is built and maintained; absent → the map counts live."""

    built_at = models.DateTimeField(_("built at"))
    cases = models.BigIntegerField(_("cases counted at build"), default=0)

    class Meta:
        verbose_name = _("map aggregate state")
        verbose_name_plural = _("map aggregate state")


# The receivers that maintain MapCellCount live next to the map selectors; InsightsConfig.ready connects them.


# --- statistics ----------------------------------------------------------------------------------------


class StatsKind(models.TextChoices):
    STATUS = "s", _("status count")
    CATEGORY = "c", _("category count")
    CLOSE_DAYS = "d", _("days-to-close histogram")


class StatsCounts(models.Model):
    """The columns StatsCell (by month) and StatsDayCell (by day) share: where, what and how many."""

    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    parent_code = models.CharField(_("parent region code"), max_length=12, null=True, blank=True)
    sector = models.CharField(_("sector"), max_length=32)
    grade = models.CharField(_("grade"), max_length=12, blank=True)
    kind = models.CharField(_("kind"), max_length=1, choices=StatsKind.choices)
    key = models.CharField(_("key"), max_length=32, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    n = models.BigIntegerField(_("cases"), default=0)

    class Meta:
        abstract = True


class StatsCell(StatsCounts):
    """Pre-aggregated case counts for the statistics dashboard (see docs/dashboard.md).

    One row per (region, sector, grade, created month, kind, key, overdue) holding a count `n`. Every
    case is counted once at each level of its region path (the whole country "", province, prefecture,
    county, township), so the totals of any region are the rows with that `region_code`, and its
    drill-down children are the rows with that `parent_code`: a dashboard query reads at most
    regions × sectors × grades × months × keys rows, however many cases there are.

    kind "s": key = case status (with is_overdue); kind "c": key = category; kind "d": key = whole days
    from creation to closing (0–60 exact, then buckets starting at 61, 91, 181, 366), closed cases only.
    Built by `hazardwatch stats rebuild`, kept current by `hazardwatch stats refresh` (periodic job).
    """

    month = models.DateField(_("created month"))

    class Meta:
        verbose_name = _("statistics cell")
        verbose_name_plural = _("statistics cells")
        indexes = [
            # Covering: a dashboard query reads index entries only (region, kind, sector, grade are equalities,
            # month a range; key, overdue and n are what it sums), not one table page per cell.
            models.Index(fields=["region_code", "kind", "sector", "grade", "month", "key", "is_overdue", "n"],
                         name="insights_stats_region_cov"),
            models.Index(fields=["parent_code", "kind", "sector", "grade", "month", "region_code", "n"],
                         name="insights_stats_parent_cov"),
            models.Index(fields=["month"], name="insights_stats_month"),
        ]


class StatsDayCell(StatsCounts):
    """Day-precision statistics cells for the edges of a day-precise range and the weekly axis.

    The same columns as StatsCell with a creation `day` instead of a month, written only for the upper region
    levels (see docs/dashboard.md for which levels and kinds): whole months of a range are read from StatsCell,
    the partial edge days from here, so a day-precise range costs a bounded number of rows. Built and refreshed
    with StatsCell.
    """

    day = models.DateField(_("created on"))

    class Meta:
        verbose_name = _("daily statistics cell")
        verbose_name_plural = _("daily statistics cells")
        indexes = [
            models.Index(fields=["region_code", "kind", "sector", "grade", "day", "key", "is_overdue", "n"],
                         name="insights_statsday_region_cov"),
            models.Index(fields=["parent_code", "kind", "sector", "grade", "day", "region_code", "n"],
                         name="insights_statsday_parent_cov"),
            models.Index(fields=["day"], name="insights_statsday_day"),
        ]


class StatsState(models.Model):
    """One row once StatsCell is built: when, and the `updated_at` watermark of the last refresh."""

    built_at = models.DateTimeField(_("built at"))
    refreshed_at = models.DateTimeField(_("refreshed at"))
    watermark = models.DateTimeField(_("changes counted up to"))
    cases = models.BigIntegerField(_("cases counted at build"), default=0)

    class Meta:
        verbose_name = _("statistics state")
        verbose_name_plural = _("statistics state")
