"""Excel export of quiz results per unit (openpyxl, write-only)."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def results_workbook(rows: list[dict], headers, *, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append([title])
    bold = Font(bold=True)
    cells = []
    for _k, h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for r in rows:
        ws.append([r[k] for k, _h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
