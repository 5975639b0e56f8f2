"""Schemas of the read-only criteria catalogue API (public: no sign-in)."""
from datetime import date

from ninja import Schema
from pydantic import Field


class StandardFilter(Schema):
    sector: str | None = Field(None, max_length=40, description="Only standards covering this sector")
    in_force_on: date | None = Field(None, description="Only editions in force on this day (YYYY-MM-DD)")


class ItemFilter(Schema):
    q: str | None = Field(None, max_length=100, description="Words in the item code, paraphrase or keywords")
    sector: str | None = Field(None, max_length=40, description="Only items of this sector")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000, description="next_cursor of the previous page")


class StandardOut(Schema):
    code: str
    edition: str
    version: int
    document_number: str
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    effective_from: date
    effective_to: date | None
    status: str = Field(description="in_force, superseded or not_yet_in_force (today)")
    in_force: bool
    sectors: list[str]
    url: str = Field(description="Where the official text can be read")
    notes_zh: str
    notes_en: str
    item_count: int


class ItemOut(Schema):
    id: int
    code: str
    kind: str
    group_zh: str
    group_en: str
    text_zh: str = Field(description="Our paraphrase, not the legal text")
    text_en: str = Field(description="Our paraphrase, not the legal text")
    sectors: list[str]
    place_types: list[str]
    keywords: list[str]
    unverified: bool


class StandardDetailOut(StandardOut):
    items: list[ItemOut]


class ItemHitOut(ItemOut):
    standard: str
    edition: str
    document_number: str
    standard_status: str


class ItemPage(Schema):
    count: int
    items: list[ItemHitOut]
    next_cursor: str | None = None
