"""The public criteria browser: the standards in the catalogue, item search, and one edition's items.

No sign-in. The texts are our paraphrases for finding the right item; every page says so and links to
the official text.
"""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from hazardwatch.core.choices import Sector
from hazardwatch.criteria.api import (
    IN_FORCE, NOT_YET, SUPERSEDED, items_search, standard_edition, standard_status, standards_current,
)
from hazardwatch.criteria.models import Standard
from hazardwatch.public.forms import CriteriaSearchForm

RESULT_LIMIT = 100
_SECTOR_ORDER = {value: i for i, value in enumerate(Sector.values)}


def _with_status(std: Standard) -> Standard:
    std.status = standard_status(std)
    return std


def _grouped(standards: list[Standard], sector: str | None) -> list[dict]:
    """Standards under their sector: the one filtered by, else the first listed in the standard."""
    groups: dict[str, list[Standard]] = {}
    for std in standards:
        key = sector or ((std.sectors or [Sector.OTHER])[0])
        groups.setdefault(key, []).append(_with_status(std))
    return [{"sector": key, "standards": rows}
            for key, rows in sorted(groups.items(), key=lambda kv: _SECTOR_ORDER.get(kv[0], 99))]


@require_http_methods(["GET", "HEAD"])
def criteria_index(request):
    form = CriteriaSearchForm(request.GET or None)
    q, sector, status = "", None, 200
    if form.is_bound:
        if form.is_valid():
            q = form.cleaned_data["q"].strip()
            sector = form.cleaned_data["sector"] or None
        else:
            status = 400
    results = None
    if q:
        hits = items_search(q=q, sector=sector)
        shown = hits[:RESULT_LIMIT]
        for item in shown:
            _with_status(item.standard)
        results = {"count": len(hits), "items": shown, "limit": RESULT_LIMIT}
    context = {
        "form": form, "q": q, "sector": sector, "results": results,
        "groups": _grouped(standards_current(sector=sector), sector),
        "IN_FORCE": IN_FORCE, "SUPERSEDED": SUPERSEDED, "NOT_YET": NOT_YET, "nav": "criteria",
    }
    return render(request, "criteria/index.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def criteria_edition(request, code: str, edition: str):
    std = standard_edition(code, edition)
    if std is None:
        raise Http404
    _with_status(std)
    others = [_with_status(s) for s in
              Standard.objects.current_versions().filter(code=std.code).exclude(pk=std.pk).order_by("-effective_from")]
    context = {
        "std": std, "items": list(std.items.all()), "others": others,
        "IN_FORCE": IN_FORCE, "SUPERSEDED": SUPERSEDED, "NOT_YET": NOT_YET, "nav": "criteria",
    }
    return render(request, "criteria/edition.html", context)
