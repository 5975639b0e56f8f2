"""hazardwatch stats rebuild | refresh: build or bring up to date the dashboard pre-aggregate (StatsCell)."""
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Dashboard statistics. 'rebuild': recount every cell from the cases. 'refresh': recount the months "
            "of cases changed since the last refresh (what the periodic job runs).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "refresh"])

    def handle(self, *args, **options):
        from hazardwatch.insights.stats import stats_rebuild, stats_refresh

        t0 = time.perf_counter()
        result = stats_rebuild() if options["action"] == "rebuild" else stats_refresh()
        self.stdout.write(f"stats {options['action']}: {result} in {time.perf_counter() - t0:.2f} s")
