"""hazardwatch backup [PATH] [--force]: the database and media as one verifiable archive (docs/operations.md)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.ops.backup import BackupError, backup_create, default_backup_path


class Command(BaseCommand):
    help = ("Write a consistent backup of the database and media to one tar archive with a manifest of "
            "checksums. Default PATH: var/backups/hazardwatch-<time>.tar.gz; .tar, .tar.gz, .tgz, .tar.xz and "
            ".tar.bz2 are accepted. Safe while the application runs.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Archive to write (default under var/backups/).")
        parser.add_argument("--force", action="store_true", help="Replace PATH if it exists.")

    def handle(self, *args, **options):
        dest = Path(options["path"]) if options["path"] else default_backup_path()
        try:
            result = backup_create(dest=dest, force=options["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        self.stdout.write(f"backup written: {result.path} ({result.size} bytes, {result.seconds:.1f} s; "
                          f"{m['backend']}, {len(m['tables'])} tables, {sum(m['tables'].values())} rows, "
                          f"{m['media']['files']} media files)")
