from datetime import datetime

from ninja import Schema
from pydantic import Field


class ContactIn(Schema):
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)


class ReportCreateIn(Schema):
    description: str = Field(..., max_length=20000)
    latitude: float
    longitude: float
    crs: str = "wgs84"
    category: str | None = None
    place_type: str | None = None
    address: str | None = Field(None, max_length=2000)
    contact: ContactIn | None = None
    is_employee: bool = False


class DeviceReportIn(ReportCreateIn):
    device_model: str | None = Field(None, max_length=120)
    confidence: float | None = None


class ReceiptOut(Schema):
    receipt_code: str
    status: str
    submitted_at: datetime
    reference: str


class LookupIn(Schema):
    receipt_code: str = Field(..., max_length=100)


class DisputeIn(Schema):
    receipt_code: str = Field(..., max_length=100)
    reason: str = Field(..., max_length=4000)


class HistoryOut(Schema):
    at: datetime
    action: str
    status: str
    status_label: str


class StatusOut(Schema):
    reference: str
    status: str
    status_label: str
    reason: str
    merged_into: str | None
    closed_at: datetime | None
    can_dispute: bool
    submitted_at: datetime
    category: str
    history: list[HistoryOut]


class ErrorOut(Schema):
    message: str
    extra: dict
