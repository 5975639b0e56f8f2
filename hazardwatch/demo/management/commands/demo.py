"""`manage.py demo`: load the Zhengzhou demo city (see hazardwatch.demo.seed for the cast)."""
from django.core.management.base import BaseCommand, CommandError

from hazardwatch.demo import seed as demo


class Command(BaseCommand):
    help = ("Load a demo city (Zhengzhou): departments, enterprises, people, and reports with cases in every "
            f"state. Does nothing if the demo is already loaded, unless --reset. Password: {demo.PASSWORD}")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo organisations, users, cases and reports first, then load again.")
        parser.add_argument("--reports", type=int, default=300, help="Number of reports to submit (default 300).")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED,
                            help="Random seed (default fixed, so the demo is reproducible).")

    def handle(self, *args, **options):
        if options["reports"] < 1:
            raise CommandError("--reports must be at least 1")
        if demo.demo_exists() and not options["reset"]:
            self.stdout.write(f"Demo data is already loaded (user {demo.MARKER_USERNAME} exists); nothing to do. "
                              "Use --reset to load it again.")
            return
        try:
            if options["reset"]:
                demo.demo_reset(log=self.stdout.write)
            result = demo.seed(reports=options["reports"], rng_seed=options["seed"], log=self.stdout.write)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        s = result.stats
        self.stdout.write(
            f"Demo loaded in {result.seconds:.1f} s: {s.get('organizations', 0)} organisations, "
            f"{s.get('users', 0)} users, {s.get('reports', 0)} reports "
            f"({s.get('with_photo', 0)} with a photo, {s.get('with_contact', 0)} with contact, "
            f"{s.get('employee', 0)} from employees, {s.get('crs_gcj02', 0)} in GCJ-02).")
        self.stdout.write("Cases by status:")
        for status, count in sorted(result.statuses.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {status:<24} {count}")
        self.stdout.write(
            f"Major hazards {s.get('major', 0)}, listed {s.get('listed', 0)}, disputed {s.get('disputed', 0)}, "
            f"returned {s.get('returned', 0)}, overdue now {s.get('overdue', 0)} "
            f"(escalations: {s.get('escalated_in_history', 0)} by the nightly check in the simulated history, "
            f"{s.get('escalated', 0)} now).")
        self.stdout.write(f"Sign in as admin_chen, inspector_li, leader_zhao, fire_wang, city_sun, officer_liu, "
                          f"grid_zhou, reviewer_qian or office_wu — password “{demo.PASSWORD}”.")
