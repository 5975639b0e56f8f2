"""The one table of allowed drill state changes, and what else each state allows."""
from dataclasses import dataclass

from hazardwatch.drills.choices import DrillAction, DrillStatus

S = DrillStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str


# A drill may be recorded after the fact straight from "planned" (the record carries the actual times).
TRANSITIONS: dict[str, Transition] = {
    DrillAction.START: Transition(frozenset({S.PLANNED}), S.IN_PROGRESS),
    DrillAction.RECORD: Transition(frozenset({S.PLANNED, S.IN_PROGRESS}), S.RECORDED),
    DrillAction.CANCEL: Transition(frozenset({S.PLANNED, S.IN_PROGRESS}), S.CANCELLED),
}

# The plan (scenario, time, place, participants) can be changed only before the drill starts.
EDITABLE = frozenset({S.PLANNED})
# Observations, issues and photos are added on site or while writing up the record.
NOTES_ALLOWED = frozenset({S.IN_PROGRESS, S.RECORDED})


def allowed_actions(status: str) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if status in t.sources]
