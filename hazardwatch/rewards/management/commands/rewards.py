"""hazardwatch rewards load-rules [--file F] | propose | expire | remind | run: reward rules and the periodic work."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.rewards import services
from hazardwatch.rewards.rules import NATIONAL_FILE, RuleError


class Command(BaseCommand):
    help = ("Rewards: 'load-rules' loads a rules YAML file (default: the national defaults) all or nothing; "
            "'propose' proposes assessments for verified cases; 'expire' waives unclaimed rewards past the claim "
            "window; 'remind' sends claim reminders; 'run' does the last three (what the worker schedules).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load-rules", "propose", "expire", "remind", "run"])
        parser.add_argument("--file", action="append", default=None,
                            help="rules YAML file (repeatable); default: the shipped national defaults")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "load-rules":
            files = [Path(f) for f in (options["file"] or [str(NATIONAL_FILE)])]
            for path in files:
                try:
                    counts = services.rules_load(path)
                except RuleError as exc:
                    raise CommandError(f"nothing loaded from {path}: {exc}") from None
                self.stdout.write("rewards rules from {path}: {created} created, {updated} updated".format(
                    path=path, **counts))
            return
        if action in ("propose", "run"):
            self.stdout.write(f"{services.propose_due()} assessments proposed")
        if action in ("expire", "run"):
            self.stdout.write(f"{services.assessments_expire()} rewards expired")
        if action in ("remind", "run"):
            self.stdout.write(f"{services.reminders_send()} reminders sent")
