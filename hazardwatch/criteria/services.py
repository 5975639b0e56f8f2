"""Loading the catalogue into the database, building matchers, and matching reports on intake."""
import datetime as dt
import threading
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hazardwatch.criteria import catalogue
from hazardwatch.criteria.engine import Matcher, MatchResult
from hazardwatch.criteria.models import Criterion, ReportCriterionMatch, Standard

_lock = threading.Lock()
_matchers: dict[tuple, Matcher] = {}


def catalogue_load(data_dir: Path = catalogue.DATA_DIR) -> dict[str, int]:
    """Load every edition file. Idempotent: an unchanged edition is skipped; a changed one becomes a new
    version (the old version stays, no longer current). All files are checked before anything is written,
    so one bad file loads nothing."""
    editions = catalogue.read_all(data_dir)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for ed in editions:
            std = ed["standard"]
            current = Standard.objects.filter(code=std["code"], edition=std["edition"], is_current=True).first()
            if current and current.fingerprint == ed["fingerprint"]:
                counts["unchanged"] += 1
                continue
            version = 1
            if current:
                Standard.objects.filter(pk=current.pk).update(is_current=False)
                version = current.version + 1
                counts["updated"] += 1
            else:
                counts["created"] += 1
            row = Standard.objects.create(version=version, is_current=True, fingerprint=ed["fingerprint"], **std)
            Criterion.objects.bulk_create([
                Criterion(standard=row, position=pos, **{k: v for k, v in item.items() if k != "line"})
                for pos, item in enumerate(ed["items"])
            ])
    _matchers.clear()
    return counts


def _editions_from_db(standards) -> list[dict]:
    out = []
    for std in standards:
        items = [
            {"code": c.code, "kind": c.kind, "text_zh": c.text_zh, "text_en": c.text_en, "sectors": c.sectors,
             "place_types": c.place_types, "keywords": c.keywords, "requires": c.requires, "defect": c.defect,
             "thresholds": c.thresholds}
            for c in std.items.all()
        ]
        out.append({"standard": {"code": std.code, "edition": std.edition}, "items": items})
    return out


def matcher_for_day(day: dt.date | None = None) -> Matcher:
    """A matcher over the current versions of the editions in force on `day` (cached per catalogue state)."""
    day = day or timezone.localdate()
    key = tuple(Standard.objects.in_force_on(day).order_by("pk").values_list("pk", "fingerprint"))
    with _lock:
        matcher = _matchers.get(key)
        if matcher is None:
            standards = Standard.objects.filter(pk__in=[pk for pk, _ in key]).prefetch_related("items").order_by("code")
            matcher = Matcher(_editions_from_db(standards), catalogue.load_lexicon())
            _matchers[key] = matcher
    return matcher


_file_matchers: dict[tuple, Matcher] = {}


def matcher_from_files(data_dir: Path = catalogue.DATA_DIR, day: dt.date | None = None) -> Matcher:
    """A matcher straight from the YAML files (the triage command: no database needed)."""
    day = day or dt.date.today()
    editions = catalogue.in_force(catalogue.read_all(data_dir), day)
    key = (str(data_dir), tuple(sorted(e["fingerprint"] for e in editions)))
    with _lock:
        if key not in _file_matchers:
            _file_matchers[key] = Matcher(editions, catalogue.load_lexicon(data_dir))
        return _file_matchers[key]


def report_match(*, report, category_sector: str | None) -> MatchResult:
    """Match a new report and store its candidates (rank, score, reasons) against the catalogue rows."""
    result = report_match_compute(report=report, category_sector=category_sector)
    report_match_store(report=report, result=result)
    return result


def report_match_compute(*, report, category_sector: str | None) -> MatchResult:
    """The matching alone (CPU, no writes): callers may run it before taking their write lock."""
    day = timezone.localtime(report.submitted_at).date()
    return matcher_for_day(day).match(report.description, place_type=report.place_type or None,
                                      category_sector=category_sector)


def report_match_store(*, report, result: MatchResult) -> None:
    """Store the candidates of `result` for the report, against the current catalogue rows."""
    if not result.candidates:
        return
    wanted = {(c.standard, c.edition, c.item) for c in result.candidates}
    rows = {
        (c.standard.code, c.standard.edition, c.code): c
        for c in Criterion.objects.filter(standard__is_current=True,
                                          standard__code__in={w[0] for w in wanted},
                                          code__in={w[2] for w in wanted}).select_related("standard")
    }
    ReportCriterionMatch.objects.bulk_create([
        ReportCriterionMatch(report=report, criterion=rows[(c.standard, c.edition, c.item)], rank=rank,
                             score=c.score, is_full=c.full, reasons=c.reasons)
        for rank, c in enumerate(result.candidates) if (c.standard, c.edition, c.item) in rows
    ])


def criterion_for_case(*, criterion_id, case) -> Criterion | None:
    """The item a reviewer confirms: of an edition in force on the case's finding date.

    A candidate stored before the catalogue was reloaded points at an older version of the same edition;
    it is mapped to the current version's item with the same code.
    """
    if criterion_id in (None, ""):
        return None
    try:
        pk = int(criterion_id)
    except (TypeError, ValueError):
        return None
    chosen = Criterion.objects.filter(pk=pk).select_related("standard").first()
    if chosen is None:
        return None
    day = timezone.localtime(case.created_at).date() if case.created_at else timezone.localdate()
    current = Standard.objects.in_force_on(day).filter(code=chosen.standard.code,
                                                       edition=chosen.standard.edition).first()
    if current is None:
        return None
    if chosen.standard_id == current.pk:
        return chosen
    return current.items.filter(code=chosen.code).select_related("standard").first()
