"""Read-only API of the criteria catalogue (no sign-in): standards, one edition with its items, item search.

The read helpers below are shared with the public criteria pages (hazardwatch/public/criteria_views.py).
Texts are our paraphrases for finding the right item, never the legal wording: every standard carries
the URL of its official text.
"""
import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from hazardwatch.api.pagination import paginate_list
from hazardwatch.core.choices import SECTOR_VALUES
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.criteria.models import Criterion, Standard
from hazardwatch.criteria.schemas import ItemFilter, ItemPage, StandardDetailOut, StandardFilter, StandardOut
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["criteria"], auth=None)

SECTOR_UNKNOWN = _("Unknown sector.")
STANDARD_NOT_FOUND = _("No such standard or edition.")

IN_FORCE, SUPERSEDED, NOT_YET = "in_force", "superseded", "not_yet_in_force"


# --- read helpers (also used by the public pages) -------------------------------------------------------

def check_sector(sector: str | None) -> str | None:
    """The sector filter, or None; an unknown value is a 400 naming the field."""
    if sector in (None, ""):
        return None
    if sector not in SECTOR_VALUES:
        raise ApplicationError(SECTOR_UNKNOWN, {"fields": {"sector": [str(SECTOR_UNKNOWN)]}})
    return sector


def standard_status(std: Standard, day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    if std.effective_from > day:
        return NOT_YET
    if std.effective_to is not None and std.effective_to < day:
        return SUPERSEDED
    return IN_FORCE


def standards_current(*, sector: str | None = None, in_force_on: dt.date | None = None) -> list[Standard]:
    """The current version of every edition (optionally: of a sector, in force on a day), by code, newest first."""
    qs = Standard.objects.in_force_on(in_force_on) if in_force_on else Standard.objects.current_versions()
    rows = list(qs.order_by("code", "-effective_from", "edition"))
    if sector:
        rows = [s for s in rows if sector in (s.sectors or [])]
    return rows


def standard_edition(code: str, edition: str) -> Standard | None:
    """The current version of one edition, with its items prefetched in order."""
    return (Standard.objects.current_versions().filter(code=code, edition=edition)
            .prefetch_related("items").first())


def _haystack(item: Criterion) -> list[str]:
    return [item.code.casefold(), item.text_zh.casefold(), item.text_en.casefold(),
            *(str(k).casefold() for k in (item.keywords or []))]


def items_search(*, q: str = "", sector: str | None = None) -> list[Criterion]:
    """Items of the current versions whose code, paraphrase (zh/en) or keywords contain every word of `q`.

    The catalogue is small (a few hundred items), so this filters in Python: JSON keyword lists are
    matched the same way on SQLite and PostgreSQL. In-force editions first.
    """
    words = [w.casefold() for w in (q or "").split() if w.strip()]
    rows = Criterion.objects.filter(standard__is_current=True).select_related("standard")
    today = timezone.localdate()
    out = []
    for item in rows:
        if sector and sector not in (item.sectors or []):
            continue
        if words:
            hay = _haystack(item)
            if not all(any(w in h for h in hay) for w in words):
                continue
        out.append(item)
    rank = {IN_FORCE: 0, NOT_YET: 1, SUPERSEDED: 2}
    out.sort(key=lambda c: (rank[standard_status(c.standard, today)], c.standard.code,
                            -c.standard.effective_from.toordinal(), c.position))
    return out


# --- serialisation --------------------------------------------------------------------------------------

def _standard_row(std: Standard, *, item_count: int | None = None) -> dict:
    status = standard_status(std)
    return {
        "code": std.code, "edition": std.edition, "version": std.version, "document_number": std.document_number,
        "title_zh": std.title_zh, "title_en": std.title_en, "issuer_zh": std.issuer_zh, "issuer_en": std.issuer_en,
        "effective_from": std.effective_from, "effective_to": std.effective_to, "status": status,
        "in_force": status == IN_FORCE, "sectors": list(std.sectors or []), "url": std.url,
        "notes_zh": std.notes_zh, "notes_en": std.notes_en,
        "item_count": item_count if item_count is not None else std.items.count(),
    }


def _item_row(item: Criterion) -> dict:
    return {
        "id": item.pk, "code": item.code, "kind": item.kind, "group_zh": item.group_zh, "group_en": item.group_en,
        "text_zh": item.text_zh, "text_en": item.text_en, "sectors": list(item.sectors or []),
        "place_types": list(item.place_types or []), "keywords": [str(k) for k in item.keywords or []],
        "unverified": item.unverified,
    }


# --- endpoints ------------------------------------------------------------------------------------------

@router.get("/standards", response={200: list[StandardOut], 400: ErrorOut},
            summary="Current versions of the criteria standards (filter by sector, or editions in force on a day)")
def standard_list(request, filters: Query[StandardFilter]):
    sector = check_sector(filters.sector)
    rows = standards_current(sector=sector, in_force_on=filters.in_force_on)
    counts = dict(Standard.objects.filter(pk__in=[s.pk for s in rows]).annotate(n=Count("items"))
                  .values_list("pk", "n"))
    return Status(200, [_standard_row(s, item_count=counts.get(s.pk, 0)) for s in rows])


@router.get("/standards/{code}/{edition}", response={200: StandardDetailOut, 404: ErrorOut},
            summary="One edition (its current version) with all its items")
def standard_detail(request, code: str, edition: str):
    std = standard_edition(code, edition)
    if std is None:
        raise NotFound(STANDARD_NOT_FOUND)
    items = list(std.items.all())
    return Status(200, {**_standard_row(std, item_count=len(items)), "items": [_item_row(i) for i in items]})


@router.get("/items", response={200: ItemPage, 400: ErrorOut},
            summary="Search items by code, paraphrase or keyword (current versions)")
def item_search(request, filters: Query[ItemFilter]):
    sector = check_sector(filters.sector)
    hits = items_search(q=filters.q or "", sector=sector)
    page, next_cursor = paginate_list(hits, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                      scope="criteria.items")
    return Status(200, {
        "count": len(hits), "next_cursor": next_cursor,
        "items": [{**_item_row(i), "standard": i.standard.code, "edition": i.standard.edition,
                   "document_number": i.standard.document_number, "standard_status": standard_status(i.standard)}
                  for i in page],
    })
