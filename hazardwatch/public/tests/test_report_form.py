"""The public report form with Django's test client: rendering, a good report, and every way to get it wrong."""
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape

from hazardwatch.cases.models import Case
from hazardwatch.public.tests.helpers import RECEIPT_RE, jpeg_upload, report_data
from hazardwatch.reports import images
from hazardwatch.reports import services as report_services
from hazardwatch.reports.models import Report, ReporterIdentity, ReportPhoto


def html(response) -> str:
    return response.content.decode()


def zh(message) -> str:
    """A service message as the default (Simplified Chinese) page shows it, HTML-escaped."""
    with translation.override("zh-hans"):
        return escape(str(message))


def field_block(page: str, name: str) -> str:
    """The <div class="field …"> that holds the input named `name`."""
    for block in re.findall(r'<div class="field[^"]*">.*?</div>', page, flags=re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field block for {name}")


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- rendering -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_home_links_to_the_form_and_has_a_receipt_lookup(client):
    page = html(client.get("/"))
    assert 'href="/report/"' in page
    assert 'action="/status/"' in page and 'name="receipt_code"' in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.django_db
def test_form_renders_in_chinese_by_default_with_every_field(client):
    response = client.get("/report/")
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="zh-Hans">' in page
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert 'enctype="multipart/form-data"' in page
    for name in ("description", "category", "place_type", "address", "latitude", "longitude", "crs",
                 "contact_name", "contact_phone", "contact_email", "is_employee"):
        assert f'name="{name}"' in page, name
    photos = re.search(r"<input[^>]*name=\"photos\"[^>]*>", page).group(0)
    for attr in ('type="file"', "multiple", 'accept="image/*"', 'capture="environment"'):
        assert attr in photos
    assert 'type="hidden" name="latitude"' in page
    assert 'value="ebike_charging"' in page and 'value="construction_site"' in page
    # The map gets its tiles and centre from the context processor; Leaflet and our script are served locally.
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert 'data-center-lat="34.7466"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/report.js" in page
    assert "/static/app.css" in page and "/static/vendor/htmx/htmx.min.js" in page


@pytest.mark.django_db
def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/report/"})
    assert response.status_code == 302 and response["Location"] == "/report/"
    response = client.get("/report/")
    page = html(response)
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert '<html lang="en">' in page
    assert "Report a hazard" in page and "Use my location" in page
    assert 'value="zh-hans"' in page  # the switch back


# --- a good report -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_valid_report_with_photo_opens_a_case_and_shows_the_receipt_once(client, zhengzhou, settings):
    response = client.post("/report/", {**report_data(), "photos": [jpeg_upload()]})
    assert response.status_code == 303
    assert response["Location"] == "/report/done/"  # the receipt never travels in a URL

    report = Report.objects.get()
    assert ReportPhoto.objects.filter(report=report).count() == 1
    assert report.case is not None and report.case.status == "new"
    assert report.case.regulator == zhengzhou
    assert report.source == "web" and report.is_anonymous
    assert report.input_crs == "wgs84" and report.lat == pytest.approx(34.78)
    assert not ReporterIdentity.objects.exists()
    assert len(media_files(settings)) == 1

    done = client.get("/report/done/")
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"] or "no-cache" in done["Cache-Control"]
    page = html(done)
    code = re.search(r'id="receipt-code">([^<]+)<', page).group(1)
    assert RECEIPT_RE.fullmatch(code)
    assert report_services.report_by_receipt(code) == report
    assert report.case.reference in page

    again = html(client.get("/report/done/"))
    assert code not in again and 'id="receipt-code"' not in again
    assert not RECEIPT_RE.search(again)


@pytest.mark.django_db
def test_done_page_without_a_fresh_report_shows_no_code(client):
    page = html(client.get("/report/done/"))
    assert 'id="receipt-code"' not in page


@pytest.mark.django_db
def test_posted_crs_is_passed_through(submit_report):
    response, code = submit_report(crs="gcj02")
    assert response.status_code == 303 and code
    report = Report.objects.get()
    assert report.input_crs == "gcj02"
    assert report.lat != pytest.approx(34.78, abs=1e-6)  # converted to WGS-84


@pytest.mark.django_db
def test_employee_report_with_contact_is_stored_encrypted(submit_report):
    response, code = submit_report(is_employee="on", contact_name="王师傅", contact_phone="138 0013 8000")
    assert response.status_code == 303 and code
    report = Report.objects.get()
    assert report.source == "employee" and not report.is_anonymous
    identity = ReporterIdentity.objects.get(report=report)
    assert identity.is_employee and "13800138000" not in identity.ciphertext


# --- bad reports: 400, inline errors, nothing stored ------------------------------------------------

def _photos(n):
    return [jpeg_upload(f"p{i}.jpg") for i in range(n)]


BAD_REPORTS = {
    "no_location": (dict(latitude="", longitude=""), None, "latitude", report_services.COORDINATES_REQUIRED),
    "outside_china": (dict(latitude="51.5074", longitude="-0.1278"), None, "latitude",
                      report_services.COORDINATES_OUTSIDE),
    "not_numbers": (dict(latitude="north", longitude="east"), None, "latitude", report_services.COORDINATES_INVALID),
    "unknown_crs": (dict(crs="mars2000"), None, "latitude", report_services.CRS_UNKNOWN),
    "too_long": (dict(description="危" * 2001), None, "description",
                 report_services.DESCRIPTION_TOO_LONG.format(limit=2000)),
    "empty_description": (dict(description="   "), None, "description", report_services.DESCRIPTION_REQUIRED),
    "unknown_category": (dict(category="spaceship"), None, "category", report_services.CATEGORY_UNKNOWN),
    "unknown_place_type": (dict(place_type="moon_base"), None, "place_type", report_services.PLACE_TYPE_UNKNOWN),
    "bad_phone": (dict(contact_phone="12345"), None, "contact_phone", report_services.PHONE_INVALID),
    "bad_email": (dict(contact_email="not-an-email"), None, "contact_email", report_services.EMAIL_INVALID),
    "employee_without_contact": (dict(is_employee="on"), None, "is_employee",
                                 report_services.EMPLOYEE_NEEDS_CONTACT),
    "seven_photos": ({}, lambda: _photos(7), "photos", report_services.TOO_MANY_PHOTOS.format(limit=6)),
    "not_an_image": ({}, lambda: [SimpleUploadedFile("hazard.jpg", b"this is not a picture", "image/jpeg")],
                     "photos", images.PHOTO_NOT_IMAGE.format(name="hazard.jpg")),
    "good_and_bad_photo": ({}, lambda: [jpeg_upload("ok.jpg"),
                                        SimpleUploadedFile("x.png", b"\x89PNG\r\n", "image/png")],
                           "photos", images.PHOTO_NOT_IMAGE.format(name="x.png")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_REPORTS, ids=list(BAD_REPORTS))
def test_bad_report_is_rejected_inline_and_nothing_is_stored(client, zhengzhou, settings, case):
    overrides, photos, field, message = BAD_REPORTS[case]
    data = report_data(**overrides)
    if photos:
        data["photos"] = photos()
    response = client.post("/report/", data)

    assert response.status_code == 400
    page = html(response)
    assert zh(report_services.REPORT_INVALID) in page
    if field == "latitude":
        location = re.search(r'<fieldset id="location".*?</fieldset>', page, flags=re.S).group(0)
        assert 'class="has-error"' in location
        assert '<ul class="errorlist"' in location and zh(message) in location
    else:
        block = field_block(page, field)
        assert "has-error" in block and zh(message) in block
    assert Report.objects.count() == 0
    assert Case.objects.count() == 0
    assert media_files(settings) == []


@pytest.mark.django_db
def test_rejected_form_keeps_what_was_typed(client, zhengzhou):
    page = html(client.post("/report/", report_data(category="spaceship", address="二七区 大学路 88 号")))
    assert "楼道里停着三辆电动车在充电" in page
    assert 'value="二七区 大学路 88 号"' in page
    assert 'name="latitude" value="34.78"' in page  # the chosen point survives
    assert 'selected>' in page  # place type stays chosen


@pytest.mark.django_db
def test_several_errors_are_shown_together(client, zhengzhou):
    page = html(client.post("/report/", report_data(description="", latitude="", category="spaceship")))
    assert zh(report_services.DESCRIPTION_REQUIRED) in page
    assert zh(report_services.COORDINATES_REQUIRED) in page
    assert zh(report_services.CATEGORY_UNKNOWN) in page


@pytest.mark.django_db
def test_photos_must_be_attached_again_after_an_error(client, zhengzhou):
    page = html(client.post("/report/", {**report_data(latitude=""), "photos": [jpeg_upload()]}))
    assert 'class="alert alert-warning small"' in page


@pytest.mark.django_db
def test_intake_is_rate_limited(client, zhengzhou, settings):
    settings.HAZARDWATCH_RATE_INTAKE = "1/3600"
    assert client.post("/report/", report_data()).status_code == 303
    response = client.post("/report/", report_data())
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_unknown_methods_are_refused(client):
    assert client.put("/report/").status_code == 405
    assert client.post("/report/done/").status_code == 405


@pytest.mark.django_db
def test_receipt_from_the_form_is_stored_nowhere_in_plain_text(client, zhengzhou):
    """The done page gets the code from an encrypted cookie; no session row or other table holds it."""
    from io import StringIO

    from django.core.management import call_command

    response = client.post("/report/", report_data())
    cookie = response.cookies["hw_receipt"]
    assert cookie["httponly"] and cookie["path"] == "/report/done/"
    code = re.search(r'id="receipt-code">([^<]+)<', html(client.get("/report/done/"))).group(1)
    assert code not in cookie.value and code.replace("-", "") not in cookie.value
    out = StringIO()
    call_command("dumpdata", stdout=out)
    assert code not in out.getvalue() and code.replace("-", "") not in out.getvalue()
