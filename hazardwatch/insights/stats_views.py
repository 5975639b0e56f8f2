"""Dashboard pages: /dashboard/ (ECharts over /api/v1/stats/summary) and /dashboard/report.pdf?month=YYYY-MM."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from hazardwatch.cases.choices import CaseGrade
from hazardwatch.core.choices import Sector
from hazardwatch.core.errors import ApplicationError
from hazardwatch.insights import stats
from hazardwatch.places.models import Division
from hazardwatch.workbench.views import staff_required


def _region_choices(user):
    areas = stats.user_areas(user)
    qs = Division.objects.filter(valid_to__isnull=True).exclude(level="township")
    if areas is not None and not any(a.code == "" for a in areas):
        q = None
        from django.db.models import Q

        for a in areas:
            q = (q | Q(path__startswith=a.path)) if q else Q(path__startswith=a.path)
        qs = qs.filter(q) if q else qs.none()
    return [(d.code, ("\u00a0\u00a0" * d.depth) + d.name) for d in qs.order_by("path")[:500]]


def _error(request, exc: ApplicationError):
    return render(request, "insights/dashboard_error.html", {"message": exc.message, "extra": exc.extra},
                  status=exc.status_code)


@require_GET
@staff_required
def dashboard(request):
    try:
        filters = stats.parse_filters(request.GET)
        summary = stats.stats_summary(request.user, filters)
    except ApplicationError as exc:
        return _error(request, exc)
    data = json.dumps(summary, cls=DjangoJSONEncoder, ensure_ascii=False)
    return render(request, "insights/dashboard.html", {
        "nav": "dashboard", "summary": summary, "summary_json": data, "f": filters.raw,
        "regions": _region_choices(request.user), "sectors": Sector.choices, "grades": CaseGrade.choices,
        "charts": stats.CHARTS, "query": request.GET.urlencode(),
        "report_month": timezone.localdate().strftime("%Y-%m"),
    })


@require_GET
@staff_required
def report_pdf(request):
    """A printable monthly report: the same figures as tables, with CSS bars (WeasyPrint)."""
    try:
        return report_pdf_response(request)
    except ApplicationError as exc:
        return _error(request, exc)


def report_pdf_response(request) -> HttpResponse:
    """The monthly report for `?month=YYYY-MM` and the dashboard filters (bad input → ApplicationError); shared
    by the page and `GET /api/v1/stats/report.pdf`."""
    params = request.GET.copy()
    month = stats.parse_month(params.pop("month", [""])[0])
    base = stats.parse_filters({k: v for k, v in params.items() if k not in ("from", "to", "interval")})
    summary = stats.stats_summary(request.user, stats.month_filters(month, base))

    def bars(rows, key="count"):
        top = max([r[key] for r in rows] or [0]) or 1
        return [{**r, "pct": round(100 * r[key] / top, 1)} for r in rows]

    html = render_to_string("insights/dashboard_report.html", {
        "summary": summary, "month": month, "generated": timezone.localtime(),
        "by_status": bars(summary["by_status"]), "by_sector": bars(summary["by_sector"]),
        "by_grade": bars(summary["by_grade"]), "by_region": bars(summary["by_region"]),
        "top_categories": bars(summary["top_categories"]), "user": request.user,
    }, request=request)
    from PIL import ImageFile
    from weasyprint import HTML

    # WeasyPrint switches Pillow to accepting truncated images for the whole process on import; put it back,
    # since photo intake relies on Pillow refusing them (reports/images.py also checks end markers itself).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="hazardwatch-report-{month:%Y-%m}.pdf"'
    return response
