"""hazardwatch triage: JSON Lines on stdin → one JSON line per input on stdout (no server, no network).

    echo '{"id": 1, "text": "KTV包厢没有喷淋"}' | hazardwatch triage
    hazardwatch triage eval tests/data/criteria_eval.jsonl
"""
import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazardwatch.criteria.catalogue import DATA_DIR, CatalogueError
from hazardwatch.criteria.services import matcher_from_files
from hazardwatch.criteria.triage import evaluate, triage_stream


class Command(BaseCommand):
    help = "Match reports against the criteria catalogue (stdin → stdout), or 'eval FILE' on a labelled set."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*", metavar="eval FILE")
        parser.add_argument("--data", default=str(DATA_DIR), help="catalogue folder (default: the bundled one)")
        parser.add_argument("--date", help="match against the editions in force on this day (default: today)")
        parser.add_argument("--limit", type=int, default=5, help="candidates per report (default 5)")
        parser.add_argument("--json", action="store_true", help="eval: print the figures as JSON")
        parser.add_argument("--misses", action="store_true", help="eval: list the cases it got wrong")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        if options["limit"] < 1 or options["limit"] > 50:
            raise CommandError("--limit must be between 1 and 50")
        if args and (args[0] != "eval" or len(args) != 2):
            raise CommandError("usage: hazardwatch triage [eval FILE]")
        if args and not Path(args[1]).is_file():
            raise CommandError(f"no such file: {args[1]}")
        try:
            matcher = matcher_from_files(Path(options["data"]), day)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        if not args:
            errors = triage_stream(matcher, sys.stdin, self.stdout, self.stderr, limit=options["limit"])
            if errors:
                self.stderr.write(f"{errors} line(s) could not be processed")
                sys.exit(1)
            return
        path = Path(args[1])
        with path.open(encoding="utf-8") as fh:
            ev = evaluate(matcher, fh, self.stderr)
        if options["json"]:
            self.stdout.write(json.dumps(ev.as_dict()))
        else:
            d = ev.as_dict()
            self.stdout.write(
                f"cases: {d['cases']} (major: {ev.tp + ev.fn}, with items: {d['major_cases']})\n"
                f"sector accuracy:      {ev.sector_accuracy:.1%}\n"
                f"major recall:         {ev.recall:.1%}   (TP {ev.tp}, FN {ev.fn})\n"
                f"major precision:      {ev.precision:.1%}   (FP {ev.fp})\n"
                f"top-3 item accuracy:  {ev.top3:.1%}\n")
        if options["misses"]:
            for miss in ev.misses:
                self.stdout.write(json.dumps(miss, ensure_ascii=False))
