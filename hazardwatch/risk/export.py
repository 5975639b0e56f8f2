"""Excel export of a risk list (openpyxl, write-only). Lists above EXPORT_MAX_ROWS are refused."""
import io

from django.utils.translation import gettext as _g
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from hazardwatch.risk.choices import AccidentType, ControlLevel, HazardFactorCategory, RiskLevel, RiskMethod

EXPORT_MAX_ROWS = 50_000
FILLS = {"major": "FFE03131", "high": "FFF08C00", "general": "FFFFD43B", "low": "FF339AF0"}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _num(v):
    return None if v is None else float(v)


def risk_list_workbook(points, *, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_g("Risk list")[:31])
    headers = [_g("Unit or region"), _g("Area or zone"), _g("Risk point"), _g("Activity, equipment or facility"),
               _g("Hazard factors"), _g("Possible accident types"), _g("Method"), "L", "E", "C", "S",
               _g("Value (D or R)"), _g("Level"), _g("Colour"), _g("Raised by an open major hazard"),
               _g("Control level"), _g("Engineering measures"), _g("Management measures"),
               _g("Training and education"), _g("Personal protective equipment"), _g("Emergency measures"),
               _g("Responsible person"), _g("Responsible department"), _g("Next review date"), _g("Latitude"),
               _g("Longitude")]
    ws.append([title])
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for p in points:
        level = p.effective_level
        level_cell = WriteOnlyCell(ws, value=_label(RiskLevel, level))
        level_cell.fill = PatternFill("solid", fgColor=FILLS[level])
        ws.append([
            p.owner_name, p.area, p.name, p.activity,
            "；".join(f"{_label(HazardFactorCategory, f.get('category'))}: {f.get('description', '')}"
                     for f in p.hazard_factors),
            "、".join(_label(AccidentType, t) for t in p.accident_types),
            _label(RiskMethod, p.method), _num(p.score_l), _num(p.score_e), _num(p.score_c), _num(p.score_s),
            float(p.value), level_cell, p.effective_colour, _g("yes") if getattr(p, "has_open_major", False) else "",
            _label(ControlLevel, p.control_level), p.measures_engineering, p.measures_management,
            p.measures_training, p.measures_ppe, p.measures_emergency, p.responsible_person,
            p.responsible_department, p.review_date, p.lat, p.lon,
        ])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
