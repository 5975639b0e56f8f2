"""`hazardwatch open311_catalogue [--file PATH]`: check an Open311 service catalogue file and list its services."""
from django.core.management.base import BaseCommand, CommandError

from hazardwatch.open311 import catalogue


class Command(BaseCommand):
    help = ("Check the Open311 service catalogue (HAZARDWATCH_OPEN311_CATALOGUE, or --file) and list its services, "
            "types and attributes. Exits with an error naming the line when the file is invalid.")

    def add_arguments(self, parser):
        parser.add_argument("--file", help="A catalogue file to check instead of the configured one.")

    def handle(self, *args, **options):
        path = options.get("file") or catalogue.catalogue_path()
        try:
            services = catalogue.read_catalogue(path)
        except catalogue.CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        for s in services:
            attrs = ", ".join(f"{a.code}{'*' if a.required else ''}:{a.datatype}" for a in s.attributes) or "-"
            self.stdout.write(f"{s.code:<20} {s.type:<9} category={s.category:<20} attributes: {attrs}")
        self.stdout.write(f"{len(services)} services in {path} (* = required attribute).")
