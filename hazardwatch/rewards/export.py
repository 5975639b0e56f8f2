"""Ledger exports: CSV (UTF-8 with BOM, opens in Excel) and Excel (openpyxl, write-only).

No identity is exported: entries carry only a short payee key (a prefix of the keyed hash of the ID number)
so that repeated payees can be recognised. Cells that a spreadsheet would treat as formulas are quoted.
"""
import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _g
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hazardwatch.rewards.models import PaymentMethod
from hazardwatch.rewards.rules import fen_to_yuan

EXPORT_MAX_ROWS = 100_000


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _headers() -> list[str]:
    return [_g("Entry"), _g("Paid at"), _g("Case"), _g("Amount (yuan)"), _g("Payment method"),
            _g("Payment reference"), _g("Paid by"), _g("Payee key"), _g("Audit entry")]


def _row(e) -> list:
    try:
        method = str(PaymentMethod(e.payment_method).label)
    except ValueError:
        method = e.payment_method
    return [e.pk, timezone.localtime(e.paid_at).strftime("%Y-%m-%d %H:%M"), e.case_reference,
            fen_to_yuan(e.amount_fen), method, _safe(e.payment_reference), _safe(e.paid_by_label), e.id_hash[:12],
            e.audit_entry_id]


def ledger_csv(entries) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    for e in entries:
        writer.writerow(_row(e))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def ledger_workbook(entries, *, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_g("Reward ledger")[:31])
    ws.append([title])
    bold = Font(bold=True)
    header = []
    for h in _headers():
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    total = 0
    for e in entries:
        row = _row(e)
        row[3] = Decimal(e.amount_fen) / 100  # a number Excel can sum (Decimal, never float)
        ws.append(row)
        total += e.amount_fen
    ws.append(["", "", _g("Total"), Decimal(total) / 100])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
