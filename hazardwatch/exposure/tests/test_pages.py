"""Staff pages (queue, propose from the case page, redaction editor, sign-off, takedown) and public pages,
through the Django test client."""
import json

import pytest

from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.exposure.tests.conftest import REPORTER_NAME, REPORTER_PHONE, photo_keys

pytestmark = pytest.mark.django_db


def test_case_page_offers_proposal_and_the_editor_saves_a_redaction(client, city, closed_case):
    client.force_login(city.inspector_li)
    case_page = client.get(f"/staff/cases/{closed_case.pk}/").content.decode()
    assert "data-propose-exposure" in case_page and f"/staff/exposure/propose/{closed_case.pk}/" in case_page
    nav = client.get("/staff/").content.decode()
    assert 'href="/staff/exposure/"' in nav

    resp = client.post(f"/staff/exposure/propose/{closed_case.pk}/")
    pub = Publication.objects.get()
    assert resp.status_code == 303 and resp["Location"] == f"/staff/exposure/{pub.pk}/"
    editor = client.get(resp["Location"]).content.decode()
    assert 'id="redaction"' in editor and editor.count("data-photo-key=") == 2
    assert REPORTER_PHONE not in editor.split('id="xp-text"')[1].split("</textarea>")[0]
    # proposing again goes to the existing publication
    again = client.post(f"/staff/exposure/propose/{closed_case.pk}/")
    assert again.status_code == 303 and again["Location"] == f"/staff/exposure/{pub.pk}/"
    # the case page now links to the publication, with its status, instead of offering a proposal
    client.cookies["django_language"] = "en"
    case_page = client.get(f"/staff/cases/{closed_case.pk}/").content.decode()
    assert "data-propose-exposure" not in case_page and "/staff/exposure/propose/" not in case_page
    assert f'href="/staff/exposure/{pub.pk}/" data-publication-status="draft"' in case_page
    assert "View publication (Being redacted)" in case_page
    del client.cookies["django_language"]

    keys = [f"{s}:{i}" for s, i in photo_keys(closed_case)]
    bad = client.post(f"/staff/exposure/{pub.pk}/redaction/", {
        "title": "消防通道堵塞", "text": "消防通道被杂物堵塞。", "photo": keys[:1], f"boxes:{keys[0]}": "[[0.9, 0.9, 0.5, 0.5]]"})
    assert bad.status_code == 400 and 'data-error-status="400"' in bad.content.decode()
    assert PublicationPhoto.objects.count() == 0
    ok = client.post(f"/staff/exposure/{pub.pk}/redaction/", {
        "title": "消防通道堵塞", "text": "消防通道被杂物堵塞。", "photo": keys,
        f"boxes:{keys[0]}": json.dumps([[0.1, 0.1, 0.2, 0.2]])}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and 'id="pub-main"' in ok.content.decode()
    assert PublicationPhoto.objects.count() == 2
    photo = PublicationPhoto.objects.get(kind="before")
    assert photo.boxes == [[0.1, 0.1, 0.2, 0.2]] and len(photo.faces) == 1
    assert client.get(f"/staff/exposure/photos/{photo.pk}/").status_code == 200
    assert client.get(f"/exposure/photos/{photo.pk}.jpg").status_code == 404  # not public yet

    resp = client.post(f"/staff/exposure/{pub.pk}/actions/submit/")
    assert resp.status_code == 303
    queue = client.get("/staff/exposure/?status=awaiting_signoff").content.decode()
    assert f'data-publication="{pub.pk}"' in queue
    # staff may not sign off; the page says why with a 403
    refused = client.post(f"/staff/exposure/{pub.pk}/actions/sign_off/", HTTP_HX_REQUEST="true")
    assert refused.status_code == 403

    client.force_login(city.leader_zhao)
    page = client.get(f"/staff/exposure/{pub.pk}/").content.decode()
    assert 'data-action="sign_off"' in page and 'data-action="return"' in page
    assert client.post(f"/staff/exposure/{pub.pk}/actions/sign_off/").status_code == 303
    assert Publication.objects.get().status == "published"
    assert client.get(f"/exposure/photos/{photo.pk}.jpg").status_code == 200
    case_page = client.get(f"/staff/cases/{closed_case.pk}/").content.decode()
    assert 'data-publication-status="published"' in case_page and "data-propose-exposure" not in case_page

    no_reason = client.post(f"/staff/exposure/{pub.pk}/actions/take_down/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert no_reason.status_code == 400 and Publication.objects.get().status == "published"
    client.post(f"/staff/exposure/{pub.pk}/actions/take_down/", {"reason": "当事单位申请复核"})
    assert Publication.objects.get().status == "taken_down"
    assert client.get(f"/exposure/{pub.pk}/").status_code == 404


def test_staff_pages_need_a_role_and_the_jurisdiction(client, city, published, closed_case):
    assert client.get("/staff/exposure/").status_code == 302  # to the login page
    client.force_login(city.reporter_wang)
    assert client.get("/staff/exposure/").status_code == 403
    client.force_login(city.erqi_wang)
    assert f'data-publication="{published}"' not in client.get("/staff/exposure/").content.decode()
    assert client.get(f"/staff/exposure/{published}/").status_code == 404
    photo = PublicationPhoto.objects.first()
    assert client.get(f"/staff/exposure/photos/{photo.pk}/").status_code == 404
    assert client.post(f"/staff/exposure/propose/{closed_case.pk}/").status_code == 404
    assert client.post(f"/staff/exposure/{published}/actions/take_down/", {"reason": "x"}).status_code == 404
    client.force_login(city.officer_liu)  # the responsible unit sees its case, not the curation
    assert client.get(f"/staff/exposure/{published}/").status_code == 404
    client.force_login(city.admin_chen)
    assert client.get("/admin/exposure/publication/").status_code == 200
    assert client.get(f"/admin/exposure/publication/{published}/change/").status_code == 200


def test_public_column_and_item_in_chinese_by_default_and_in_english(client, published):
    page = client.get("/exposure/").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert 'href="/exposure/"' in page  # the site navigation links the column
    client.cookies["django_language"] = "en"
    page = client.get("/exposure/").content.decode()
    assert "Hazard exposure column" in page and f'data-publication="{published}"' in page
    detail = client.get(f"/exposure/{published}/").content.decode()
    assert "Fixed" in detail and "After rectification" in detail
    for body in (page, detail):
        assert REPORTER_NAME not in body and REPORTER_PHONE not in body
    assert client.get("/exposure/999999/").status_code == 404


def test_case_page_offers_a_fresh_proposal_after_a_withdrawal(client, api, city, closed_case):
    pub = api.as_(city.inspector_li).propose(closed_case.pk)["id"]
    api.act(pub, "withdraw", reason="材料不全，暂不公开")
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{closed_case.pk}/").content.decode()
    assert 'data-publication-status="withdrawn"' in page and "data-propose-exposure" in page
    assert client.post(f"/staff/exposure/propose/{closed_case.pk}/").status_code == 303
    page = client.get(f"/staff/cases/{closed_case.pk}/").content.decode()
    assert 'data-publication-status="draft"' in page and "data-propose-exposure" not in page
