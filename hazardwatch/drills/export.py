"""Excel export of a drill list (openpyxl, write-only). Lists above EXPORT_MAX_ROWS are refused."""
import io

from django.utils import timezone
from django.utils.translation import gettext as _g
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hazardwatch.core.choices import choice_label
from hazardwatch.drills.choices import DrillKind, DrillStatus

EXPORT_MAX_ROWS = 50_000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def drill_list_workbook(drills, *, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_g("Drills")[:31])
    headers = [_g("Organizing unit"), _g("Kind"), _g("Title"), _g("Scenario"), _g("Scheduled for"), _g("Place"),
               _g("Planned duration (minutes)"), _g("Planned participants"), _g("Participant roles and groups"),
               _g("Status"), _g("Actual start"), _g("Actual end"), _g("Duration (minutes)"),
               _g("Participants (actual)"), _g("Evacuation time (seconds)"), _g("People expected"),
               _g("People accounted for"), _g("Headcount note"), _g("What went well"), _g("Problems"),
               _g("Issues reported as hazards")]
    ws.append([title])
    bold = Font(bold=True)
    cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for d in drills:
        ws.append([
            d.organization.name, str(choice_label(DrillKind, d.kind)), d.title, d.scenario, _local(d.scheduled_at),
            d.place, d.planned_minutes, d.planned_participants, d.participant_groups,
            str(choice_label(DrillStatus, d.status)), _local(d.started_at), _local(d.ended_at), d.duration_minutes,
            d.participants, d.evacuation_seconds, d.headcount_expected, d.headcount_accounted, d.headcount_note,
            d.went_well, d.problems, getattr(d, "issue_count", None),
        ])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
