"""The phone pages (/checklists/) over HTTP: start, save and resume, bad fields, one-tap report, completion."""
import re

import pytest

from hazardwatch.cases.models import Case
from hazardwatch.checklists.models import ChecklistAnswer, ChecklistRun
from hazardwatch.checklists.tests.conftest import SITE

pytestmark = pytest.mark.django_db


def start(client, code):
    resp = client.post("/checklists/start/", {"template": code})
    assert resp.status_code == 303, resp.content
    return resp["Location"]


def test_index_lists_templates_by_audience(en_client, templates):
    resp = en_client.get("/checklists/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for title in ("Family home safety self-check", "School hazard sweep", "Rural safety self-check",
                  "Community safety walk-through", "Enterprise safety self-inspection (all sectors)"):
        assert title in html
    zh = en_client.get("/checklists/", HTTP_COOKIE="django_language=zh-hans")
    assert zh.status_code == 200


def test_family_saves_resumes_reports_and_completes(en_client, city, templates, make_jpeg):
    url = start(en_client, "family-home")
    run = ChecklistRun.objects.get()
    assert run.user is None and url.endswith(f"/checklists/run/{run.token}/")
    page = en_client.get(url).content.decode()
    assert "Is the gas hose a metal" in page and 'name="answer_gas-hose"' in page

    # a field for an item that is not in the template → 400, nothing saved
    resp = en_client.post(url, {"answer_gas-hose": "yes", "answer_not-an-item": "no"})
    assert resp.status_code == 400 and "not-an-item" in resp.content.decode()
    assert not ChecklistAnswer.objects.exists()

    # save progress with a photo on a failed item, then resume from the list of runs (session)
    resp = en_client.post(url, {"answer_gas-hose": "yes", "answer_ebike-indoor": "yes", "note_ebike-indoor": "楼道充电",
                                "photo_ebike-indoor": _upload(make_jpeg()), "action": "save"})
    assert resp.status_code == 303 and resp["Location"].endswith("?saved=1")
    assert "Your runs" in en_client.get("/checklists/").content.decode()
    page = en_client.get(url).content.decode()
    assert "2 of 13 answered" in page and 'form="report-ebike-indoor"' in page

    bad_photo = en_client.post(url, {"answer_gas-hose": "yes", "photo_gas-hose": _upload(b"nope")})
    assert bad_photo.status_code == 400 and "is not a JPEG, PNG or WebP image" in bad_photo.content.decode()

    # completing with open items → 400 and a clear message
    resp = en_client.post(url, {"action": "complete"})
    assert resp.status_code == 400 and "Answer every item before completing: 11 still open." in resp.content.decode()

    # one tap: the phone's location comes with the form
    report_url = f"/checklists/run/{run.token}/items/ebike-indoor/report/"
    resp = en_client.post(report_url, {"lat": "", "lon": ""})
    assert resp.status_code == 400 and "location is needed" in resp.content.decode()
    resp = en_client.post(report_url, {"lat": SITE[0], "lon": SITE[1]})
    assert resp.status_code == 200
    html = resp.content.decode()
    reference = re.search(r'data-case="(HW\d+)"', html).group(1)
    assert re.search(r'class="receipt cl-receipt">[0-9A-Z-]{19}<', html)
    case = Case.objects.get(reference=reference)
    assert case.category == "ebike_charging" and case.reports.get().photos.count() == 1
    assert f'data-reported="{reference}"' in en_client.get(url).content.decode()
    again = en_client.post(report_url, {"lat": SITE[0], "lon": SITE[1]})
    assert again.status_code == 409

    # the reported answer can no longer be changed
    locked = en_client.post(url, {"answer_ebike-indoor": "no"})
    assert locked.status_code == 409

    # answer the rest one screen at a time, then complete
    data = {}
    for item in run.template.items.exclude(code__in=["gas-hose", "ebike-indoor"]):
        data[f"answer_{item.code}"] = "yes" if item.hazard_answer == "no" else "no"
    step = en_client.get(url + "?mode=step&i=1").content.decode()
    assert step.count('class="cl-item') == 1 and "2 / 13" in step
    resp = en_client.post(url, {"mode": "step", "i": "1", "action": "next", "answer_gas-flame-failure": "yes"})
    assert resp.status_code == 303 and resp["Location"].endswith("?mode=step&i=2")
    resp = en_client.post(url, {**data, "action": "complete"})
    assert resp.status_code == 303
    run.refresh_from_db()
    assert run.status == "completed"
    assert "Checklist completed." in en_client.get(resp["Location"]).content.decode()


def test_someone_elses_run_is_not_found(client, city, templates):
    client.force_login(city.officer_liu)
    url = start(client, "enterprise")
    client.force_login(city.other_officer)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get("/checklists/run/nope/").status_code == 404
    assert client.post("/checklists/start/", {"template": "nope"}).status_code == 404


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", data, "image/jpeg")
