"""`hazardwatch risk load-bands [--file PATH]`: (re)load the risk bands from the data file."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.core.errors import ApplicationError
from hazardwatch.risk import services


class Command(BaseCommand):
    help = "Risk list maintenance. Subcommands: load-bands."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-bands",
                              help="Replace the bands of each method in the file (default risk/data/bands.yaml).")
        load.add_argument("--file", default=str(services.BANDS_FILE))

    def handle(self, *args, action, **options):
        if action == "load-bands":
            try:
                n = services.risk_bands_load(actor="hazardwatch risk load-bands", path=Path(options["file"]))
            except (ApplicationError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Loaded {n} risk bands from {options['file']}.")
