"""hazardwatch restore PATH [--force] [--check]: replace the database and media with a backup's content.

Exits non-zero, having changed nothing, when the archive is damaged, truncated, from a newer version or
another backend, or when the target is not empty and --force is not given; exits non-zero after restoring
when the restored audit chain does not verify.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.ops.backup import BackupError, archive_verify, backup_restore


class Command(BaseCommand):
    help = ("Restore a `hazardwatch backup` archive: verify every checksum, then replace the database and "
            "media and verify the audit chain. Stop the app and workers first.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="Archive written by `hazardwatch backup`.")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database or media folder that is not empty (its content is lost).")
        parser.add_argument("--check", action="store_true",
                            help="Only verify the archive's checksums and compatibility; change nothing.")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            if options["check"]:
                m = archive_verify(path)
                self.stdout.write(f"archive OK: {path} ({m['backend']}, created {m['created_at']}, "
                                  f"{len(m['members'])} members verified)")
                return
            result = backup_restore(src=path, force=options["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.migrated:
            self.stdout.write(f"applied {len(result.migrated)} migrations newer than the archive")
        if not result.audit.ok:
            raise CommandError(f"restored, but the audit chain is BROKEN at entry {result.audit.broken_id}: "
                               f"{result.audit.reason} ({result.audit.checked} entries verified before it). "
                               "Do not put this database into service; investigate the archive.")
        self.stdout.write(f"restore complete in {result.seconds:.1f} s; audit chain OK: "
                          f"{result.audit.checked} entries verified")
