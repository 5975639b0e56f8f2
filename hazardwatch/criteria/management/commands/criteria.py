"""hazardwatch criteria load [--data DIR]: load the catalogue YAML files (idempotent, all or nothing)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.criteria.catalogue import DATA_DIR, CatalogueError
from hazardwatch.criteria.services import catalogue_load


class Command(BaseCommand):
    help = "Criteria catalogue: 'load' reads every <code>/<edition>.yaml under the data folder."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--data", default=str(DATA_DIR), help="folder of <code>/<edition>.yaml files")

    def handle(self, *args, **options):
        try:
            counts = catalogue_load(Path(options["data"]))
        except CatalogueError as exc:
            raise CommandError(f"nothing loaded: {exc}") from None
        self.stdout.write("criteria: {created} editions created, {updated} new versions, {unchanged} unchanged".format(
            **counts))
