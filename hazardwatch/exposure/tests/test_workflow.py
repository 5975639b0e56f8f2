"""The exposure workflow through the HTTP API and the public pages: propose → redact → sign-off → published →
takedown → revise → republished; and nothing about the reporter ever reaches the public."""
import io

import pytest
from PIL import Image

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.exposure.tests.conftest import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, photo_keys

pytestmark = pytest.mark.django_db

XMP_MARK = b"http://ns.adobe.com/xap/1.0/"


def assert_no_metadata(data: bytes):
    assert data[:2] == b"\xff\xd8"
    assert b"Exif" not in data and XMP_MARK not in data and b"xmpmeta" not in data and b"ICC_PROFILE" not in data
    assert REPORTER_NAME.encode() not in data and b"Wang Jianguo" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif() and "exif" not in img.info and "xmp" not in img.info
        assert not img.getexif().get_ifd(0x8825)


def public_surface(client, pub_id) -> list[bytes]:
    """Everything the public gets about one item: column, detail, feed, API list and item, and photos."""
    pages = [client.get(url) for url in ("/exposure/", f"/exposure/{pub_id}/", "/exposure/feed.atom",
                                         "/api/v1/exposure/items", f"/api/v1/exposure/items/{pub_id}")]
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    bodies = [p.content for p in pages]
    item = pages[-1].json()
    for url in [p["url"] for kind in ("before", "after") for p in item["photos"][kind]]:
        resp = client.get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
        bodies.append(b"".join(resp.streaming_content))
    return bodies


def test_closed_case_is_proposed_redacted_signed_off_and_published(client, api, city, closed_case):
    out = api.as_(city.inspector_li).propose(closed_case.pk)
    assert out["status"] == "draft" and out["proposed_by"] == "inspector_li"
    # the prefill never carries the reporter: identity values and phone patterns are removed
    assert REPORTER_NAME not in out["text"] and REPORTER_PHONE not in out["text"]
    assert "消防通道被杂物堵塞" in out["text"]
    pub_id = out["id"]
    assert client.get(f"/exposure/{pub_id}/").status_code == 404  # not public while a draft

    # submitting before the redaction was saved is refused
    api.act(pub_id, "submit", expect=400)
    keys = photo_keys(closed_case)
    assert [k[0] for k in keys] == ["report", "evidence"]
    out = api.redact(pub_id, title="地下车库消防通道被堵塞", text="地下车库消防通道被杂物堵塞，消防栓无水。",
                     photos=[{"source": s, "id": i, "boxes": [[0.0, 0.8, 0.3, 0.2]] if s == "report" else []}
                             for s, i in keys])
    assert [(p["kind"], p["faces"]) for p in out["photos"]] == [("before", 1), ("after", 0)]
    api.act(pub_id, "submit")
    assert client.get(f"/api/v1/exposure/items/{pub_id}").status_code == 404  # awaiting sign-off: not public

    out = api.as_(city.leader_zhao).act(pub_id, "sign_off")
    assert out["status"] == "published" and out["signed_off_by"] == "leader_zhao"
    api.as_(None)

    column = client.get("/exposure/")
    assert column.status_code == 200 and "地下车库消防通道被堵塞" in column.content.decode()
    item = client.get(f"/api/v1/exposure/items/{pub_id}").json()
    assert item["case_status"] == "fixed" and item["region"] == "金水区" and item["sector"] == "fire"
    assert len(item["photos"]["before"]) == 1 and len(item["photos"]["after"]) == 1
    detail = client.get(f"/exposure/{pub_id}/").content.decode()
    assert 'data-photos="after"' in detail and 'data-case-status="fixed"' in detail

    actions = list(AuditEntry.objects.filter(object_type="publication", object_id=str(pub_id))
                   .values_list("action", flat=True))
    assert actions == ["exposure.propose", "exposure.redact", "exposure.submit", "exposure.sign_off"]
    assert audit_verify().ok


def test_nothing_about_the_reporter_and_no_original_photo_reaches_the_public(client, api, city, published,
                                                                             closed_case):
    from hazardwatch.cases.selectors import case_reports
    from hazardwatch.reports.models import ReportPhoto

    bodies = public_surface(client, published)
    originals = [p.original.read() for p in ReportPhoto.objects.filter(report__in=case_reports(closed_case))]
    photos = bodies[5:]
    assert len(photos) == 2
    forbidden = [REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, closed_case.receipt_code,
                 closed_case.receipt_code.replace("-", ""), "Wang Jianguo", closed_case.address]
    for body in bodies:
        for value in forbidden:
            if value:
                assert value.encode() not in body, value
    for data in photos:
        assert_no_metadata(data)
        assert all(data != o for o in originals)
    # and the stored redacted files are the ones served
    assert {p.sha256 for p in PublicationPhoto.objects.all()} == {
        __import__("hashlib").sha256(d).hexdigest() for d in photos}


def test_after_photos_appear_only_once_the_case_is_closed(client, api, city, accepted_case, make_jpeg):
    pub = api.as_(city.inspector_li).propose(accepted_case.pk)
    keys = photo_keys(accepted_case)
    api.redact(pub["id"], title="消防通道堵塞", text="消防通道被堵塞。", photos=[{"source": s, "id": i} for s, i in keys])
    api.act(pub["id"], "submit")
    api.as_(city.leader_zhao).act(pub["id"], "sign_off")
    api.as_(None)
    item = client.get(f"/api/v1/exposure/items/{pub['id']}").json()
    assert item["case_status"] == "open" and item["photos"]["after"] == []
    assert 'data-case-status="open"' in client.get(f"/exposure/{pub['id']}/").content.decode()


def test_takedown_needs_a_reason_removes_the_item_everywhere_and_republication_needs_sign_off(client, api, city,
                                                                                            published):
    photo_urls = [p["url"] for k in ("before", "after")
                  for p in client.get(f"/api/v1/exposure/items/{published}").json()["photos"][k]]
    out = api.as_(city.inspector_li).act(published, "take_down", expect=400)
    assert "reason" in out["extra"]["fields"]
    assert Publication.objects.get(pk=published).status == "published"
    api.act(published, "take_down", reason="涉及正在进行的执法程序")
    api.as_(None)
    assert client.get(f"/exposure/{published}/").status_code == 404
    assert client.get(f"/api/v1/exposure/items/{published}").status_code == 404
    assert all(client.get(u).status_code == 404 for u in photo_urls)
    assert client.get("/api/v1/exposure/items").json()["count"] == 0
    assert "消防通道" not in client.get("/exposure/feed.atom").content.decode()
    assert "消防通道" not in client.get("/exposure/").content.decode()
    entry = AuditEntry.objects.get(action="exposure.take_down")
    assert entry.payload["reason"] == "涉及正在进行的执法程序" and entry.actor_label == "inspector_li"

    # republish only through sign-off again
    api.as_(city.leader_zhao).act(published, "sign_off", expect=409)
    api.as_(city.inspector_li).act(published, "revise")
    api.act(published, "sign_off", expect=403)  # staff are not leaders
    api.act(published, "submit")
    api.as_(city.leader_zhao).act(published, "sign_off")
    api.as_(None)
    assert client.get(f"/exposure/{published}/").status_code == 200
    assert audit_verify().ok


def test_column_filters_by_region_and_sector_and_pages(client, api, city, published):
    def ids(**params):
        return [i["id"] for i in client.get("/api/v1/exposure/items", params).json()["items"]]

    assert ids() == [published]
    assert ids(region="410105") == [published] and ids(region="410100") == [published]
    assert ids(region="410103") == [] and ids(region="999999") == []
    assert ids(sector="fire") == [published] and ids(sector="gas") == []
    assert client.get("/api/v1/exposure/items", {"colour": "red"}).status_code == 400
    html = client.get("/exposure/", {"region": "410103"}).content.decode()
    assert f'data-publication="{published}"' not in html
    html = client.get("/exposure/", {"region": "410105", "sector": "fire"}).content.decode()
    assert f'data-publication="{published}"' in html
    assert client.get("/exposure/", {"page": "99"}).status_code == 200


def test_feed_is_atom_with_the_item(client, published):
    resp = client.get("/exposure/feed.atom")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/atom+xml")
    body = resp.content.decode()
    assert "<feed" in body and "小区地下车库消防通道被堵塞" in body and f"/exposure/{published}/" in body
    assert "<author>" not in body.split("<entry>")[1]


def test_staff_api_lists_only_publications_of_visible_cases(client, api, city, published):
    api.as_(city.inspector_li)
    rows = client.get("/api/v1/exposure/publications").json()
    assert [r["id"] for r in rows["items"]] == [published] and rows["items"][0]["actions"] == ["take_down"]
    assert client.get("/api/v1/exposure/publications", {"status": "draft"}).json()["count"] == 0
    one = client.get(f"/api/v1/exposure/publications/{published}").json()
    assert one["status"] == "published" and one["signed_off_by"] == "leader_zhao"
    api.as_(city.erqi_wang)
    assert client.get("/api/v1/exposure/publications").json()["count"] == 0
    assert client.get(f"/api/v1/exposure/publications/{published}").status_code == 404
    api.as_(None)
    assert client.get("/api/v1/exposure/publications").status_code == 401
