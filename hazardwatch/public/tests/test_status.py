"""Looking up a report by its receipt code, and "was it fixed?" on a closed case, with Django's test client."""
import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from hazardwatch.cases.models import Case, CaseEvent
from hazardwatch.cases.services import REASON_REQUIRED
from hazardwatch.public.forms import RECEIPT_REQUIRED
from hazardwatch.public.views import DISPUTE_RECORDED
from hazardwatch.reports.services import RECEIPT_MALFORMED, RECEIPT_UNKNOWN


def zh(message) -> str:
    with translation.override("zh-hans"):
        return escape(str(message))


@pytest.fixture
def reported(submit_report):
    response, code = submit_report()
    assert response.status_code == 303 and code
    return code, Case.objects.get()


def lookup(client, code):
    return client.post("/status/", {"receipt_code": code})


@pytest.mark.django_db
def test_status_page_asks_for_the_code(client):
    response = client.get("/status/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="receipt_code"' in page and 'method="post"' in page


@pytest.mark.django_db
def test_lookup_shows_status_and_public_history(client, reported):
    code, case = reported
    response = lookup(client, code)
    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    assert 'class="badge status-new"' in page
    assert 'class="timeline"' in page
    assert "dispute" not in page.split('id="status-result"')[1].split("</section>")[0].lower()
    assert 'action="/status/dispute/"' not in page  # only closed cases can be disputed


@pytest.mark.django_db
def test_lookup_accepts_the_code_as_people_type_it(client, reported):
    code, case = reported
    sloppy = " " + code.replace("-", " ").lower() + " "
    response = lookup(client, sloppy)
    assert response.status_code == 200 and case.reference in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code, status, message",
    [
        ("", 400, RECEIPT_REQUIRED),
        ("hello", 400, RECEIPT_MALFORMED),
        ("x" * 500, 400, RECEIPT_MALFORMED),
        ("7KQ2-M9XD-4T0B-RW8E", 404, RECEIPT_UNKNOWN),
    ],
    ids=["empty", "malformed", "very-long", "unknown"],
)
def test_bad_codes_give_a_clear_inline_error(client, zhengzhou, code, status, message):
    response = lookup(client, code)
    assert response.status_code == status
    page = response.content.decode()
    assert '<div class="field has-error">' in page
    assert zh(message) in page
    assert 'id="status-result"' not in page


@pytest.mark.django_db
def test_rejected_case_shows_the_public_reason(client, reported):
    code, case = reported
    Case.objects.filter(pk=case.pk).update(status="rejected", public_reason="现场核查：车辆已移走，未发现隐患")
    page = lookup(client, code).content.decode()
    assert 'class="badge status-rejected"' in page
    assert "现场核查：车辆已移走，未发现隐患" in page


@pytest.mark.django_db
def test_was_it_fixed_no_reopens_a_closed_case(client, reported):
    code, case = reported
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    page = lookup(client, code).content.decode()
    # one way in: the "was it fixed?" question, not a separate dispute form
    assert page.count('id="fix-feedback"') == 1 and "Not really fixed" not in page
    assert 'action="/status/feedback/"' in page and 'name="fixed"' in page
    assert 'action="/status/dispute/"' not in page and 'id="dispute"' not in page

    response = client.post("/status/feedback/", {"receipt_code": code, "fixed": "no",
                                                  "comment": "电动车又回来了，还在楼道充电"})
    assert response.status_code == 200
    page = response.content.decode()
    assert zh(DISPUTE_RECORDED) in page
    case.refresh_from_db()
    assert case.status == "triaged" and case.reopen_count == 1 and case.closed_at is None
    event = CaseEvent.objects.get(case=case, action="dispute")
    assert event.is_public and event.note == "电动车又回来了，还在楼道充电" and event.actor_label == "reporter"
    assert 'class="badge status-triaged"' in page
    assert 'action="/status/feedback/"' not in page  # reopened: nothing to answer any more
    assert 'action="/status/dispute/"' not in page


@pytest.mark.django_db
def test_dispute_after_closing_through_the_workflow(client, reported, django_user_model):
    """Drive the case to closed with the real transition service as an administrator, then dispute."""
    from hazardwatch.accounts.models import Organization
    from hazardwatch.cases.services import case_transition
    from hazardwatch.places.models import Division
    from hazardwatch.public.tests.helpers import jpeg_upload
    from hazardwatch.reports.images import check_image

    code, case = reported
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "correct-horse-battery")
    unit = Organization.objects.create(kind="enterprise", name="某物业服务有限公司",
                                       region=Division.objects.get(code="410100"))
    case_transition(case_id=case.pk, action="accept", actor=admin)
    case_transition(case_id=case.pk, action="grade", actor=admin, data={"grade": "general"})
    case_transition(case_id=case.pk, action="assign", actor=admin, data={"responsible_unit_id": unit.pk})
    case_transition(case_id=case.pk, action="start", actor=admin)
    case_transition(case_id=case.pk, action="submit", actor=admin,
                    data={"note": "已清理楼道电动车，安装集中充电桩", "_has_files": 1},
                    files=[check_image(jpeg_upload("after.jpg"))])
    case_transition(case_id=case.pk, action="approve", actor=admin)
    case.refresh_from_db()
    assert case.status == "closed"

    page = lookup(client, code).content.decode()
    assert 'class="badge status-closed"' in page and 'action="/status/feedback/"' in page
    assert 'action="/status/dispute/"' not in page
    assert "admin" not in page.split('id="status-result"')[1]  # no staff names in public history
    response = client.post("/status/feedback/", {"receipt_code": code, "fixed": "no",
                                                  "comment": "晚上又有人在楼道充电"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "triaged" and case.reopen_count == 1

    # closed again after the answer: the same question is asked again, and "no" reopens once more
    case_transition(case_id=case.pk, action="assign", actor=admin, data={"responsible_unit_id": unit.pk})
    case_transition(case_id=case.pk, action="start", actor=admin)
    case_transition(case_id=case.pk, action="submit", actor=admin,
                    data={"note": "增设禁止楼道充电标识并巡查", "_has_files": 1},
                    files=[check_image(jpeg_upload("after2.jpg"))])
    case_transition(case_id=case.pk, action="approve", actor=admin)
    case.refresh_from_db()
    assert case.status == "closed"
    page = lookup(client, code).content.decode()
    assert 'id="fix-feedback"' in page and page.count('id="fix-feedback"') == 1
    assert 'action="/status/dispute/"' in page and 'action="/status/feedback/"' not in page
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "还是有人在楼道充电"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "triaged" and case.reopen_count == 2


@pytest.mark.django_db
def test_the_dispute_endpoint_stays_for_compatibility(client, reported):
    """POST /status/dispute/ (old links, scripts) still reopens a closed case: the same transition as "no"."""
    code, case = reported
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "电动车又回来了"})
    assert response.status_code == 200 and zh(DISPUTE_RECORDED) in response.content.decode()
    case.refresh_from_db()
    assert case.status == "triaged" and CaseEvent.objects.filter(case=case, action="dispute").count() == 1


@pytest.mark.django_db
def test_dispute_needs_a_reason(client, reported):
    code, case = reported
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert zh(REASON_REQUIRED) in page and '<div class="field has-error">' in page
    case.refresh_from_db()
    assert case.status == "closed"


@pytest.mark.django_db
def test_dispute_on_an_open_case_is_refused(client, reported):
    code, case = reported
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "还没修好"})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == "new"
    assert not CaseEvent.objects.filter(case=case, action="dispute").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code, status", [("", 400), ("nonsense", 400), ("7KQ2-M9XD-4T0B-RW8E", 404)])
def test_dispute_with_a_bad_code(client, zhengzhou, code, status):
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "还没修好"})
    assert response.status_code == status


@pytest.mark.django_db
def test_dispute_is_post_only(client):
    assert client.get("/status/dispute/").status_code == 405


@pytest.mark.django_db
def test_lookup_is_rate_limited(client, reported, settings):
    code, case = reported
    settings.HAZARDWATCH_RATE_LOOKUP = "2/600"
    assert lookup(client, code).status_code == 200
    assert lookup(client, "7KQ2-M9XD-4T0B-RW8E").status_code == 404
    response = lookup(client, code)
    assert response.status_code == 429 and response.has_header("Retry-After")
    assert case.reference not in response.content.decode()
    response = client.post("/status/dispute/", {"receipt_code": code, "reason": "x"})
    assert response.status_code == 429
