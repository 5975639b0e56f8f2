"""Map pages: the public hazard map (/map/) and the staff map of the user's jurisdiction (/map/staff/)."""
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hazardwatch.cases.choices import CaseGrade, CaseStatus
from hazardwatch.core.choices import Sector
from hazardwatch.insights.maps import PUBLIC_STATUSES
from hazardwatch.workbench.views import staff_required


def _context(scope: str) -> dict:
    statuses = [(v, label) for v, label in CaseStatus.choices if scope == "staff" or v in PUBLIC_STATUSES]
    return {
        "scope": scope,
        "statuses": statuses,
        "sectors": Sector.choices,
        "grades": CaseGrade.choices,
    }


@require_GET
def public_map(request):
    return render(request, "insights/map_public.html", {**_context("public"), "nav": "map"})


@require_GET
@staff_required
def staff_map(request):
    return render(request, "insights/map_staff.html", {**_context("staff"), "nav": "map"})
