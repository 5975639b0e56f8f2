"""Which staff pages a user may open, and where they land after signing in: one small table.

Each row names a staff area, the page it starts on, and the test a user's jurisdiction must pass. The
first row a user passes is their landing page; the workbench navigation shows the rows they pass. A new
area (for example the campaign office's page) is one more row.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from hazardwatch.accounts.models import Role
from hazardwatch.accounts.selectors import Jurisdiction, jurisdiction_for_user


@dataclass(frozen=True)
class StaffArea:
    key: str
    url_name: str
    allows: Callable[[Jurisdiction], bool]


def _workbench(j: Jurisdiction) -> bool:
    return j.is_admin or j.is_regulator or bool(j.unit_org_ids)


def _regulator(j: Jurisdiction) -> bool:
    return j.is_admin or j.is_regulator


def _rewards(j: Jurisdiction) -> bool:
    return j.is_admin or j.is_regulator or Role.REWARD_REVIEWER in j.roles


def _campaigns(j: Jurisdiction) -> bool:
    return j.is_admin or Role.CAMPAIGN_OFFICE in j.roles


def _apikeys(j: Jurisdiction) -> bool:
    return j.is_admin or bool(set(j.roles) - {Role.REPORTER})  # any staff role (hazardwatch/apikeys/selectors.py)


def _quizzes(j: Jurisdiction) -> bool:
    return _workbench(j) or Role.CAMPAIGN_OFFICE in j.roles


# Order matters: the first area a user may use is where they land.
STAFF_AREAS: tuple[StaffArea, ...] = (
    StaffArea("workbench", "workbench:queue", _workbench),  # regulators, responsible units, administrators
    StaffArea("regulator", "checklists:staff", _regulator),  # pages for regulators only (inspections)
    StaffArea("rewards", "rewards:staff_queue", _rewards),  # reward reviewers
    StaffArea("campaigns", "campaigns:office", _campaigns),  # the campaign office
    StaffArea("quizzes", "quizzes:staff", _quizzes),  # workbench staff and the campaign office
    StaffArea("webhooks", "webhooks:list", _regulator),  # regulator staff and administrators (partner webhooks)
    StaffArea("apikeys", "apikeys:list", _apikeys),  # anyone with a staff role: keys for their organizations
)


def staff_areas(user) -> dict[str, bool]:
    """{area key: may use} for the navigation."""
    j = jurisdiction_for_user(user)
    return {area.key: area.allows(j) for area in STAFF_AREAS}


def landing_url(user) -> str:
    """The page a user starts on; with no staff role at all, the workbench (which explains why it is empty)."""
    j = jurisdiction_for_user(user)
    for area in STAFF_AREAS:
        if area.allows(j):
            return reverse(area.url_name)
    return reverse("workbench:queue")
