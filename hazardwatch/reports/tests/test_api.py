"""Report intake and receipt look-ups through the HTTP API."""
import json
from pathlib import Path

import pytest

from hazardwatch.reports.models import Report, ReporterIdentity, ReportPhoto

JINSHUI = {"latitude": 34.78, "longitude": 113.672}


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_json_report_returns_receipt_and_opens_routed_case(client, city, on_commit):
    with on_commit(execute=True):
        resp = post_json(client, "/api/v1/reports", {"description": "商场安全出口被货物堵死了", **JINSHUI,
                                                     "category": "escape_route", "place_type": "shop"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert set(body) >= {"receipt_code", "status", "submitted_at", "reference"}
    assert body["status"] == "new"
    report = Report.objects.get()
    assert report.region.code == "410105002"
    assert report.case.regulator == city.jinshui_fire  # fire sector, Jinshui district
    assert report.case.h3_r9 and report.h3_r5 and report.h3_r7
    assert report.is_anonymous and not ReporterIdentity.objects.exists()
    assert body["receipt_code"].replace("-", "") not in report.receipt_hash


@pytest.mark.django_db
def test_gcj02_input_is_converted_and_kept(client, city):
    resp = post_json(client, "/api/v1/reports", {"description": "楼道里电动车充电", "latitude": 34.7786,
                                                 "longitude": 113.6779, "crs": "gcj02", "category": "ebike_charging"})
    assert resp.status_code == 201
    r = Report.objects.get()
    assert r.input_crs == "gcj02" and r.input_lat == 34.7786
    assert abs(r.lat - 34.7786) > 0.0005 or abs(r.lon - 113.6779) > 0.003  # moved back by the GCJ offset


@pytest.mark.django_db
def test_multipart_report_with_photos_and_contact(client, city, make_jpeg, settings, on_commit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"description": "工厂车间粉尘很厚，除尘器没开", **JINSHUI, "category": "workplace",
            "contact": {"name": "王先生", "phone": "+86 138-0013-8000"}}
    photos = [SimpleUploadedFile(f"p{i}.jpg", make_jpeg(exif_gps=(34.78, 113.67)), "image/jpeg") for i in range(2)]
    with on_commit(execute=True):
        resp = client.post("/api/v1/reports", {"data": json.dumps(data), "photos": photos})
    assert resp.status_code == 201, resp.content
    report = Report.objects.get()
    assert report.photos.count() == 2
    photo = report.photos.first()
    assert photo.exif_lat == pytest.approx(34.78, abs=0.02)
    assert photo.stripped and photo.thumbnail  # derivative task ran after commit
    from PIL import Image

    with Image.open(photo.stripped.path) as img:
        assert not img.getexif() and "exif" not in img.info
    identity = ReporterIdentity.objects.get(report=report)
    assert "13800138000" not in identity.ciphertext and "王" not in identity.ciphertext
    assert not report.is_anonymous


@pytest.mark.django_db
@pytest.mark.parametrize("body,field", [
    ({"description": "安全出口堵塞了", "latitude": 51.5, "longitude": -0.12}, "location"),
    ({"description": "安全出口堵塞了", "latitude": 34.78, "longitude": 113.67, "crs": "mars"}, "crs"),
    ({"description": "x" * 2001, "latitude": 34.78, "longitude": 113.67}, "description"),
    ({"description": "", "latitude": 34.78, "longitude": 113.67}, "description"),
    ({"description": "安全出口堵塞了", "latitude": 34.78, "longitude": 113.67, "category": "aliens"}, "category"),
    ({"description": "安全出口堵塞了", "latitude": 34.78, "longitude": 113.67, "place_type": "moon"}, "place_type"),
    ({"description": "安全出口堵塞了", "latitude": 34.78, "longitude": 113.67, "contact": {"phone": "12345"}},
     "contact.phone"),
    ({"description": "安全出口堵塞了", "latitude": 34.78, "longitude": 113.67, "is_employee": True}, "contact"),
    ({"description": "安全出口堵塞了", "latitude": "north", "longitude": 113.67}, "latitude"),
    ({"description": "安全出口堵塞了", "latitude": 34.78}, "longitude"),
])
def test_bad_json_reports_are_400_with_field_and_store_nothing(client, city, body, field):
    resp = post_json(client, "/api/v1/reports", body)
    assert resp.status_code == 400, resp.content
    payload = resp.json()
    assert payload["message"] and field in payload["extra"]["fields"], payload
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b"null", b'{"description": 5}'])
def test_malformed_bodies_are_400(client, city, body):
    resp = client.post("/api/v1/reports", data=body, content_type="application/json")
    assert resp.status_code == 400 and "message" in resp.json()


def _bomb_png() -> bytes:
    """A tiny PNG that claims 20000 x 20000 pixels (decompression bomb)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["text", "svg", "truncated", "bomb", "oversize", "empty", "seven"])
def test_hostile_uploads_are_refused_and_leave_no_files(client, city, make_jpeg, settings, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = make_jpeg()
    files = {
        "text": [SimpleUploadedFile("a.jpg", b"hello world, not an image", "image/jpeg")],
        "svg": [SimpleUploadedFile("a.svg", b"<svg onload='alert(1)'></svg>", "image/svg+xml")],
        "truncated": [SimpleUploadedFile("a.jpg", good[: len(good) // 2], "image/jpeg")],
        "bomb": [SimpleUploadedFile("a.png", _bomb_png(), "image/png")],
        "oversize": [SimpleUploadedFile("a.jpg", good + b"\0" * (settings.HAZARDWATCH_MAX_PHOTO_BYTES), "image/jpeg")],
        "empty": [SimpleUploadedFile("a.jpg", b"", "image/jpeg")],
        "seven": [SimpleUploadedFile(f"{i}.jpg", good, "image/jpeg") for i in range(7)],
    }[kind]
    # a valid photo first, so a half-stored submission would leave a file behind
    photos = files if kind == "seven" else [SimpleUploadedFile("ok.jpg", good, "image/jpeg"), *files]
    data = {"description": "仓库里堆放大量易燃物", **JINSHUI}
    resp = client.post("/api/v1/reports", {"data": json.dumps(data), "photos": photos})
    assert resp.status_code == 400, resp.content
    assert "photos" in resp.json()["extra"]["fields"]
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert media_files(settings) == []


@pytest.mark.django_db
def test_database_failure_after_files_written_removes_files(client, city, make_jpeg, settings, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazardwatch.reports import services as report_services

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(report_services, "audit_append", boom)  # the last write of the intake transaction
    client.raise_request_exception = False
    resp = client.post("/api/v1/reports", {"data": json.dumps({"description": "配电箱门坏了电线外露", **JINSHUI}),
                                           "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 500
    assert Report.objects.count() == 0 and media_files(settings) == []


@pytest.mark.django_db
def test_lookup_by_receipt_shows_public_status(client, city):
    code = post_json(client, "/api/v1/reports", {"description": "燃气管道有异味", **JINSHUI, "category": "gas"}).json()[
        "receipt_code"]
    resp = post_json(client, "/api/v1/reports/lookup", {"receipt_code": code.lower().replace("-", " ")})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "new" and body["history"][0]["action"] == "open"
    assert "regulator" not in json.dumps(body)


@pytest.mark.django_db
@pytest.mark.parametrize("code,status", [("nope", 400), ("", 400), ("AAAA-AAAA-AAAA-AAAA", 404), ("x" * 99, 400)])
def test_lookup_rejects_bad_codes(client, city, code, status):
    resp = post_json(client, "/api/v1/reports/lookup", {"receipt_code": code})
    assert resp.status_code == status and resp.json()["message"]


@pytest.mark.django_db
def test_lookups_are_rate_limited(client, city, settings):
    settings.HAZARDWATCH_RATE_LOOKUP = "3/600"
    codes = [post_json(client, "/api/v1/reports/lookup", {"receipt_code": "AAAA-AAAA-AAAA-AAAA"}).status_code
             for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]


@pytest.mark.django_db
def test_intake_is_rate_limited(client, city, settings):
    settings.HAZARDWATCH_RATE_INTAKE = "2/3600"
    body = {"description": "消防栓被圈占了", **JINSHUI}
    assert [post_json(client, "/api/v1/reports", body).status_code for _ in range(3)] == [201, 201, 429]
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_device_intake_needs_a_valid_key(client, city):
    from hazardwatch.reports.services import device_key_create

    key, plain = device_key_create(name="无人机01", kind="drone")
    body = {"description": "无人机巡查发现厂区围墙外违规堆放烟花爆竹", **JINSHUI, "category": "fireworks",
            "device_model": "DJI M30T + yolo-hazard v2", "confidence": 0.87}
    assert post_json(client, "/api/v1/devices/reports", body).status_code == 401
    assert post_json(client, "/api/v1/devices/reports", body, HTTP_X_API_KEY="hwd_bad_key").status_code == 401
    resp = post_json(client, "/api/v1/devices/reports", body, HTTP_X_API_KEY=plain)
    assert resp.status_code == 201
    report = Report.objects.get()
    assert report.source == "device" and report.device == key and report.confidence == 0.87
    bad = post_json(client, "/api/v1/devices/reports", {**body, "confidence": 3}, HTTP_X_API_KEY=plain)
    assert bad.status_code == 400 and "confidence" in bad.json()["extra"]["fields"]


@pytest.mark.django_db(transaction=True)
def test_no_ip_address_or_plain_receipt_is_stored(client, city):
    """Dump every table and look for the submitter's address and the receipt code."""
    from io import StringIO

    from django.core.management import call_command

    code = post_json(client, "/api/v1/reports", {"description": "学校围墙开裂倾斜", **JINSHUI,
                                                 "contact": {"phone": "13912345678"}},
                     REMOTE_ADDR="203.0.113.77").json()["receipt_code"]
    out = StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert "203.0.113.77" not in dump
    assert code not in dump and code.replace("-", "") not in dump
    assert "13912345678" not in dump


@pytest.mark.django_db
def test_truncated_photos_are_refused_even_if_pillow_is_told_to_accept_them(client, city, make_jpeg, monkeypatch):
    """Some libraries (WeasyPrint) flip ImageFile.LOAD_TRUNCATED_IMAGES for the whole process."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    good = make_jpeg()
    resp = client.post("/api/v1/reports", {
        "data": json.dumps({"description": "仓库里堆放大量易燃物", **JINSHUI}),
        "photos": [SimpleUploadedFile("a.jpg", good[: len(good) - 200], "image/jpeg")]})
    assert resp.status_code == 400 and "photos" in resp.json()["extra"]["fields"]
    assert Report.objects.count() == 0
