"""The staff workbench through its pages: jurisdiction, queue filters, actions, evidence, identity, photos."""
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hazardwatch.cases.models import Case, EvidencePhoto
from hazardwatch.core.models import AuditEntry
from hazardwatch.workbench.tests.conftest import ERQI, PASSWORD, make_case, png_upload

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def queue_ids(response) -> set[int]:
    return {c.pk for c in response.context["cases"]}


def act(client, case, action, **data):
    return client.post(reverse("workbench:case_action", args=[case.pk, action]), data)


def case_url(case):
    return reverse("workbench:case", args=[case.pk])


# --- sign-in and access --------------------------------------------------------------------------------

def test_login_page_and_sign_in(world):
    c = Client()
    page = c.get(reverse("workbench:login"))
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    response = c.post(reverse("workbench:login"), {"username": "jinshui_staff", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:queue")
    assert c.get(reverse("workbench:queue")).status_code == 200
    bad = Client().post(reverse("workbench:login"), {"username": "jinshui_staff", "password": "wrong"})
    assert bad.status_code == 200
    assert b"wb-alert-error" in bad.content


def test_logout_is_a_post(world):
    c = client_for(world.staff)
    response = c.post(reverse("workbench:logout"))
    assert response.status_code == 302
    assert c.get(reverse("workbench:queue")).status_code == 302


def test_queue_needs_login_and_a_role(world):
    response = Client().get(reverse("workbench:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workbench:login"))
    assert client_for(world.nobody).get(reverse("workbench:queue")).status_code == 403


# --- queue ---------------------------------------------------------------------------------------------

def test_queue_shows_only_cases_in_jurisdiction(world):
    a = make_case("消防通道堵塞一")
    b = make_case("安全出口上锁二")
    erqi = make_case("二七区的消防通道堵塞", at=ERQI)
    assert a.regulator == world.fire_jinshui and erqi.regulator == world.fire_erqi

    response = client_for(world.staff).get(reverse("workbench:queue"))
    assert response.status_code == 200
    assert queue_ids(response) == {a.pk, b.pk}
    assert a.reference.encode() in response.content
    assert erqi.reference.encode() not in response.content

    assert queue_ids(client_for(world.erqi_staff).get(reverse("workbench:queue"))) == {erqi.pk}
    other_sector = client_for(world.gas_staff).get(reverse("workbench:queue"))
    assert other_sector.status_code == 200 and queue_ids(other_sector) == set()
    # Enterprise staff see nothing until a case is assigned to their unit.
    assert queue_ids(client_for(world.officer).get(reverse("workbench:queue"))) == set()


def test_other_jurisdiction_gets_404_everywhere(world):
    case = make_case()
    for user in (world.erqi_staff, world.gas_staff, world.other_officer):
        c = client_for(user)
        assert c.get(case_url(case)).status_code == 404
        assert act(c, case, "accept", note="x").status_code == 404
        assert c.post(reverse("workbench:case_evidence", args=[case.pk]), {"note": "x"}).status_code == 404
        assert c.post(reverse("workbench:case_reporters", args=[case.pk])).status_code == 404
    case.refresh_from_db()
    assert case.status == "new"
    assert client_for(world.staff).get(reverse("workbench:case", args=[999999])).status_code == 404


def test_queue_filters(world):
    new = make_case("新报告：楼道堆放电动车")
    accepted = make_case("已受理：消防栓被遮挡")
    erqi = make_case("二七区报告", at=ERQI)
    staff = client_for(world.staff)
    act(staff, accepted, "accept")
    act(staff, accepted, "grade", grade="general")
    overdue = make_case("超期：安全出口锁闭")
    Case.objects.filter(pk=overdue.pk).update(is_overdue=True, deadline=timezone.now() - dt.timedelta(days=2))

    c = client_for(world.staff)
    q = reverse("workbench:queue")
    assert queue_ids(c.get(q, {"status": "new"})) == {new.pk, overdue.pk}
    assert queue_ids(c.get(q, {"status": "triaged"})) == {accepted.pk}
    assert queue_ids(c.get(q, {"status": "open"})) == {new.pk, accepted.pk, overdue.pk}
    assert queue_ids(c.get(q, {"grade": "general"})) == {accepted.pk}
    assert queue_ids(c.get(q, {"grade": "ungraded"})) == {new.pk, overdue.pk}
    assert queue_ids(c.get(q, {"sector": "gas"})) == set()
    assert queue_ids(c.get(q, {"sector": "fire"})) == {new.pk, accepted.pk, overdue.pk}
    assert queue_ids(c.get(q, {"overdue": "1"})) == {overdue.pk}
    assert queue_ids(c.get(q, {"q": "消防栓"})) == {accepted.pk}
    assert queue_ids(c.get(q, {"q": accepted.reference})) == {accepted.pk}
    assert queue_ids(c.get(q, {"region": new.region.code})) == {new.pk, accepted.pk, overdue.pk}
    assert queue_ids(c.get(q, {"region": "410105"})) == {new.pk, accepted.pk, overdue.pk}
    # A division outside the user's jurisdiction is not a valid choice: the filter is ignored, and the
    # jurisdiction still applies.
    assert erqi.pk not in queue_ids(c.get(q, {"region": "410103"}))
    # A wrong value in one field keeps the other filters.
    assert queue_ids(c.get(q, {"status": "bogus", "q": "消防栓"})) == {accepted.pk}
    # The overdue case is marked and sorted first.
    page = c.get(q)
    assert next(iter(page.context["cases"])).pk == overdue.pk
    assert re.search(rb'data-case-id="%d"[^>]*class="is-overdue"' % overdue.pk, page.content)
    assert b"data-overdue" in page.content


def test_queue_htmx_returns_the_table_only_and_works_without_js(world):
    make_case()
    c = client_for(world.staff)
    full = c.get(reverse("workbench:queue"), {"status": "open"})
    assert b"<html" in full.content and b'id="queue-results"' in full.content
    assert b'hx-get="/staff/"' in full.content and b'hx-push-url="true"' in full.content
    assert b'method="get"' in full.content
    part = c.get(reverse("workbench:queue"), {"status": "open"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    assert part.status_code == 200
    assert b"<html" not in part.content and b"wb-table" in part.content
    assert "HX-Request" in part["Vary"]
    restore = c.get(reverse("workbench:queue"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results",
                    HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in restore.content


def test_queue_is_paginated(world):
    for i in range(27):
        make_case(f"第{i}号隐患：疏散通道堵塞")
    c = client_for(world.staff)
    first = c.get(reverse("workbench:queue"), {"status": "new"})
    assert len(first.context["cases"]) == 25
    assert first.context["page"].paginator.num_pages == 2
    assert b"status=new&amp;page=2" in first.content
    second = c.get(reverse("workbench:queue"), {"status": "new", "page": "2"})
    assert len(second.context["cases"]) == 2
    assert not queue_ids(first) & queue_ids(second)
    assert len(c.get(reverse("workbench:queue"), {"page": "99"}).context["cases"]) == 2  # last page


# --- case page and actions -----------------------------------------------------------------------------

def test_case_page_shows_details_and_only_allowed_actions(world):
    case = make_case("安全出口被锁，疏散通道堆满纸箱", photos=[png_upload()], address="花园路 88 号")
    response = client_for(world.staff).get(case_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html and "花园路 88 号" in html and "疏散通道堆满纸箱" in html
    forms = set(re.findall(r'data-action="(\w+)"', html))
    assert forms == {"accept", "reject", "merge", "note"}
    assert html.count('name="csrfmiddlewaretoken"') >= len(forms) + 1
    photo = case.reports.get().photos.get()
    assert reverse("workbench:report_photo", args=[photo.pk]) in html
    assert 'data-map' in html and 'data-lat="34.780000"' in html
    assert reverse("workbench:case_reporters", args=[case.pk]) in html
    assert 'data-event="open"' in html


def test_workflow_through_the_pages(world, django_capture_on_commit_callbacks):
    case = make_case("仓库安全出口被货物堵死")
    staff = client_for(world.staff)
    officer = client_for(world.officer)

    response = act(staff, case, "accept", note="属实，受理")
    assert response.status_code == 303 and response["Location"] == case_url(case)
    page = staff.get(response["Location"])
    assert 'data-case-status="triaged"' in page.content.decode()
    assert set(re.findall(r'data-action="(\w+)"', page.content.decode())) == {"reject", "merge", "grade", "assign",
                                                                             "note"}

    assert act(staff, case, "grade", grade="general", note="一般隐患").status_code == 303
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = act(staff, case, "assign", responsible_unit_id=str(world.enterprise.pk), deadline=deadline)
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == "assigned" and case.responsible_unit == world.enterprise
    assert timezone.localtime(case.deadline).date().isoformat() == deadline

    # The enterprise now sees the case in its queue and can start and submit evidence.
    assert case.pk in queue_ids(officer.get(reverse("workbench:queue")))
    page = officer.get(case_url(case)).content.decode()
    assert set(re.findall(r'data-action="(\w+)"', page)) == {"plan", "start", "note"}
    assert act(officer, case, "start").status_code == 303
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("workbench:case_evidence", args=[case.pk]),
                                {"note": "已清理通道，拆除锁具", "photos": [png_upload("a.png"), png_upload("b.png")]})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == "awaiting_verification"
    evidence = list(EvidencePhoto.objects.filter(event__case=case))
    assert len(evidence) == 2

    page = staff.get(case_url(case)).content.decode()
    assert reverse("workbench:evidence_photo", args=[evidence[0].pk]) in page
    assert "已清理通道，拆除锁具" in page
    assert staff.get(reverse("workbench:evidence_photo", args=[evidence[0].pk])).status_code == 200
    assert officer.get(reverse("workbench:evidence_photo", args=[evidence[0].pk])).status_code == 200
    assert client_for(world.erqi_staff).get(reverse("workbench:evidence_photo",
                                                    args=[evidence[0].pk])).status_code == 404

    assert act(staff, case, "approve").status_code == 303
    case.refresh_from_db()
    assert case.status == "closed"
    page = staff.get(case_url(case)).content.decode()
    assert 'data-case-status="closed"' in page
    assert [a for a in re.findall(r'data-event="(\w+)"', page)] == [
        "open", "accept", "grade", "assign", "start", "submit", "approve"]
    assert 'data-action=' not in page


def test_submit_through_the_action_url_and_missing_photo(world):
    case = make_case()
    staff = client_for(world.staff)
    act(staff, case, "accept")
    act(staff, case, "grade", grade="general")
    act(staff, case, "assign", responsible_unit_id=str(world.enterprise.pk))
    officer = client_for(world.officer)
    act(officer, case, "start")
    no_photo = act(officer, case, "submit", note="整改完毕")
    assert no_photo.status_code == 400
    assert 'data-error-status="400"' in no_photo.content.decode()
    not_image = act(officer, case, "submit", note="整改完毕",
                    photos=[SimpleUploadedFile("x.png", b"not an image", content_type="image/png")])
    assert not_image.status_code == 400
    ok = act(officer, case, "submit", note="整改完毕", photos=[png_upload()])
    assert ok.status_code == 303
    case.refresh_from_db()
    assert case.status == "awaiting_verification"


def test_htmx_action_returns_the_main_panel(world):
    case = make_case()
    response = client_for(world.staff).post(reverse("workbench:case_action", args=[case.pk, "accept"]), {"note": ""},
                                            **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-main"') and 'data-case-status="triaged"' in html
    assert "<html" not in html and "wb-alert-success" in html


def test_refused_actions_show_a_message_with_4xx(world):
    case = make_case()
    staff = client_for(world.staff)
    wrong_state = act(staff, case, "approve")
    assert wrong_state.status_code == 409
    assert 'data-error-status="409"' in wrong_state.content.decode()
    assert 'data-case-status="new"' in wrong_state.content.decode()

    no_reason = act(staff, case, "reject", reason="  ")
    assert no_reason.status_code == 400
    assert 'data-error-status="400"' in no_reason.content.decode()

    unknown = act(staff, case, "teleport")
    assert unknown.status_code == 400

    escalate = act(staff, case, "escalate")
    assert escalate.status_code == 403

    act(staff, case, "accept")
    # A major hazard needs a leader: staff get 403 with the explanation, the typed values are kept.
    major = act(staff, case, "grade", grade="major", criterion_standard="GB 35181", criterion_item="第3条")
    assert major.status_code == 403
    html = major.content.decode()
    assert 'data-error-status="403"' in html and 'value="第3条"' in html
    # And over htmx: the same status, the panel to swap in.
    major_htmx = staff.post(reverse("workbench:case_action", args=[case.pk, "grade"]), {"grade": "major"}, **HTMX)
    assert major_htmx.status_code == 403 and major_htmx.content.decode().lstrip().startswith('<div id="case-main"')
    case.refresh_from_db()
    assert case.grade == ""

    # The enterprise of an assigned case cannot do regulator actions.
    act(staff, case, "grade", grade="general")
    act(staff, case, "assign", responsible_unit_id=str(world.enterprise.pk))
    officer = client_for(world.officer)
    assert act(officer, case, "approve").status_code in (403, 409)
    forbidden = act(officer, case, "reject", reason="不属实")
    assert forbidden.status_code == 403
    assert 'data-error-status="403"' in forbidden.content.decode()
    case.refresh_from_db()
    assert case.status == "assigned"


def test_major_hazard_path_with_leader(world):
    case = make_case()
    leader = client_for(world.leader)
    act(leader, case, "accept")
    missing = act(leader, case, "grade", grade="major", criterion_standard="")
    assert missing.status_code == 400
    assert act(leader, case, "grade", grade="major", criterion_standard="重大火灾隐患判定规则",
               criterion_item="6.1").status_code == 303
    page = leader.get(case_url(case)).content.decode()
    assert 'data-action="list"' in page
    assert act(leader, case, "list").status_code == 303
    assert act(leader, case, "assign", responsible_unit_id=str(world.enterprise.pk)).status_code == 303
    officer = client_for(world.officer)
    assert act(officer, case, "start").status_code == 400  # needs the five implementations first
    plan = {"responsibility": "法定代表人王某", "measures": "拆除隔断，恢复通道", "funds": "5 万元",
            "time_limit": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "contingency_plan": "整改期间设专人值守"}
    assert act(officer, case, "plan", **plan).status_code == 303
    assert act(officer, case, "start").status_code == 303
    page = officer.get(case_url(case)).content.decode()
    assert 'id="plan"' in page and "拆除隔断，恢复通道" in page
    assert "wb-flag-listed" in page
    assert queue_ids(leader.get(reverse("workbench:queue"), {"grade": "major"})) == {case.pk}


def test_merge_and_note(world):
    a = make_case("同一处：安全出口锁闭")
    b = make_case("同一处：安全出口锁闭（重复）")
    staff = client_for(world.staff)
    page = staff.get(case_url(b)).content.decode()
    assert 'id="merge-candidates"' in page
    assert act(staff, b, "merge", target_case_id=str(b.pk)).status_code == 400
    assert act(staff, b, "merge", target_case_id=str(a.pk)).status_code == 303
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a
    from hazardwatch.cases.selectors import case_reports

    assert b.reports.count() == 1 and case_reports(a).count() == 2  # merged cases keep their reports
    assert act(staff, a, "note", note="两份报告同一地点").status_code == 303
    assert "两份报告同一地点" in staff.get(case_url(a)).content.decode()


def test_csrf_is_required(world):
    case = make_case()
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.staff)
    assert act(c, case, "accept").status_code == 403
    case.refresh_from_db()
    assert case.status == "new"


def test_actions_need_post(world):
    case = make_case()
    c = client_for(world.staff)
    assert c.get(reverse("workbench:case_action", args=[case.pk, "accept"])).status_code == 405
    assert c.get(reverse("workbench:case_reporters", args=[case.pk])).status_code == 405


# --- the enterprise's view -----------------------------------------------------------------------------

def test_enterprise_sees_only_its_cases_and_never_the_reporter(world):
    mine = make_case("本公司消防通道堵塞", contact_name="举报人甲", contact_phone="13800138000")
    theirs = make_case("另一家公司问题")
    staff = client_for(world.staff)
    for case, unit in ((mine, world.enterprise), (theirs, world.other_enterprise)):
        act(staff, case, "accept")
        act(staff, case, "grade", grade="general")
        act(staff, case, "assign", responsible_unit_id=str(unit.pk))

    officer = client_for(world.officer)
    assert queue_ids(officer.get(reverse("workbench:queue"))) == {mine.pk}
    assert officer.get(case_url(theirs)).status_code == 404
    page = officer.get(case_url(mine)).content.decode()
    assert reverse("workbench:case_reporters", args=[mine.pk]) not in page
    assert "举报人甲" not in page and "13800138000" not in page
    before = AuditEntry.objects.filter(action="identity.read").count()
    denied = officer.post(reverse("workbench:case_reporters", args=[mine.pk]))
    assert denied.status_code == 403
    assert "13800138000" not in denied.content.decode()
    denied_htmx = officer.post(reverse("workbench:case_reporters", args=[mine.pk]), **HTMX)
    assert denied_htmx.status_code == 403 and "13800138000" not in denied_htmx.content.decode()
    assert officer.post(reverse("workbench:case_reporters", args=[theirs.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="identity.read").count() == before


# --- reporter identity ---------------------------------------------------------------------------------

def test_reporter_reveal_is_audited(world):
    case = make_case(contact_name="举报人乙", contact_phone="+86 139-0000-1111")
    staff = client_for(world.staff)
    page = staff.get(case_url(case)).content.decode()
    assert "13900001111" not in page  # not shown until asked for
    assert not AuditEntry.objects.filter(action="identity.read").exists()

    response = staff.post(reverse("workbench:case_reporters", args=[case.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="reporters-body"')
    assert "举报人乙" in html and "13900001111" in html
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="identity.read")
    assert entry.actor_id == world.staff.pk and entry.object_type == "report"
    assert entry.object_id == str(case.reports.get().pk)

    # Without JavaScript: the whole case page with the identities.
    full = staff.post(reverse("workbench:case_reporters", args=[case.pk]))
    assert full.status_code == 200 and "<html" in full.content.decode() and "举报人乙" in full.content.decode()
    assert AuditEntry.objects.filter(action="identity.read").count() == 2

    assert client_for(world.erqi_staff).post(reverse("workbench:case_reporters", args=[case.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="identity.read").count() == 2


def test_anonymous_reporter_reveal(world):
    case = make_case()
    response = client_for(world.leader).post(reverse("workbench:case_reporters", args=[case.pk]), **HTMX)
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="identity.read", actor_id=world.leader.pk).count() == 1


# --- photos --------------------------------------------------------------------------------------------

def test_report_photo_view_checks_jurisdiction(world):
    case = make_case(photos=[png_upload(size=(800, 600))])
    photo = case.reports.get().photos.get()
    url = reverse("workbench:report_photo", args=[photo.pk])
    response = client_for(world.staff).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # no derivative yet: the original, for regulators
    assert b"".join(response.streaming_content)[:4] == b"\x89PNG"
    assert client_for(world.erqi_staff).get(url).status_code == 404
    assert client_for(world.gas_staff).get(url).status_code == 404
    assert client_for(world.officer).get(url).status_code == 404  # not assigned to it
    assert Client().get(url).status_code == 302
    assert client_for(world.staff).get(reverse("workbench:report_photo", args=[999999])).status_code == 404


def test_report_photo_derivatives_and_unit_access(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(photos=[png_upload(size=(800, 600))])
    photo = case.reports.get().photos.get()
    photo.refresh_from_db()
    assert photo.thumbnail and photo.stripped
    staff = client_for(world.staff)
    url = reverse("workbench:report_photo", args=[photo.pk])
    full = staff.get(url)
    assert full["Content-Type"] == "image/jpeg"
    thumb = staff.get(url, {"size": "thumb"})
    assert thumb["Content-Type"] == "image/jpeg"
    assert len(b"".join(thumb.streaming_content)) < len(b"".join(full.streaming_content))

    act(staff, case, "accept")
    act(staff, case, "grade", grade="general")
    act(staff, case, "assign", responsible_unit_id=str(world.enterprise.pk))
    assert client_for(world.officer).get(url).status_code == 200


def test_unit_never_gets_the_original_photo(world):
    case = make_case(photos=[png_upload(size=(300, 200))])
    staff = client_for(world.staff)
    act(staff, case, "accept")
    act(staff, case, "grade", grade="general")
    act(staff, case, "assign", responsible_unit_id=str(world.enterprise.pk))
    photo = case.reports.get().photos.get()
    assert not photo.stripped
    response = client_for(world.officer).get(reverse("workbench:report_photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"


@pytest.mark.parametrize("path", ["/staff/", "/staff/login/"])
def test_pages_render_for_english_too(world, path):
    c = client_for(world.staff)
    c.cookies["django_language"] = "en"
    assert c.get(path, follow=True).status_code == 200
