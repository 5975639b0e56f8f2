"""Cursor pagination for every list under /api/v1/.

A list answers `{"count": n, "items": [...], "next_cursor": "…" | null}`. Pass `next_cursor` back as `cursor`
to get the following page; `limit` sets the page size (each list has its maximum). The cursor is opaque: a
signed (tamper-evident) record of the sort key of the last row given, so a page continues *after that row*
(keyset pagination) rather than at an offset. Rows inserted or deleted between two requests therefore never
make a later page repeat or skip a row that was there all along. The ordering is the list's own ordering with
the primary key appended as a tiebreak; NULLs sort last. A cursor that was altered, belongs to another list or
cannot be read → 400 with the standard error format. `offset` is still accepted (without a cursor) for
clients written before cursors existed.
"""
import datetime as dt
import decimal
from dataclasses import dataclass

from django.core import signing
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.errors import ApplicationError

SALT = "hazardwatch.api.cursor"
CURSOR_MAX_LENGTH = 1000
MAX_OFFSET = 10**9  # larger offsets (legacy paging) give an empty page, not a database integer overflow
BAD_CURSOR = _("The cursor is invalid or belongs to another list; start again without it.")


def bad_cursor() -> ApplicationError:
    return ApplicationError(BAD_CURSOR, {"fields": {"cursor": [str(BAD_CURSOR)]}})


# --- value encoding: JSON with type tags, exact (no precision lost on datetimes or decimals) -----------------

def _enc(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, dt.datetime):
        return {"dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    if isinstance(v, decimal.Decimal):
        return {"dec": str(v)}
    if hasattr(v, "pk"):  # a related object named in the ordering: its key
        return v.pk
    return str(v)


def _dec(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, dict) and len(v) == 1:
        (tag, raw), = v.items()
        if isinstance(raw, str):
            if tag == "f":
                return float(raw)
            if tag == "dt":
                return dt.datetime.fromisoformat(raw)
            if tag == "d":
                return dt.date.fromisoformat(raw)
            if tag == "dec":
                return decimal.Decimal(raw)
    raise ValueError("unreadable cursor value")


@dataclass(frozen=True)
class Term:
    name: str
    descending: bool
    nulls_first: bool = False


def ordering_terms(qs) -> list[Term]:
    """The queryset's ordering as terms, with the primary key appended when it is not there yet."""
    raw = list(qs.query.order_by) or (list(qs.model._meta.ordering) if qs.query.default_ordering else [])
    terms: list[Term] = []
    for item in raw:
        if isinstance(item, str):
            if item == "?":
                continue
            terms.append(Term(item.lstrip("-"), item.startswith("-")))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            terms.append(Term(item.expression.name, item.descending, bool(item.nulls_first)))
        elif isinstance(item, F):
            terms.append(Term(item.name, False))
        else:
            raise TypeError(f"cannot paginate over ordering {item!r}")
    pk_name = qs.model._meta.pk.name
    terms = [Term(pk_name if t.name == "pk" else t.name, t.descending, t.nulls_first) for t in terms]
    if not any(t.name in (pk_name, "pk") for t in terms):
        terms.append(Term(pk_name, terms[-1].descending if terms else False))
    return terms


def _order_by(terms: list[Term]) -> list[OrderBy]:
    return [OrderBy(F(t.name), descending=t.descending, nulls_first=True if t.nulls_first else None,
                    nulls_last=None if t.nulls_first else True) for t in terms]


def _value(obj, name: str):
    for part in name.split("__"):
        obj = None if obj is None else getattr(obj, part)
    return obj


def _after(terms: list[Term], values: list) -> Q:
    """Rows strictly after the row with these sort values."""
    out = Q(pk__in=[])
    equal = Q()
    for term, v in zip(terms, values, strict=True):
        if v is None:
            later = Q(**{f"{term.name}__isnull": False}) if term.nulls_first else Q(pk__in=[])
            same = Q(**{f"{term.name}__isnull": True})
        else:
            later = Q(**{f"{term.name}__{'lt' if term.descending else 'gt'}": v})
            if not term.nulls_first:
                later |= Q(**{f"{term.name}__isnull": True})
            same = Q(**{term.name: v})
        out |= equal & later
        equal &= same
    return out


def paginate(qs, *, limit: int, cursor: str | None = None, offset: int = 0, scope: str) -> tuple[list, str | None]:
    """One page of the queryset (keyset over its ordering + pk) and the cursor of the next page, or None.

    `scope` names the list, so that a cursor from another list is refused.
    """
    terms = ordering_terms(qs)
    qs = qs.order_by(*_order_by(terms))
    if cursor:
        values = _read(cursor, scope)
        if not isinstance(values, list) or len(values) != len(terms):
            raise bad_cursor()
        try:
            qs = qs.filter(_after(terms, [_dec(v) for v in values]))
        except (ValueError, TypeError, decimal.InvalidOperation):
            raise bad_cursor() from None
        offset = 0
    if offset > MAX_OFFSET:
        return [], None
    rows = list(qs[offset: offset + limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _write(scope, [_enc(_value(last, t.name)) for t in terms])


def paginate_list(items: list, *, limit: int, cursor: str | None = None, offset: int = 0,
                  scope: str) -> tuple[list, str | None]:
    """The same contract over an in-memory list with a stable order (small catalogues filtered in Python):
    the cursor holds the position after the last row given."""
    if cursor:
        position = _read(cursor, scope)
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise bad_cursor()
        offset = position
    rows = items[offset: offset + limit]
    end = offset + len(rows)
    return rows, (_write(scope, end) if end < len(items) else None)


def _write(scope: str, payload) -> str:
    return signing.dumps({"s": scope, "k": payload}, salt=SALT, compress=True)


def _read(cursor: str, scope: str):
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise bad_cursor()
    try:
        data = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise bad_cursor() from None
    if not isinstance(data, dict) or data.get("s") != scope or "k" not in data:
        raise bad_cursor()
    return data["k"]


def page(rows, next_cursor, count: int | None = None, **extra) -> dict:
    """The response body of a list."""
    out = {"items": rows, "next_cursor": next_cursor}
    if count is not None:
        out = {"count": count, **out}
    return {**out, **extra}
