"""hazardwatch audit verify: recompute the hash chain; exit 1 naming the first broken entry."""
import sys

from django.core.management.base import BaseCommand

from hazardwatch.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit chain OK: {result.checked} entries verified")
            return
        self.stderr.write(f"audit chain BROKEN at entry {result.broken_id}: {result.reason} "
                          f"({result.checked} entries verified before it)")
        sys.exit(1)
