"""hazardwatch map rebuild: recount the map's pre-aggregated cell counts (after bulk loads or QuerySet.update())."""
from django.core.management.base import BaseCommand

from hazardwatch.insights.maps import map_cells_rebuild


class Command(BaseCommand):
    help = "Map pre-aggregate: 'rebuild' recounts every H3 cell from the cases table."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, **options):
        self.stdout.write(f"map pre-aggregate rebuilt: {map_cells_rebuild():,} rows")
