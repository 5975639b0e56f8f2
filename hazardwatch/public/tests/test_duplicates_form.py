"""The report form's likely duplicates, following a case, the honeypot and "was it fixed?" on the status page."""
import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazardwatch.cases.models import Case, CaseEvent
from hazardwatch.public.tests.helpers import RECEIPT_SHOWN_RE, report_data
from hazardwatch.reports.models import FixFeedback, IntakeCounter, Report

pytestmark = pytest.mark.django_db


def photo(seed=1, name="p.jpg"):
    from PIL import Image

    rng = random.Random(seed)
    small = Image.new("L", (8, 8))
    small.putdata([rng.randrange(0, 255) for _ in range(64)])
    out = io.BytesIO()
    small.resize((200, 150)).convert("RGB").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def existing(submit_report):
    response, code = submit_report(description="楼道里电动车充电，堵住安全出口，已经一个月了", contact_phone="13800138000")
    assert response.status_code == 303
    return code, Case.objects.get()


def test_form_shows_likely_duplicates_redacted(english, existing):
    code, case = existing
    response = english.post("/report/duplicates/", {"latitude": "34.7803", "longitude": "113.6722", "crs": "wgs84",
                                                    "category": "ebike_charging"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-follow="{case.reference}"' in html and "Already reported nearby?" in html
    assert "13800138000" not in html and "一个月" not in html and "3 号楼" not in html
    json_response = english.post("/report/duplicates/", {"latitude": "34.7803", "longitude": "113.6722",
                                                         "category": "ebike_charging"}, HTTP_ACCEPT="application/json")
    assert json_response.json()["items"][0]["reference"] == case.reference
    none = english.post("/report/duplicates/", {"latitude": "34.7803", "longitude": "113.6722",
                                                "category": "gas"})
    assert none.status_code == 200 and "data-follow" not in none.content.decode()


@pytest.mark.parametrize("data", [
    {"latitude": "", "longitude": "", "category": "ebike_charging"},
    {"latitude": "34.78", "longitude": "113.672", "category": ""},
    {"latitude": "51.5", "longitude": "-0.1", "category": "ebike_charging"},
])
def test_duplicates_endpoint_bad_input(english, existing, data):
    response = english.post("/report/duplicates/", data)
    assert response.status_code == 400 and 'data-duplicates="error"' in response.content.decode()


def test_duplicates_endpoint_is_post_only_and_rate_limited(english, existing, settings):
    assert english.get("/report/duplicates/").status_code == 405
    settings.HAZARDWATCH_RATE_DUPLICATES = "1/600"
    data = {"latitude": "34.78", "longitude": "113.672", "category": "ebike_charging"}
    assert english.post("/report/duplicates/", data).status_code == 200
    limited = english.post("/report/duplicates/", data)
    assert limited.status_code == 429 and limited["Retry-After"]


def test_following_from_the_form_links_the_report(english, existing, submit_report):
    code, case = existing
    response, code2 = submit_report(follow_reference=case.reference, latitude="34.7801")
    assert response.status_code == 303 and code2
    assert Case.objects.count() == 1 and Report.objects.filter(case=case).count() == 2
    page = english.post("/status/", {"receipt_code": code2}).content.decode()
    assert case.reference in page


def test_following_a_case_that_is_not_a_candidate_is_refused(english, existing, submit_report):
    code, case = existing
    response, _ = submit_report(follow_reference=case.reference, category="gas")
    assert response.status_code == 400
    assert "can no longer be followed" in response.content.decode()
    assert Report.objects.count() == 1


def test_honeypot_discards_silently_and_counts(english, zhengzhou):
    response = english.post("/report/", report_data(homepage="http://spam.example"))
    assert response.status_code == 303
    done = english.get(response["Location"]).content.decode()
    fake = RECEIPT_SHOWN_RE.search(done).group(1)  # looks like a success
    assert Report.objects.count() == 0 and Case.objects.count() == 0
    assert IntakeCounter.objects.get(name="honeypot", day=timezone.localdate()).count == 1
    english.post("/report/", report_data(homepage="x"))
    assert IntakeCounter.objects.get(name="honeypot").count == 2
    assert english.post("/status/", {"receipt_code": fake}).status_code == 404
    form = english.get("/report/").content.decode()
    assert 'name="homepage"' in form and 'aria-hidden="true"' in form


def _close(case):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())


def test_status_page_asks_was_it_fixed_and_records_yes(english, existing):
    code, case = existing
    page = english.post("/status/", {"receipt_code": code}).content.decode()
    assert 'id="fix-feedback"' not in page  # not closed yet
    _close(case)
    page = english.post("/status/", {"receipt_code": code}).content.decode()
    assert 'id="fix-feedback"' in page and "Was it fixed?" in page
    response = english.post("/status/feedback/", {"receipt_code": code, "fixed": "yes", "photo": photo(3)})
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "Thank you for confirming" in html and 'id="fix-feedback-answered"' in html
    assert FixFeedback.objects.get().is_fixed
    assert CaseEvent.objects.get(action="confirm_fix").photos.count() == 1
    again = english.post("/status/feedback/", {"receipt_code": code, "fixed": "no"})
    assert again.status_code == 409 and FixFeedback.objects.count() == 1


def test_status_page_no_reopens_the_case(english, existing):
    code, case = existing
    _close(case)
    response = english.post("/status/feedback/", {"receipt_code": code, "fixed": "no", "comment": "还在充电",
                                                   "photo": photo(4)})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "triaged" and case.reopen_count == 1
    event = CaseEvent.objects.get(action="dispute")
    assert event.note == "还在充电" and event.photos.count() == 1 and event.is_public


@pytest.mark.parametrize("data,status", [
    ({"receipt_code": "AAAA-BBBB-CCCC-DDDD", "fixed": "no"}, 404),
    ({"receipt_code": "short", "fixed": "no"}, 400),
    ({"receipt_code": "", "fixed": "no"}, 400),
    ({"fixed": ""}, 400),
    ({"fixed": "maybe"}, 400),
])
def test_status_feedback_bad_input(english, existing, data, status):
    code, case = existing
    _close(case)
    data = {"receipt_code": code, **data}
    response = english.post("/status/feedback/", data)
    assert response.status_code == status
    case.refresh_from_db()
    assert case.status == "closed" and not FixFeedback.objects.exists()


def test_status_feedback_bad_photo_and_open_case(english, existing):
    code, case = existing
    response = english.post("/status/feedback/", {"receipt_code": code, "fixed": "no"})
    assert response.status_code == 409  # not closed
    _close(case)
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = english.post("/status/feedback/", {"receipt_code": code, "fixed": "no", "photo": bad})
    assert response.status_code == 400 and "not a JPEG" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "closed" and not FixFeedback.objects.exists()
    assert not CaseEvent.objects.filter(action="dispute").exists()
