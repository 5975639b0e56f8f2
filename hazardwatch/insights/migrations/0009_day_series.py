"""MapCellDay keyed by an integer series (MapSeries) instead of six text columns.

The running totals are dropped and the map pre-aggregate marked unbuilt (the map counts live, correct but
slower at scale) until `manage.py map rebuild` (or `bench map-aggregate`) recounts them; see CHANGELOG.
"""

import django.db.models.deletion
from django.db import migrations, models


def mark_unbuilt(apps, schema_editor):
    apps.get_model("insights", "MapAggregateState").objects.using(schema_editor.connection.alias).all().delete()


COUNTERS = [
    ("gen_ok", "general, not overdue"), ("gen_od", "general, overdue"), ("maj_ok", "major, not overdue"),
    ("maj_od", "major, overdue"), ("ung_ok", "ungraded, not overdue"), ("ung_od", "ungraded, overdue"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0008_day_cells_covering"),
    ]

    operations = [
        migrations.RunPython(mark_unbuilt, migrations.RunPython.noop),
        migrations.DeleteModel(name="MapCellDay"),
        migrations.CreateModel(
            name="MapSeries",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resolution", models.PositiveSmallIntegerField(verbose_name="H3 resolution")),
                ("scope", models.CharField(choices=[("all", "All cases"), ("public", "Accepted cases (public)")],
                                           max_length=8, verbose_name="scope")),
                ("sector", models.CharField(default="*", max_length=32, verbose_name="sector")),
                ("region", models.CharField(blank=True, default="*", max_length=24,
                                            verbose_name="region path prefix")),
                ("cell", models.CharField(max_length=16, verbose_name="H3 cell")),
            ],
            options={
                "verbose_name": "map running-total series",
                "verbose_name_plural": "map running-total series",
                "constraints": [models.UniqueConstraint(fields=("resolution", "scope", "cell", "sector", "region"),
                                                        name="insights_mapseries_key")],
            },
        ),
        migrations.CreateModel(
            name="MapCellDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                *[(name, models.IntegerField(default=0, verbose_name=label)) for name, label in COUNTERS],
                ("day", models.DateField(verbose_name="created on or before")),
                ("series", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="days", to="insights.mapseries", verbose_name="series")),
            ],
            options={
                "verbose_name": "map cell running total",
                "verbose_name_plural": "map cell running totals",
                "indexes": [models.Index(fields=["series", "day", "gen_ok", "gen_od", "maj_ok", "maj_od", "ung_ok",
                                                 "ung_od"], name="insights_mapday_series_cov")],
                "constraints": [models.UniqueConstraint(fields=("series", "day"), name="insights_mapday_series_day")],
            },
        ),
    ]
