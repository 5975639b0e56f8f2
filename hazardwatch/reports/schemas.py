from datetime import date, datetime

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
    follow_reference: str | None = Field(None, max_length=24,
                                         description="Reference of a likely duplicate to follow instead of "
                                                     "opening a new case (from POST /reports/duplicates)")


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


class DuplicatesIn(Schema):
    latitude: float
    longitude: float
    crs: str = "wgs84"
    category: str = Field(..., max_length=40)


class DuplicateOut(Schema):
    reference: str
    title: str
    status: str
    status_label: str
    distance_m: int
    reported_on: date
    photo_similar: bool
    score: float


class DuplicatesOut(Schema):
    count: int
    items: list[DuplicateOut]


class FeedbackIn(Schema):
    receipt_code: str = Field(..., max_length=100)
    fixed: bool
    comment: str | None = Field(None, max_length=4000)


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
    ask_fixed: bool = False
    fixed_answer: bool | None = None
    submitted_at: datetime
    category: str
    history: list[HistoryOut]


class ErrorOut(Schema):
    message: str
    extra: dict
