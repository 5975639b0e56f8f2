"""hazardwatch bench: benchmarks that print figures (ratios measured in the same run).

    hazardwatch bench matching [--file tests/data/criteria_eval.jsonl] [--repeat 20]
"""
import json
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_TEXTS = Path(settings.BASE_DIR) / "tests" / "data" / "criteria_eval.jsonl"


def _percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Command(BaseCommand):
    help = "Run benchmarks and print figures. 'matching': criteria matching vs jieba tokenizing the same text."

    def add_arguments(self, parser):
        parser.add_argument("what", nargs="?", default="all", choices=["all", "matching"])
        parser.add_argument("--file", default=str(DEFAULT_TEXTS), help="JSON Lines with a 'text' field")
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, **options):
        if options["what"] in ("all", "matching"):
            self.matching(Path(options["file"]), max(1, options["repeat"]))

    def matching(self, path: Path, repeat: int):
        from hazardwatch.criteria.services import matcher_from_files

        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        t0 = time.perf_counter()
        matcher = matcher_from_files()
        build = time.perf_counter() - t0
        tokenizer = matcher._tokenizer
        for text in texts[:20]:  # warm up caches
            matcher.match(text)
            tokenizer.lcut(text)
        tok_times, match_times = [], []
        for text in texts:
            t = time.perf_counter()
            for _ in range(repeat):
                tokenizer.lcut(text)
            tok_times.append((time.perf_counter() - t) / repeat)
            t = time.perf_counter()
            for _ in range(repeat):
                matcher.match(text)
            match_times.append((time.perf_counter() - t) / repeat)
        ratios = [m / k for m, k in zip(match_times, tok_times)]
        ms = 1000
        self.stdout.write(
            f"criteria matching over {len(texts)} reports ({len(matcher.items)} items, matcher built in {build:.2f} s)\n"
            f"  jieba tokenize   mean {statistics.mean(tok_times) * ms:.3f} ms   p50 {_percentile(tok_times, .5) * ms:.3f}"
            f"   p95 {_percentile(tok_times, .95) * ms:.3f}\n"
            f"  full matching    mean {statistics.mean(match_times) * ms:.3f} ms   p50 {_percentile(match_times, .5) * ms:.3f}"
            f"   p95 {_percentile(match_times, .95) * ms:.3f}\n"
            f"  ratio (match / tokenize, per report): mean {statistics.mean(ratios):.2f}x   median "
            f"{statistics.median(ratios):.2f}x   (target <= 5x)\n"
            f"  total ratio: {sum(match_times) / sum(tok_times):.2f}x")
