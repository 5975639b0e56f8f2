"""Statistics API (staff sign-in): the dashboard summary and each chart's data as Excel or CSV.

    GET /api/v1/stats/summary?region=&sector=&grade=&from=&to=&interval=
    GET /api/v1/stats/{chart}.xlsx | {chart}.csv   chart: status, sector, grade, region, time, categories, overdue
    GET /api/v1/stats/report.pdf?month=YYYY-MM&region=&sector=&grade=
"""
import csv
import io

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.security import django_auth

from hazardwatch.accounts.selectors import user_is_staff_user
from hazardwatch.core.errors import ApplicationError, PermissionDenied
from hazardwatch.core.http import download_response
from hazardwatch.insights import stats
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["statistics"], auth=django_auth)

NO_STATS_ROLE = _("Statistics are for staff of a regulator department or a responsible unit.")


def _summary(request) -> dict:
    if not user_is_staff_user(request.user):
        raise PermissionDenied(NO_STATS_ROLE)
    return stats.stats_summary(request.user, stats.parse_filters(request.GET))


@router.get("/summary", response={200: dict, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Dashboard figures for the cases you may see")
def summary(request, region: str = "", sector: str = "", grade: str = "", interval: str = "month",
            date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to")):
    """Counts by status, sector, grade, region (children of the chosen region) and time; closure rate;
    median days to close; open overdue cases (oldest deadline first); top categories. Dates `from`/`to`
    (YYYY-MM-DD or YYYY-MM) filter on the creation time."""
    return _summary(request)


def _filename(chart: str, ext: str) -> str:
    return f"hazardwatch-{chart}-{timezone.localdate():%Y%m%d}.{ext}"


def table_csv(header, rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return "\ufeff".encode() + out.getvalue().encode()  # BOM: Excel in China opens UTF-8 CSV correctly


def table_xlsx(title, header, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for col, name in zip(ws.columns, header):
        width = max([len(str(name))] + [len(str(c.value or "")) for c in col][:200])
        ws.column_dimensions[col[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _download(request, chart: str, ext: str):
    if chart not in stats.CHARTS:
        raise ApplicationError(_("Unknown chart."), {"fields": {"chart": [", ".join(stats.CHARTS)]}},
                               status_code=404)
    header, rows = stats.chart_table(_summary(request), chart)
    data = table_csv(header, rows) if ext == "csv" else table_xlsx(chart, header, rows)
    return download_response(data, _filename(chart, ext))


@router.get("/report.pdf", response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="The printable monthly report (PDF) for ?month=YYYY-MM and the dashboard filters")
def report_pdf(request, month: str = "", region: str = "", sector: str = "", grade: str = ""):
    from hazardwatch.insights.stats_views import report_pdf_response

    if not user_is_staff_user(request.user):
        raise PermissionDenied(NO_STATS_ROLE)
    return report_pdf_response(request)


@router.get("/{chart}.xlsx", response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="One chart's data as an Excel workbook")
def chart_xlsx(request, chart: str):
    return _download(request, chart, "xlsx")


@router.get("/{chart}.csv", response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="One chart's data as CSV (UTF-8 with BOM)")
def chart_csv(request, chart: str):
    return _download(request, chart, "csv")
