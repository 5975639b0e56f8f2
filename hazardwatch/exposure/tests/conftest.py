"""Exposure fixtures: a closed case with a reporter's identity, a photo with EXIF GPS and XMP (a real face),
and a rectification evidence photo; API helpers."""
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazardwatch.cases.models import Case

DATA = Path(__file__).resolve().parent / "data"
FACE_JPEG = DATA / "astronaut.jpg"
REPORTER_NAME = "王建国"
REPORTER_PHONE = "13912345678"
REPORTER_EMAIL = "wjg@example.com"
DESCRIPTION = f"我是{REPORTER_NAME}，电话{REPORTER_PHONE}。小区地下车库消防通道被杂物堵塞，消防栓没水，物业不管"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + REPORTER_NAME.encode()
       + b'</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')


def with_metadata(data: bytes) -> bytes:
    """The photo re-saved with GPS EXIF, an EXIF artist and an XMP packet naming the reporter."""
    img = Image.open(io.BytesIO(data))
    exif = Image.Exif()
    exif[0x013B] = "Wang Jianguo"  # Artist
    exif[0x8825] = {1: "N", 2: (34.0, 46.0, 48.0), 3: "E", 4: (113.0, 40.0, 19.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif, xmp=XMP)
    return out.getvalue()


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def act_case(client, user, case, action, **data):
    client.force_login(user)
    resp = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": action, **data})
    assert resp.status_code == 200, (action, resp.content)
    client.logout()


@pytest.fixture
def face_jpeg() -> bytes:
    return with_metadata(FACE_JPEG.read_bytes())


def submit_report(client, photo: bytes | None, description=DESCRIPTION, on_commit=None):
    body = {"description": description, "latitude": 34.78, "longitude": 113.672, "category": "escape_route",
            "place_type": "residential", "contact": {"name": REPORTER_NAME, "phone": REPORTER_PHONE,
                                                     "email": REPORTER_EMAIL}}
    files = [SimpleUploadedFile("p.jpg", photo, "image/jpeg")] if photo else []
    resp = client.post("/api/v1/reports", {"data": json.dumps(body), "photos": files})
    assert resp.status_code == 201, resp.content
    out = resp.json()
    return out["receipt_code"], Case.objects.get(reference=out["reference"])


@pytest.fixture
def accepted_case(client, city, face_jpeg, on_commit):
    """A fire case in Jinshui (inspector_li's and leader_zhao's jurisdiction), accepted, with a face photo."""
    with on_commit(execute=True):
        code, case = submit_report(client, face_jpeg)
        act_case(client, city.inspector_li, case, "accept")
    case.refresh_from_db()
    case.receipt_code = code
    return case


@pytest.fixture
def closed_case(client, city, accepted_case, make_jpeg, on_commit):
    """The accepted case governed to closure, with one evidence photo (carrying GPS EXIF)."""
    case = accepted_case
    with on_commit(execute=True):
        act_case(client, city.inspector_li, case, "grade", grade="general")
        act_case(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk)
        act_case(client, city.officer_liu, case, "start")
        client.force_login(city.officer_liu)
        after = with_metadata(make_jpeg(color=(40, 160, 90)))
        resp = client.post(f"/api/v1/cases/{case.pk}/evidence",
                           {"note": "已清理杂物", "photos": [SimpleUploadedFile("a.jpg", after, "image/jpeg")]})
        assert resp.status_code == 200, resp.content
        client.logout()
        act_case(client, city.inspector_li, case, "approve")
    code = case.receipt_code
    case.refresh_from_db()
    case.receipt_code = code
    assert case.status == "closed"
    return case


class Api:
    """The exposure API as one staff member or another."""

    def __init__(self, client):
        self.client = client

    def as_(self, user):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self

    def propose(self, case_id, expect=201):
        resp = self.client.post(f"/api/v1/exposure/cases/{case_id}/proposals")
        assert resp.status_code == expect, resp.content
        return resp.json()

    def redact(self, pub_id, expect=200, **body):
        resp = post_json(self.client, f"/api/v1/exposure/publications/{pub_id}/redaction", body)
        assert resp.status_code == expect, resp.content
        return resp.json()

    def act(self, pub_id, action, expect=200, **data):
        resp = post_json(self.client, f"/api/v1/exposure/publications/{pub_id}/transitions", {"action": action, **data})
        assert resp.status_code == expect, (action, resp.status_code, resp.content)
        return resp.json()


@pytest.fixture
def api(client):
    return Api(client)


def photo_keys(case):
    from hazardwatch.exposure.services import photo_candidates

    return [(source, p.pk) for source, p in photo_candidates(case)]


@pytest.fixture
def published(api, city, closed_case):
    """The closed case published: proposed and redacted by inspector_li, signed off by leader_zhao."""
    pub = api.as_(city.inspector_li).propose(closed_case.pk)
    photos = [{"source": s, "id": i, "boxes": []} for s, i in photo_keys(closed_case)]
    api.redact(pub["id"], title="小区地下车库消防通道被堵塞", text="地下车库消防通道被杂物堵塞，消防栓无水。已责令物业清理。",
               photos=photos)
    api.act(pub["id"], "submit")
    api.as_(city.leader_zhao).act(pub["id"], "sign_off")
    api.as_(None)
    return pub["id"]
