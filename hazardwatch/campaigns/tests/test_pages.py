"""Campaign pages over HTTP: the unit's phone page (liaison, activity, summary) and the office's pages."""
import datetime as dt

import pytest

from hazardwatch.campaigns.models import Activity, Campaign, Liaison, Summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def page(cw, unit, tail=""):
    return f"/campaigns/{cw.campaign.pk}/unit/{unit.pk}/{tail}"


def test_signed_out_users_go_to_the_login_page(client, cw):
    for url in ("/campaigns/", page(cw, cw.school), "/staff/campaigns/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/staff/login/")


def test_unit_index_and_page(en, cw):
    en.force_login(cw.teacher_ma)
    r = en.get("/campaigns/")
    assert r.status_code == 200 and "2026年安全生产月" in r.content.decode()
    assert page(cw, cw.school) in r.content.decode()
    r = en.get(page(cw, cw.school))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'name="phone"' in body and 'name="narrative"' in body and 'name="photos"' in body
    assert en.get(page(cw, cw.enterprise)).status_code == 403


def test_unit_files_liaison_activity_and_summary_through_the_forms(en, cw, make_jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    en.force_login(cw.teacher_ma)
    r = en.post(page(cw, cw.school, "liaison/"), {"name": "马老师", "position": "安全员", "phone": "0371-1234"})
    assert r.status_code == 400 and "landline" in r.content.decode() and not Liaison.objects.exists()
    r = en.post(page(cw, cw.school, "liaison/"), {"name": "马老师", "position": "安全员", "phone": "139 0013 9000"})
    assert r.status_code == 303
    assert Liaison.objects.get().phone == "13900139000"
    r = en.post(page(cw, cw.school, "activities/"), {
        "kind": "lecture", "held_on": str(cw.campaign.ends_on + dt.timedelta(days=1)), "place": "礼堂",
        "participants": "200"})
    assert r.status_code == 400 and "must fall within the campaign" in r.content.decode()
    r = en.post(page(cw, cw.school, "activities/"), {
        "kind": "lecture", "held_on": str(cw.today), "place": "礼堂", "participants": "200",
        "photos": [SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png")]})
    assert r.status_code == 400 and "not a JPEG, PNG or WebP" in r.content.decode()
    r = en.post(page(cw, cw.school, "activities/"), {
        "kind": "lecture", "held_on": str(cw.today), "place": "礼堂", "participants": "200",
        "photos": [SimpleUploadedFile("x.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 303 and Activity.objects.get().photos.count() == 1
    body = en.get(page(cw, cw.school)).content.decode()
    assert 'value="200"' in body  # the summary's participants are pre-filled from the recorded activity
    r = en.post(page(cw, cw.school, "summary/"), {"narrative": "", "participants": "200"})
    assert r.status_code == 400 and not Summary.objects.exists()
    r = en.post(page(cw, cw.school, "summary/"), {"narrative": "举办讲座一场", "participants": "200",
                                                  "activities": "1"}, follow=True)
    assert r.status_code == 200 and "Summary filed (version 1)" in r.content.decode()
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1))
    r = en.post(page(cw, cw.school, "summary/"), {"narrative": "改"})
    assert r.status_code == 409 and "can no longer be revised" in r.content.decode()


def test_late_filing_on_the_page_is_accepted_and_marked(en, cw):
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1))
    en.force_login(cw.teacher_ma)
    assert "The deadline has passed" in en.get(page(cw, cw.school)).content.decode()
    r = en.post(page(cw, cw.school, "summary/"), {"narrative": "迟交"}, follow=True)
    assert "accepted and marked late" in r.content.decode()
    assert Summary.objects.get().is_late


def test_office_pages(en, cw):
    en.force_login(cw.office_wu)
    r = en.get("/staff/campaigns/")
    assert r.status_code == 200 and "2026年安全生产月" in r.content.decode()
    r = en.post("/staff/campaigns/new/", {"title": "防溺水宣传", "theme": "珍爱生命 预防溺水",
                                          "starts_on": str(cw.today), "ends_on": str(cw.today - dt.timedelta(days=1)),
                                          "liaison_due": str(cw.today), "summary_due": str(cw.today),
                                          "unit_kinds": ["school"], "status": "open"})
    assert r.status_code == 400 and "cannot end before it starts" in r.content.decode()
    r = en.post("/staff/campaigns/new/", {"title": "防溺水宣传", "theme": "珍爱生命 预防溺水",
                                          "starts_on": str(cw.today), "ends_on": str(cw.today + dt.timedelta(days=9)),
                                          "liaison_due": str(cw.today), "summary_due": str(cw.today),
                                          "unit_kinds": ["school"], "status": "open", "reminder_days": "2"})
    assert r.status_code == 303
    new = Campaign.objects.get(title="防溺水宣传")
    assert new.unit_kinds == ["school"] and new.office == cw.office and new.reminder_days == 2
    r = en.post(f"/staff/campaigns/{new.pk}/edit/", {"title": "防溺水宣传", "theme": "新", "starts_on": str(cw.today),
                                                      "ends_on": str(cw.today), "liaison_due": str(cw.today),
                                                      "summary_due": str(cw.today), "unit_kinds": ["school",
                                                                                                   "enterprise"],
                                                      "status": "closed", "reminder_days": "2"})
    assert r.status_code == 303
    new.refresh_from_db()
    assert new.status == "closed" and new.unit_kinds == ["enterprise", "school"]
    r = en.get(f"/staff/campaigns/{cw.campaign.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    for name in ("郑州示例商贸有限公司", "另一家公司", "花园路小学"):
        assert name in body
    assert "锦绣社区" not in body
    r = en.post(f"/staff/campaigns/{cw.campaign.pk}/remind/", follow=True)
    assert "reminders sent" in r.content.decode()


def test_non_office_users_get_403_on_office_pages(en, cw):
    for user in (cw.teacher_ma, cw.city.inspector_li):
        en.force_login(user)
        assert en.get("/staff/campaigns/").status_code == 403
        assert en.get(f"/staff/campaigns/{cw.campaign.pk}/").status_code == 403
