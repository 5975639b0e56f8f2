"""The whole publication workflow as one table: action → (allowed from, goes to, who may do it).

"" as a source means "no publication yet" (or a withdrawn one, which propose reuses). `to` None means the
status does not change (the action records something). Who: "regulator" = staff or leader whose
jurisdiction covers the case; "leader" = regulator leader only. Sign-off is also refused to the person
who proposed the publication or submitted it for sign-off (four eyes), checked by the service.
"""
from dataclasses import dataclass

from hazardwatch.exposure.choices import PublicationAction as A
from hazardwatch.exposure.choices import PublicationStatus as S


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    to: str | None
    who: frozenset


def _t(sources, to, who):
    return Transition(frozenset(sources), to, frozenset(who))


NONE = ""

ALLOWED: dict[str, Transition] = {
    A.PROPOSE: _t({NONE, S.WITHDRAWN}, S.DRAFT, {"regulator"}),
    A.REDACT: _t({S.DRAFT}, None, {"regulator"}),
    A.SUBMIT: _t({S.DRAFT}, S.AWAITING_SIGNOFF, {"regulator"}),
    A.RETURN: _t({S.AWAITING_SIGNOFF}, S.DRAFT, {"leader"}),
    A.SIGN_OFF: _t({S.AWAITING_SIGNOFF}, S.PUBLISHED, {"leader"}),
    A.TAKE_DOWN: _t({S.PUBLISHED}, S.TAKEN_DOWN, {"regulator"}),
    A.REVISE: _t({S.TAKEN_DOWN}, S.DRAFT, {"regulator"}),
    A.WITHDRAW: _t({S.DRAFT, S.AWAITING_SIGNOFF}, S.WITHDRAWN, {"regulator"}),
}


def allowed_from(status: str) -> list[str]:
    return [action for action, t in ALLOWED.items() if status in t.sources]
