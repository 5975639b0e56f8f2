"""The compiled campaign summary as Excel (openpyxl) and PDF (WeasyPrint, Noto CJK fonts)."""
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _g
from openpyxl import Workbook
from openpyxl.styles import Font

from hazardwatch.campaigns.models import ActivityKind, Campaign


def rollup_headers() -> list[tuple[str, str]]:
    return ([("name", _g("Region")), ("units", _g("Units")), ("submitted", _g("Summaries filed")),
             ("late", _g("Filed late"))]
            + [(k.value, str(k.label)) for k in ActivityKind]
            + [("activities", _g("Activities")), ("participants", _g("Participants")),
               ("hazards_found", _g("Hazards found")), ("hazards_fixed", _g("Hazards fixed")),
               ("checklists_run", _g("Checklists run")), ("quiz_takers", _g("Quiz takers")),
               ("drills", _g("Drills"))])


def table_rows(rows: list[dict]) -> list[dict]:
    """Rows for templates: the region's depth and name, then the numbers in header order."""
    keys = [k for k, _h in rollup_headers()][1:]
    return [{"depth": r["depth"], "indent": f"{r['depth'] * 1.2:.1f}", "code": r["code"], "name": r["name"],
             "values": [r[k] for k in keys]} for r in rows]


def rollup_workbook(campaign: Campaign, rows: list[dict], overview: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _g("Roll-up")[:31]
    bold = Font(bold=True)
    ws.append([campaign.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([campaign.theme, f"{campaign.starts_on} – {campaign.ends_on}"])
    headers = rollup_headers()
    ws.append([h for _k, h in headers])
    for cell in ws[3]:
        cell.font = bold
    for row in rows:
        ws.append([("\u3000" * row["depth"]) + row["name"] if k == "name" else row[k] for k, _h in headers])
    ws.column_dimensions["A"].width = 28
    units = wb.create_sheet(_g("Units")[:31])
    units.append([_g("Unit"), _g("Region"), _g("Liaison officer"), _g("Summary"), _g("Filed at")])
    for cell in units[1]:
        cell.font = bold
    labels = {"submitted": _g("submitted"), "late": _g("late"), "missing": _g("missing"), "pending": _g("pending")}
    for r in overview["rows"]:
        s = r["summary"]
        units.append([r["unit"].name, r["unit"].region.name_zh, labels[r["states"]["liaison"]],
                      labels[r["states"]["summary"]],
                      timezone.localtime(s.first_filed_at).strftime("%Y-%m-%d %H:%M") if s else ""])
    units.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rollup_download(campaign: Campaign):
    """The campaign's roll-up as an Excel download (the workbench page and the API serve the same file)."""
    from hazardwatch.campaigns import selectors
    from hazardwatch.core.http import xlsx_response

    data = rollup_workbook(campaign, selectors.campaign_rollup(campaign), selectors.campaign_overview(campaign))
    return xlsx_response(data, f"campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx")


def rollup_pdf(campaign: Campaign, rows: list[dict], overview: dict, *, request=None) -> bytes:
    html = render_to_string("campaigns/rollup_pdf.html", {
        "campaign": campaign, "overview": overview, "headers": [h for _k, h in rollup_headers()],
        "table": table_rows(rows),
        "generated": timezone.localtime()}, request=request)
    from PIL import ImageFile
    from weasyprint import HTML

    # WeasyPrint makes Pillow accept truncated images process-wide on import; photo checks rely on the opposite.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
