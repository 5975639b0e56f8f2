"""hazardwatch checklists load [--data DIR] | hazardwatch checklists inspections [--today YYYY-MM-DD]."""
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.checklists.loader import DATA_DIR, TemplateFileError
from hazardwatch.checklists.services import inspections_periodic, templates_load


class Command(BaseCommand):
    help = ("Checklists: 'load' reads every template YAML file (idempotent, all or nothing; a changed file adds a "
            "version); 'inspections' creates next occurrences of recurring inspections and marks missed ones.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "inspections"])
        parser.add_argument("--data", default=str(DATA_DIR), help="folder of template *.yaml files")
        parser.add_argument("--today", default=None, help="date for 'inspections' (default: today)")

    def handle(self, *args, **options):
        if options["action"] == "inspections":
            today = None
            if options["today"]:
                try:
                    today = dt.date.fromisoformat(options["today"])
                except ValueError:
                    raise CommandError("--today must be YYYY-MM-DD") from None
            result = inspections_periodic(today)
            self.stdout.write("inspections: {created} created, {missed} marked missed".format(**result))
            return
        try:
            counts = templates_load(Path(options["data"]))
        except TemplateFileError as exc:
            raise CommandError(f"nothing loaded: {exc}") from None
        self.stdout.write("checklists: {created} templates created, {updated} new versions, "
                          "{unchanged} unchanged".format(**counts))
