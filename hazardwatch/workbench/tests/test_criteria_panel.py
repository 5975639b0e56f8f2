"""The criteria candidates panel on the staff case page: who sees it, who confirms, and what follows."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from hazardwatch.cases import services
from hazardwatch.cases.models import Case
from hazardwatch.criteria.models import Criterion, ReportCriterionMatch
from hazardwatch.criteria.services import catalogue_load
from hazardwatch.reports.services import ReportInput, report_submit
from hazardwatch.workbench.templatetags.workbench_tags import percent, reason_chip

SAMPLE = Path(__file__).resolve().parents[2] / "criteria" / "tests" / "data" / "sample"
KTV = "KTV包厢没有喷淋，只有一个出口"
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user, language=None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return c


def page(user, case, language=None) -> str:
    response = client_for(user, language).get(reverse("workbench:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def open_case(city, text=KTV, *, accept=True) -> Case:
    catalogue_load(SAMPLE)
    report, _receipt = report_submit(ReportInput(description=text, latitude=34.78, longitude=113.672, crs="wgs84",
                                                 category="fire_equipment", place_type="entertainment"))
    assert report.case.regulator == city.jinshui_fire
    if accept:
        services.case_transition(case_id=report.case_id, action="accept", actor=city.inspector_li)
    return Case.objects.get(pk=report.case_id)


def stored_reasons(case, criterion) -> list[str]:
    return ReportCriterionMatch.objects.get(report__case=case, criterion=criterion).reasons


def item(code, edition="2025", standard="firetest") -> Criterion:
    return Criterion.objects.get(standard__code=standard, standard__edition=edition, standard__is_current=True,
                                 code=code)


@pytest.mark.django_db
def test_a_regulator_sees_the_candidates_with_their_reasons(city):
    case = open_case(city)
    html = page(city.inspector_li, case)
    assert "data-criteria-panel" in html
    best = item("5.6")
    assert f'data-candidate="{best.pk}"' in html
    assert "TEST 1-2025" in html
    assert best.text_zh in html  # Chinese by default: the Chinese paraphrase
    assert "data-full" in html  # all conditions present
    reasons = stored_reasons(case, best)
    assert any(r.startswith("missing:") for r in reasons) and any(r.startswith("keywords:") for r in reasons)
    for reason in reasons:
        assert f'title="{escape(reason)}" data-reason="{reason.partition(":")[0]}"' in html
    assert re.search(r'class="wb-score-value">\d{1,3}%<', html)
    # links to the item in the public catalogue
    assert f'{reverse("public:criteria_edition", args=["firetest", "2025"])}#item-5.6' in html
    # the intake flag, for staff, until graded
    assert "data-major-candidate" in html
    # staff: read-only, with the hint that a leader confirms
    assert 'data-action="grade-item"' not in html and 'data-action="grade-general"' not in html
    assert "data-readonly-hint" in html


@pytest.mark.django_db
def test_the_panel_in_english(city):
    case = open_case(city)
    html = page(city.inspector_li, case, language="en")
    best = item("5.6")
    assert best.text_en in html and best.text_zh not in html
    assert "Item 5.6" in html and "edition 2025" in html and "All conditions present" in html
    reasons = stored_reasons(case, best)
    missing = next(r for r in reasons if r.startswith("missing:"))
    keywords = next(r for r in reasons if r.startswith("keywords:"))
    assert f"Missing</span> {escape(missing.partition(':')[2])}" in html
    assert f"{keywords.partition(':')[2]} keywords" in html
    assert "Our paraphrase, not the legal text." in html
    assert "a regulator leader confirms" in html


@pytest.mark.django_db
def test_the_unverified_badge(city):
    case = open_case(city)
    Criterion.objects.filter(pk=item("5.6").pk).update(unverified=True)
    assert "data-unverified" in page(city.inspector_li, case)


@pytest.mark.django_db
def test_the_responsible_unit_never_sees_the_panel(city):
    case = open_case(city)
    services.case_transition(case_id=case.pk, action="grade", actor=city.inspector_li, data={"grade": "general"})
    services.case_transition(case_id=case.pk, action="assign", actor=city.inspector_li,
                             data={"responsible_unit_id": city.enterprise.pk})
    html = page(city.officer_liu, case)
    assert case.reference in html
    assert "data-criteria-panel" not in html and "data-candidate" not in html
    assert "data-major-candidate" not in html and "data-reason" not in html


@pytest.mark.django_db
def test_a_leader_confirms_an_item_and_is_prompted_to_list_the_case(city):
    case = open_case(city)
    leader = client_for(city.leader_zhao)
    html = page(city.leader_zhao, case)
    assert 'data-action="grade-item"' in html and 'data-action="grade-general"' in html
    assert "data-list-prompt" not in html

    best = item("5.6")
    response = leader.post(reverse("workbench:case_action", args=[case.pk, "grade"]),
                           {"criterion_id": best.pk, "note": "集体讨论确认"})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.grade == "major" and case.criterion == best and case.criterion_edition == "2025"
    assert case.criterion_note == "集体讨论确认"

    html = leader.get(response["Location"]).content.decode()
    assert "data-list-prompt" in html
    assert f'data-confirmed-criterion="{best.pk}"' in html and "集体讨论确认" in html
    assert "wb-flag-confirmed" in html
    assert f'name="criterion_id" value="{best.pk}"' not in html  # no second confirmation of the same item
    assert 'data-action="grade-general"' in html  # the leader may still change the determination
    assert "data-major-candidate" not in html  # graded now
    # the list action is offered once, in the prompt
    assert html.count('data-action="list"') == 1

    response = leader.post(reverse("workbench:case_action", args=[case.pk, "list"]), **HTMX)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.is_listed
    assert "data-list-prompt" not in response.content.decode()


@pytest.mark.django_db
def test_the_confirmation_by_htmx_returns_the_panel_and_the_prompt(city):
    case = open_case(city)
    response = client_for(city.leader_zhao).post(reverse("workbench:case_action", args=[case.pk, "grade"]),
                                                 {"criterion_id": item("5.6").pk}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-main"')
    assert "data-list-prompt" in html and "data-criteria-panel" in html


@pytest.mark.django_db
def test_a_leader_says_none_applies(city):
    case = open_case(city)
    response = client_for(city.leader_zhao).post(reverse("workbench:case_action", args=[case.pk, "grade"]),
                                                 {"grade": "general", "note": "仅个别喷头损坏"})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.grade == "general" and case.criterion is None
    assert "data-list-prompt" not in page(city.leader_zhao, case)


@pytest.mark.django_db
def test_staff_cannot_confirm_an_item(city):
    case = open_case(city)
    response = client_for(city.inspector_li).post(reverse("workbench:case_action", args=[case.pk, "grade"]),
                                                  {"criterion_id": item("5.6").pk})
    assert response.status_code == 403
    assert b"wb-alert-error" in response.content
    case.refresh_from_db()
    assert case.grade == "" and case.criterion is None


@pytest.mark.django_db
def test_an_item_of_an_edition_not_in_force_is_refused_on_the_page(city):
    case = open_case(city)
    response = client_for(city.leader_zhao).post(reverse("workbench:case_action", args=[case.pk, "grade"]),
                                                 {"criterion_id": item("6.6", edition="2017").pk})
    assert response.status_code == 400
    assert b"wb-alert-error" in response.content and b"data-criteria-panel" in response.content
    case.refresh_from_db()
    assert case.grade == ""


@pytest.mark.django_db
def test_no_confirmation_before_the_case_is_accepted(city):
    case = open_case(city, accept=False)
    html = page(city.leader_zhao, case)
    assert "data-criteria-panel" in html and "data-readonly-hint" in html
    assert 'data-action="grade-item"' not in html


@pytest.mark.django_db
def test_no_candidates(city):
    case = open_case(city, "楼道里堆了很多纸箱子")
    html = page(city.leader_zhao, case)
    assert "data-no-candidates" in html and 'data-action="grade-general"' in html


def test_reason_chips_have_friendly_labels():
    from django.utils import translation

    with translation.override("en"):
        chip = reason_chip("missing:喷淋(没有)")
        assert (chip["kind"], str(chip["label"]), chip["value"], chip["tone"]) == ("missing", "Missing", "喷淋(没有)",
                                                                                   "for")
        assert str(reason_chip("term:ktv")["label"]) == "Found"
        assert reason_chip("synonym:歌厅")["tone"] == "for"
        assert reason_chip("threshold:15人>9")["value"] == "15人>9"
        assert reason_chip("below-threshold:5人>9 not met")["value"] == "5人>9"
        assert reason_chip("resolved:喷淋")["tone"] == "against"
        assert str(reason_chip("place_type:entertainment")["value"]) == "Entertainment venue"
        assert reason_chip("keywords:3")["label"] == "3 keywords" and reason_chip("keywords:1")["label"] == "1 keyword"
    assert reason_chip("odd") == {"kind": "other", "label": "", "value": "odd", "tone": "neutral", "raw": "odd"}
    assert percent(0.734) == 73 and percent(1.2) == 100 and percent(None) == 0
