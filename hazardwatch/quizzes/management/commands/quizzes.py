"""hazardwatch quizzes import FILE... | persist [--follow] | bench [options]"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Quiz question bank import, answer persistence worker, and the quiz write-path benchmark."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import questions from CSV or YAML files (all or nothing per file).")
        imp.add_argument("files", nargs="+")
        per = sub.add_parser("persist", help="Move acknowledged answers from the Redis stream into the database.")
        per.add_argument("--follow", action="store_true", help="Keep running, waiting for new answers.")
        per.add_argument("--batch", type=int, default=None)
        per.add_argument("--consumer", default="worker-1")
        bench = sub.add_parser("bench", help="Answer submission throughput vs a bare JSON endpoint (gunicorn).")
        bench.add_argument("--seconds", type=float, default=8.0)
        bench.add_argument("--clients", type=int, default=64)
        bench.add_argument("--workers", type=int, default=3)
        bench.add_argument("--threads", type=int, default=8)
        bench.add_argument("--rounds", type=int, default=3)
        bench.add_argument("--port", type=int, default=8765)

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "import":
            self._import(opts["files"])
        elif action == "persist":
            self._persist(opts)
        elif action == "bench":
            from hazardwatch.quizzes import bench

            bench.run(self.stdout, seconds=opts["seconds"], clients=opts["clients"], workers=opts["workers"],
                      threads=opts["threads"], rounds=opts["rounds"], port=opts["port"])

    def _import(self, files):
        from hazardwatch.quizzes.importer import ImportFailed, bank_import

        failed = False
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                result = bank_import(name=str(path), content=path.read_bytes(), actor="command:quizzes import")
            except ImportFailed as exc:
                failed = True
                self.stderr.write(str(exc.message))
                for line in exc.errors:
                    self.stderr.write("  " + line)
                continue
            self.stdout.write(f"{name}: {result.created} created, {result.updated} updated")
        if failed:
            raise CommandError("some files had errors; they were not imported")

    def _persist(self, opts):
        from hazardwatch.quizzes import services, store

        if not store.enabled():
            self.stdout.write("REDIS_URL is not set: answers are written to the database directly; nothing to do.")
            return
        result = services.answers_persist(batch=opts["batch"], consumer=opts["consumer"],
                                          block_ms=5000 if opts["follow"] else None)
        self.stdout.write(f"read {result.read}, inserted {result.inserted}, batches {result.batches}")
