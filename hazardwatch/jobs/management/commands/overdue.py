"""hazardwatch overdue: mark and escalate overdue cases now (what the periodic job does)."""
from django.core.management.base import BaseCommand

from hazardwatch.cases.services import cases_mark_overdue


class Command(BaseCommand):
    help = "Mark overdue cases and escalate them to the next level."

    def handle(self, *args, **options):
        self.stdout.write(f"{cases_mark_overdue()} cases escalated")
