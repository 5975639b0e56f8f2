"""hazardwatch load_divisions [FILE]: load the GB/T 2260 tree (default: the bundled Zhengzhou data)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.places.services import DATA_DIR, divisions_load


class Command(BaseCommand):
    help = "Load administrative divisions from a JSON file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DATA_DIR / "divisions_zhengzhou.json"))

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        count = divisions_load(path)
        self.stdout.write(f"{count} divisions loaded from {path.name}")
