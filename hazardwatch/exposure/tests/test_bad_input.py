"""Every refused request: a clear 4xx with {"message", "extra"}, and nothing changed (rows, files, audit)."""
import pytest

from hazardwatch.core.models import AuditEntry
from hazardwatch.exposure import services
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.exposure.tests.conftest import REPORTER_NAME, act_case, photo_keys, submit_report

pytestmark = pytest.mark.django_db


def snapshot():
    files = sorted(p.file.name for p in PublicationPhoto.objects.all())
    pubs = list(Publication.objects.values_list("pk", "status", "public_title", "public_text", "version",
                                                 "redacted_at"))
    return pubs, files, AuditEntry.objects.filter(object_type="publication").count()


def media_files(settings):
    root = settings.MEDIA_ROOT / "exposure"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def draft(api, city, closed_case):
    return api.as_(city.inspector_li).propose(closed_case.pk)["id"]


def test_publication_without_sign_off_is_impossible(client, api, city, draft):
    before = snapshot()
    out = api.act(draft, "publish", expect=400)  # there is no such action
    assert "action" in out["extra"]["fields"]
    out = api.as_(city.leader_zhao).act(draft, "sign_off", expect=409)  # a draft cannot be signed off
    assert out["extra"]["status"] == "draft"
    assert snapshot() == before
    assert client.get(f"/exposure/{draft}/").status_code == 404


def test_sign_off_by_the_proposer_or_the_submitter_or_a_non_leader_is_refused(api, city, accepted_case):
    # the leader proposes: they cannot sign off their own proposal
    pub = api.as_(city.leader_zhao).propose(accepted_case.pk)["id"]
    api.redact(pub, title="消防通道堵塞", text="消防通道被杂物堵塞。", photos=[])
    api.act(pub, "submit")
    before = snapshot()
    out = api.act(pub, "sign_off", expect=403)
    assert out["message"] == str(services.SIGN_OFF_FOUR_EYES)
    api.as_(city.inspector_li).act(pub, "sign_off", expect=403)  # staff, not a leader
    api.as_(city.erqi_wang).act(pub, "sign_off", expect=404)  # another district: not even visible
    assert snapshot() == before
    api.as_(city.city_sun).act(pub, "sign_off")  # the city fire leader covers Jinshui


def test_submitter_cannot_sign_off_either(api, city, accepted_case):
    pub = api.as_(city.inspector_li).propose(accepted_case.pk)["id"]
    api.as_(city.leader_zhao).redact(pub, title="消防通道堵塞", text="消防通道被杂物堵塞。", photos=[])
    api.act(pub, "submit")
    api.act(pub, "sign_off", expect=403)


def test_proposing_outside_the_jurisdiction_or_a_hidden_case_is_refused(client, api, city, accepted_case, on_commit):
    before = snapshot()
    api.as_(city.erqi_wang).propose(accepted_case.pk, expect=404)  # Erqi fire: not their district
    api.as_(city.em_li).propose(accepted_case.pk, expect=404)  # Jinshui emergency management: not fire
    api.as_(city.officer_liu).propose(accepted_case.pk, expect=404)
    api.as_(None).propose(accepted_case.pk, expect=401)
    api.as_(city.inspector_li).propose(999999, expect=404)
    with on_commit(execute=True):
        _code, new_case = submit_report(client, None, description="商场安全出口被锁死，无法疏散")
    out = api.as_(city.inspector_li).propose(new_case.pk, expect=409)  # new: not accepted yet
    assert out["extra"]["case_status"] == "new"
    act_case(client, city.inspector_li, new_case, "reject", reason="重复举报")
    api.as_(city.inspector_li).propose(new_case.pk, expect=409)
    assert snapshot() == before
    api.propose(accepted_case.pk)
    out = api.propose(accepted_case.pk, expect=409)  # once is enough
    assert out["extra"]["status"] == "draft"


@pytest.mark.parametrize("boxes", [
    [[0.5, 0.5, 0.6, 0.2]],  # beyond the right edge
    [[-0.1, 0.2, 0.2, 0.2]],  # negative
    [[0.1, 0.1, 0, 0.2]],  # empty
    [[0.1, 0.1, 0.2]],  # three numbers
    [["a", 0.1, 0.2, 0.2]],
    [[True, 0.1, 0.2, 0.2]],
    "not json",
    {"x": 0.1},
    [[0.1, 0.1, 0.1, 0.1]] * 21,
])
def test_malformed_or_out_of_range_boxes_are_refused(api, city, draft, closed_case, settings, boxes):
    before, files = snapshot(), media_files(settings)
    source, photo_id = photo_keys(closed_case)[0]
    out = api.redact(draft, expect=400, title="t" * 5, text="消防通道被杂物堵塞。",
                     photos=[{"source": source, "id": photo_id, "boxes": boxes}])
    assert "boxes" in out["extra"]["fields"]
    assert snapshot() == before and media_files(settings) == files


def test_photos_not_of_this_case_or_unreadable_fail_redaction(client, api, city, draft, closed_case, face_jpeg,
                                                            settings, on_commit):
    with on_commit(execute=True):
        _code, other = submit_report(client, face_jpeg, description="另一处消防通道被堵塞的隐患")
    from hazardwatch.reports.models import ReportPhoto

    foreign = ReportPhoto.objects.get(report__case=other)
    mine = photo_keys(closed_case)
    api.as_(city.inspector_li)
    before, files = snapshot(), media_files(settings)
    good = {"source": mine[0][0], "id": mine[0][1]}
    for photos in ([good, {"source": "report", "id": foreign.pk}], [{"source": "evidence", "id": foreign.pk}],
                   [{"source": "report", "id": 999999}], [{"source": "upload", "id": 1}], [good, good],
                   "report:1", [{"source": "report", "id": "x"}]):
        out = api.redact(draft, expect=400, title="消防通道堵塞", text="消防通道被杂物堵塞。", photos=photos)
        assert "photos" in out["extra"]["fields"], photos
    # an unreadable original (damaged on disk): the redaction fails, the good photo's file is removed again
    photo = ReportPhoto.objects.get(pk=mine[0][1])
    with open(photo.original.path, "r+b") as fh:
        fh.truncate(400)
    out = api.redact(draft, expect=400, title="消防通道堵塞", text="消防通道被杂物堵塞。",
                     photos=[{"source": mine[1][0], "id": mine[1][1]}, good])
    assert f"#{mine[0][1]}" in out["message"]
    assert snapshot() == before and media_files(settings) == files


@pytest.mark.parametrize("field,value", [
    ("text", "举报人王建国反映消防通道被堵"),  # the reporter's name, known from the encrypted identity
    ("text", "联系电话 139 1234 5678"),
    ("title", "请拨打0371-66668888"),
    ("text", "身份证410105199001011234"),
    ("text", "邮箱 someone@example.org"),
    ("text", "回执码 7KQ2-M9XD-4T0B-RW8E"),
    ("text", ""),
    ("title", ""),
    ("title", "长" * 121),
    ("text", 42),
])
def test_public_text_with_personal_data_or_invalid_is_refused(api, city, draft, field, value):
    before = snapshot()
    body = {"title": "消防通道堵塞", "text": "消防通道被杂物堵塞。", "photos": []}
    body[field] = value
    out = api.redact(draft, expect=400, **body)
    assert field in out["extra"]["fields"]
    assert REPORTER_NAME not in out["message"]
    assert snapshot() == before


def test_takedown_without_reason_and_actions_in_the_wrong_state_are_refused(api, city, published):
    before = snapshot()
    api.as_(city.inspector_li).act(published, "take_down", expect=400, reason="   ")
    api.act(published, "take_down", expect=400, reason="x" * 1001)
    api.act(published, "submit", expect=409)
    api.act(published, "revise", expect=409)
    api.redact(published, expect=409, title="改标题", text="改内容", photos=[])
    api.as_(city.erqi_wang).act(published, "take_down", expect=404, reason="越权")
    api.as_(city.officer_liu).act(published, "take_down", expect=404, reason="企业想撤")  # curation is not the unit's
    api.as_(None).act(published, "take_down", expect=401, reason="匿名")
    assert snapshot() == before


def test_return_needs_a_reason_and_sends_the_draft_back(api, city, draft):
    api.redact(draft, title="消防通道堵塞", text="消防通道被杂物堵塞。", photos=[])
    api.act(draft, "submit")
    api.as_(city.leader_zhao).act(draft, "return", expect=400)
    out = api.act(draft, "return", reason="照片里还有门牌号")
    assert out["status"] == "draft" and out["return_reason"] == "照片里还有门牌号"
    api.as_(city.inspector_li).act(draft, "withdraw")
    assert Publication.objects.get(pk=draft).status == "withdrawn"
    # a withdrawn proposal may be proposed again (a fresh draft)
    out = api.propose(Publication.objects.get(pk=draft).case_id)
    assert out["id"] == draft and out["status"] == "draft" and out["redacted_at"] is None
