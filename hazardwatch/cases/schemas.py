from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class CaseListOut(Schema):
    id: int
    reference: str
    status: str
    grade: str
    sector: str
    category: str
    title: str
    region_code: str | None
    region_name: str | None
    regulator: str | None
    responsible_unit: str | None
    deadline: datetime | None
    is_overdue: bool
    is_listed: bool
    created_at: datetime


class PlanOut(Schema):
    responsibility: str
    measures: str
    funds: str
    time_limit: date
    contingency_plan: str


class CandidateOut(Schema):
    criterion_id: int
    standard: str
    document_number: str
    edition: str
    item: str
    text: str
    score: float
    is_full: bool
    reasons: list[str]
    unverified: bool


class CaseOut(CaseListOut):
    description: str
    address: str
    place_type: str
    lat: float | None
    lon: float | None
    input_crs: str
    h3_r9: str
    criterion_standard: str
    criterion_item: str
    criterion_note: str
    criterion_id: int | None
    criterion_edition: str
    is_major_candidate: bool
    candidates: list[CandidateOut]
    escalation_level: int
    supervising_regulator: str | None
    closed_at: datetime | None
    allowed_actions: list[str]
    plan: PlanOut | None
    photo_count: int


class EventOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    note: str
    payload: dict
    is_public: bool
    photo_count: int


class TransitionIn(Schema):
    action: str = Field(..., max_length=20)
    note: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=4000)
    reason_code: str | None = Field(None, max_length=20, description="reject: not_a_hazard, out_of_scope, "
                                                                      "insufficient or untrue")
    grade: str | None = Field(None, max_length=20)
    criterion_standard: str | None = Field(None, max_length=200)
    criterion_item: str | None = Field(None, max_length=100)
    criterion_id: int | None = None
    responsible_unit_id: int | None = None
    deadline: str | None = Field(None, max_length=40)
    target_case_id: int | None = None
    responsibility: str | None = Field(None, max_length=4000)
    measures: str | None = Field(None, max_length=4000)
    funds: str | None = Field(None, max_length=4000)
    time_limit: str | None = Field(None, max_length=20)
    contingency_plan: str | None = Field(None, max_length=4000)


class CasePage(Schema):
    count: int
    items: list[CaseListOut]
    next_cursor: str | None = None
