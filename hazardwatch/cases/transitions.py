"""The whole case state machine as one table: action → (allowed from, goes to, who may do it).

`to` None means the status does not change (the action records something on the case); `to` PREVIOUS
means the handler restores the status the case had before (undoing a merge).
Who: "regulator" = staff or leader whose jurisdiction covers the case (or the case's regulator);
"leader" = regulator leader only; "unit" = a member of the responsible unit; "reporter" = the holder of
the receipt code; "system" = periodic jobs.
"""
from dataclasses import dataclass

from hazardwatch.cases.choices import CaseAction as A
from hazardwatch.cases.choices import CaseStatus as S


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    to: str | None
    who: frozenset
    public: bool = False  # shown on the reporter's status page and notified


def _t(sources, to, who, public=False):
    return Transition(frozenset(sources), to, frozenset(who), public)


PREVIOUS = "<previous>"

OPEN = {S.NEW, S.TRIAGED, S.ASSIGNED, S.RECTIFYING, S.AWAITING_VERIFICATION}

ALLOWED: dict[str, Transition] = {
    A.ACCEPT: _t({S.NEW}, S.TRIAGED, {"regulator"}, public=True),
    A.REJECT: _t({S.NEW, S.TRIAGED}, S.REJECTED, {"regulator"}, public=True),
    A.MERGE: _t({S.NEW, S.TRIAGED}, S.MERGED, {"regulator"}, public=True),
    A.UNMERGE: _t({S.MERGED}, PREVIOUS, {"regulator"}, public=True),
    A.GRADE: _t({S.TRIAGED}, None, {"regulator"}),
    A.ASSIGN: _t({S.TRIAGED}, S.ASSIGNED, {"regulator"}, public=True),
    A.PLAN: _t({S.ASSIGNED, S.RECTIFYING}, None, {"unit", "regulator"}),
    A.START: _t({S.ASSIGNED}, S.RECTIFYING, {"unit", "regulator"}, public=True),
    A.LIST: _t({S.TRIAGED, S.ASSIGNED, S.RECTIFYING, S.AWAITING_VERIFICATION}, None, {"leader"}),
    A.SUBMIT: _t({S.RECTIFYING}, S.AWAITING_VERIFICATION, {"unit", "regulator"}, public=True),
    A.APPROVE: _t({S.AWAITING_VERIFICATION}, S.CLOSED, {"regulator"}, public=True),
    A.RETURN: _t({S.AWAITING_VERIFICATION}, S.RECTIFYING, {"regulator"}, public=True),
    A.DISPUTE: _t({S.CLOSED}, S.TRIAGED, {"reporter"}, public=True),
    A.CONFIRM_FIX: _t({S.CLOSED}, None, {"reporter"}),
    A.ESCALATE: _t({S.NEW, S.TRIAGED, S.ASSIGNED, S.RECTIFYING}, None, {"system"}),
    A.NOTE: _t(OPEN, None, {"regulator", "unit"}),
}


def allowed_from(status: str) -> list[str]:
    return [action for action, t in ALLOWED.items() if status in t.sources]
