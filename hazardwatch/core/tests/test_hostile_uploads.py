"""Every upload point against the hostile corpus (hostile.py), through HTTP.

Refused files: a 4xx whose body carries the reason, and nothing stored (no row in any table, no file under
MEDIA_ROOT). Accepted files: stored only as fresh pictures (no EXIF, XMP or GPS; no appended payload;
orientation applied); report photos keep a private original, cut after the picture's own end, and get clean
derivatives. A new upload point is one `UploadPoint` in POINTS: a name, how to reach it with one file, and what
it keeps.
"""
import datetime as dt
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from hazardwatch.core.tests import hostile
from hazardwatch.reports import images

pytestmark = pytest.mark.django_db

SITE = (34.78, 113.68)  # 金水区, Zhengzhou
DESCRIPTION = "小区地下车库消防通道被杂物堵塞，安全出口上锁"
MESSAGES = {"pixels": images.PHOTO_TOO_MANY_PIXELS, "JPEG": images.PHOTO_NOT_IMAGE, "damaged": images.PHOTO_TRUNCATED,
            "empty": images.PHOTO_EMPTY, "larger": images.PHOTO_TOO_LARGE, "animation": images.PHOTO_ANIMATED}


def upload(sample: hostile.Sample) -> SimpleUploadedFile:
    return SimpleUploadedFile(sample.filename, sample.data, content_type=sample.content_type)


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- the state each upload point needs -----------------------------------------------------------------------

def _case_in_rectification(w):
    """A report by the public, accepted and assigned to the enterprise, which has started to rectify it."""
    from hazardwatch.cases.services import case_transition
    from hazardwatch.reports.services import ReportInput, report_submit

    w.n += 1
    report, _receipt = report_submit(ReportInput(description=f"{DESCRIPTION}（第{w.n}处）", latitude=SITE[0] + w.n / 1000,
                                                 longitude=SITE[1], crs="wgs84", category="escape_route"))
    case = report.case
    case_transition(case_id=case.pk, action="accept", actor=w.city.inspector_li, data={"note": "属实"})
    case_transition(case_id=case.pk, action="grade", actor=w.city.inspector_li, data={"grade": "general"})
    case_transition(case_id=case.pk, action="assign", actor=w.city.inspector_li,
                    data={"responsible_unit_id": w.city.enterprise.pk})
    case_transition(case_id=case.pk, action="start", actor=w.city.officer_liu, data={})
    return case, _receipt


def _closed_case_receipt(w):
    from hazardwatch.cases.services import case_submit_evidence, case_transition

    case, receipt = _case_in_rectification(w)
    photo = SimpleUploadedFile("after.jpg", hostile.by_key("jpeg-gps-exif").data, content_type="image/jpeg")
    case_submit_evidence(case_id=case.pk, actor=w.city.officer_liu, note="已整改", uploads=[photo])
    case_transition(case_id=case.pk, action="approve", actor=w.city.inspector_li, data={"note": "复查合格"})
    return receipt


def _running_drill(w):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.drills import services

    Organization.objects.filter(pk=w.city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])
    when = timezone.localtime(timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    drill = services.drill_plan(actor=w.city.officer_liu, data={
        "organization_id": w.city.enterprise.pk, "kind": "evacuation", "title": "春季消防疏散演练",
        "scenario": "二楼仓库起火，全员按疏散路线撤离到东侧广场集合点清点人数", "scheduled_at": when,
        "place": "办公楼及东侧广场", "planned_minutes": 30, "planned_participants": 80,
        "participant_groups": "总指挥 1；疏散引导组 6；员工 73"})
    return services.drill_start(actor=w.city.officer_liu, drill_id=drill.pk)


def _record_fields():
    start = timezone.now() - dt.timedelta(minutes=30)
    return {"started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=20)).isoformat(),
            "participants": 70, "evacuation_seconds": 200, "headcount_expected": 70, "headcount_accounted": 70}


def _campaign(w):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.campaigns.models import Campaign

    today = timezone.localdate()
    office = Organization.objects.create(kind="campaign_office", name="安全生产月活动办公室",
                                         region=w.city.divisions["410100"])
    return Campaign.objects.create(
        office=office, title="2026年安全生产月", theme="查找身边隐患", starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=20), liaison_due=today + dt.timedelta(days=2),
        summary_due=today + dt.timedelta(days=10), unit_kinds=["enterprise"], reminder_days=3, status="open")


def _activity_fields():
    return {"kind": "drill", "held_on": str(timezone.localdate() - dt.timedelta(days=3)), "place": "仓库",
            "participants": "45", "description": "疏散演练"}


def _checklist_run(w, client):
    from hazardwatch.checklists.services import templates_load

    if not w.templates:
        templates_load()
        w.templates = True
    token = post_json(client, "/api/v1/checklists/runs", {"template": "family-home"}).json()["token"]
    assert post_json(client, f"/api/v1/checklists/runs/{token}/answers",
                     {"answers": [{"item": "ebike-indoor", "answer": "yes"}]}).status_code == 200
    return token


def _open311_key():
    from hazardwatch.apikeys.services import apikey_create

    return apikey_create(name="civic client")[1]


# --- the upload points: prepare(world, client) returns send(file) → response ---------------------------------

@dataclass(frozen=True)
class UploadPoint:
    key: str
    prepare: Callable
    keeps: str  # "clean": fresh JPEG only; "report": private original cut at the end + clean derivatives;
    #             "nothing": photos are only looked at (hashed), never stored


def _report_web(w, client):
    return lambda f: client.post(reverse("public:report"), {
        "description": DESCRIPTION, "latitude": SITE[0], "longitude": SITE[1], "category": "escape_route",
        "photos": [f]})


def _report_api(w, client):
    body = {"description": DESCRIPTION, "latitude": SITE[0], "longitude": SITE[1], "category": "escape_route"}
    return lambda f: client.post("/api/v1/reports", {"data": json.dumps(body), "photos": [f]})


def _duplicates(w, client):
    return lambda f: client.post(reverse("public:report_duplicates"), {
        "latitude": SITE[0], "longitude": SITE[1], "category": "escape_route", "photos": [f]},
        HTTP_ACCEPT="application/json")


def _open311(w, client):
    key = _open311_key()
    return lambda f: client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "gas", "description": DESCRIPTION, "lat": SITE[0],
        "long": SITE[1], "media": f})


def _feedback_web(w, client):
    receipt = _closed_case_receipt(w)
    return lambda f: client.post(reverse("public:status_feedback"), {"receipt_code": receipt, "fixed": "no",
                                                                       "comment": "还是堵着", "photo": f})


def _evidence_api(w, client):
    case, _ = _case_in_rectification(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(f"/api/v1/cases/{case.pk}/evidence", {"note": "已清理", "photos": [f]})


def _evidence_web(w, client):
    case, _ = _case_in_rectification(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(reverse("workbench:case_evidence", args=[case.pk]), {"note": "已清理", "photos": [f]})


def _checklist_photo_api(w, client):
    token = _checklist_run(w, client)
    return lambda f: client.post(f"/api/v1/checklists/runs/{token}/items/ebike-indoor/photo", {"photo": f})


def _checklist_run_web(w, client):
    token = _checklist_run(w, client)
    return lambda f: client.post(reverse("checklists:run", args=[token]), {
        "answer_ebike-indoor": "yes", "note_ebike-indoor": "楼道里充电", "photo_ebike-indoor": f})


def _drill_observation_api(w, client):
    drill = _running_drill(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(f"/api/v1/drills/{drill.pk}/observations", {"text": "集合点清点", "photos": [f]})


def _drill_record_api(w, client):
    drill = _running_drill(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(f"/api/v1/drills/{drill.pk}/record", {"data": json.dumps(_record_fields()),
                                                                         "photos": [f]})


def _drill_issue_api(w, client):
    drill = _running_drill(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(f"/api/v1/drills/{drill.pk}/issues", {
        "data": json.dumps({"description": "安全出口被锁闭，疏散受阻", "category": "escape_route"}), "photos": [f]})


def _drill_observe_web(w, client):
    drill = _running_drill(w)
    client.force_login(w.city.officer_liu)
    return lambda f: client.post(reverse("drills:observe", args=[drill.pk]), {"text": "集合点清点", "photos": [f]})


def _campaign_activity_api(w, client):
    campaign = _campaign(w)
    client.force_login(w.city.officer_liu)
    url = f"/api/v1/campaigns/{campaign.pk}/units/{w.city.enterprise.pk}/activities"
    return lambda f: client.post(url, {**_activity_fields(), "photos": [f]})


def _campaign_activity_web(w, client):
    campaign = _campaign(w)
    client.force_login(w.city.officer_liu)
    url = reverse("campaigns:unit_activity", args=[campaign.pk, w.city.enterprise.pk])
    return lambda f: client.post(url, {**_activity_fields(), "photos": [f]})


POINTS = [
    UploadPoint("public-report-form", _report_web, "report"),
    UploadPoint("api-reports", _report_api, "report"),
    UploadPoint("public-duplicates-lookup", _duplicates, "nothing"),
    UploadPoint("open311-requests", _open311, "report"),
    UploadPoint("public-fix-feedback", _feedback_web, "clean"),
    UploadPoint("api-case-evidence", _evidence_api, "clean"),
    UploadPoint("workbench-case-evidence", _evidence_web, "clean"),
    UploadPoint("api-checklist-item-photo", _checklist_photo_api, "clean"),
    UploadPoint("checklist-run-form", _checklist_run_web, "clean"),
    UploadPoint("api-drill-observation", _drill_observation_api, "clean"),
    UploadPoint("api-drill-record", _drill_record_api, "clean"),
    UploadPoint("api-drill-issue", _drill_issue_api, "report"),
    UploadPoint("drill-observe-form", _drill_observe_web, "clean"),
    UploadPoint("api-campaign-activity", _campaign_activity_api, "clean"),
    UploadPoint("campaign-activity-form", _campaign_activity_web, "clean"),
]


@pytest.fixture
def world(city, settings, client):
    from types import SimpleNamespace

    settings.HAZARDWATCH_MAX_PHOTO_BYTES = hostile.PHOTO_LIMIT
    client.cookies["django_language"] = "en"
    return SimpleNamespace(city=city, n=0, templates=False)


# --- what is stored -----------------------------------------------------------------------------------------

def _rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if not m._meta.proxy and m._meta.managed}


def _files(settings) -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def _send(send, sample, on_commit):
    with on_commit(execute=True):  # the tasks a submission enqueues (derivatives) run too
        return send(upload(sample))


def _text(response) -> str:
    return html.unescape(response.content.decode("utf-8", "replace"))


def _clean_problems(data: bytes, sample: hostile.Sample) -> list[str]:
    """Why a stored picture is not a fresh image without metadata (empty if it is)."""
    problems = []
    if data == sample.data:
        problems.append("stored as uploaded")
    if hostile.MARKER in data:
        problems.append("payload kept")
    if b"Exif\x00\x00" in data or b"http://ns.adobe.com/xap" in data:
        problems.append("EXIF or XMP kept")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("JPEG", "WEBP"):
                problems.append(f"format {img.format}")
            if img.getexif():
                problems.append("EXIF tags kept")
            w, h = img.size
            ew, eh = sample.size
            if (w >= h) != (ew >= eh):
                problems.append(f"orientation not applied: {img.size} for {sample.size}")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"not a picture: {exc}")
    return problems


# --- the tests ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("point", POINTS, ids=lambda p: p.key)
def test_hostile_files_are_refused_with_the_reason_and_nothing_is_stored(point, world, client, settings, on_commit):
    send = point.prepare(world, client)
    failures = []
    for sample in hostile.samples("reject"):
        rows, files = _rows(), _files(settings)
        response = _send(send, sample, on_commit)
        with translation.override("en"):
            expected = str(MESSAGES[sample.reason]).format(name=sample.filename,
                                                           limit=hostile.PHOTO_LIMIT // (1024 * 1024))
        if not 400 <= response.status_code < 500 or response.status_code in (401, 403, 404):
            failures.append(f"{sample.key}: HTTP {response.status_code}")
        elif expected not in _text(response):
            failures.append(f"{sample.key}: message {expected!r} missing")
        after_rows, after_files = _rows(), set(_files(settings))
        changed = {k: (v, after_rows[k]) for k, v in rows.items() if after_rows[k] != v}
        if changed:
            failures.append(f"{sample.key}: rows stored {changed}")
        if after_files != set(files):
            failures.append(f"{sample.key}: files stored {sorted(after_files - set(files))}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("point", POINTS, ids=lambda p: p.key)
def test_accepted_photos_are_stored_only_as_fresh_pictures(point, world, client, settings, on_commit):
    failures = []
    root = Path(settings.MEDIA_ROOT).resolve()
    for sample in hostile.samples("accept"):
        send = point.prepare(world, client)
        files = _files(settings)
        response = _send(send, sample, on_commit)
        if response.status_code >= 400:
            failures.append(f"{sample.key}: HTTP {response.status_code} {_text(response)[:300]}")
            continue
        new = {k: v for k, v in _files(settings).items() if k not in files}
        if not all((root / k).resolve().is_relative_to(root) for k in new):
            failures.append(f"{sample.key}: a file outside MEDIA_ROOT")
        if any("cron" in k or ".." in k for k in new):
            failures.append(f"{sample.key}: the client's file name reached storage: {sorted(new)}")
        if point.keeps == "nothing":
            if new:
                failures.append(f"{sample.key}: stored {sorted(new)}")
            continue
        if point.keeps == "report":
            originals = {k: v for k, v in new.items() if k.startswith("private/")}
            derived = {k: v for k, v in new.items() if not k.startswith("private/")}
            if len(originals) != 1 or len(derived) != 2:
                failures.append(f"{sample.key}: expected an original and two derivatives, got {sorted(new)}")
                continue
            original = next(iter(originals.values()))
            if not sample.data.startswith(original):
                failures.append(f"{sample.key}: the private original is not the uploaded picture")
            if sample.appended and hostile.MARKER in original:
                failures.append(f"{sample.key}: the appended payload is in the private original")
            new = derived
        elif len(new) != 1:
            failures.append(f"{sample.key}: expected one stored file, got {sorted(new)}")
        for name, data in new.items():
            for problem in _clean_problems(data, sample):
                failures.append(f"{sample.key}: {name}: {problem}")
    assert not failures, "\n".join(failures)


# --- files read by the command line (question banks): no HTTP upload exists, the same rules hold -------------

def _yaml_nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _yaml_laughs() -> bytes:
    """A billion-laughs bomb whose expansion is the list of questions (9**8 entries if anything expanded it)."""
    lines = [b"a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]".encode())
    return b"\n".join(lines + [b"questions: *i"])


QUESTION_FILES = [
    ("empty.yaml", b"", "the file must hold a list"),
    ("empty.csv", b"", "missing columns"),
    ("photo.csv", hostile.by_key("png-named-jpg").data, "not UTF-8"),
    ("photo.yaml", hostile.by_key("jpeg-gps-exif").data, "not UTF-8"),
    ("laughs.yaml", _yaml_laughs(), "must be a mapping"),
    ("python.yaml", b"- !!python/object/apply:os.system ['touch /tmp/hw-pwned']\n", "not valid YAML"),
    ("nested.yaml", _yaml_nested(100_000), "nested too deeply"),
    ("large.csv", b"code,kind,answer\n" + b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ("setup.exe", hostile.by_key("exe-named-png").data, "not UTF-8"),
    ("notes.txt", b"code,kind,answer\nq1,single,A\n", "use a .csv"),
]


@pytest.mark.parametrize(("name", "data", "reason"), QUESTION_FILES, ids=[q[0] for q in QUESTION_FILES])
def test_hostile_question_files_are_refused_with_the_reason_and_nothing_imported(name, data, reason, tmp_path,
                                                                                   capsys):
    from django.core.management import CommandError, call_command

    from hazardwatch.quizzes.models import Question

    path = tmp_path / name
    path.write_bytes(data)
    rows = _rows()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("quizzes", "import", str(path))
    assert reason in capsys.readouterr().err
    assert _rows() == rows and not Question.objects.exists()
    assert not Path("/tmp/hw-pwned").exists()


TEMPLATE_FILES = [
    ("nested.yaml", _yaml_nested(100_000), "nested too deeply"),
    ("photo.yaml", hostile.by_key("jpeg-gps-exif").data, "cannot read"),
    ("python.yaml", b"template: !!python/object/apply:os.system ['touch /tmp/hw-pwned']\n", "invalid YAML"),
    ("laughs.yaml", _yaml_laughs(), ""),
]


@pytest.mark.parametrize(("name", "data", "reason"), TEMPLATE_FILES, ids=[t[0] for t in TEMPLATE_FILES])
def test_hostile_checklist_template_files_are_refused_and_nothing_loaded(name, data, reason, tmp_path):
    from django.core.management import CommandError, call_command

    (tmp_path / name).write_bytes(data)
    rows = _rows()
    with pytest.raises(CommandError) as refused:
        call_command("checklists", "load", "--data", str(tmp_path))
    assert "nothing loaded" in str(refused.value) and reason in str(refused.value)
    assert _rows() == rows
    assert not Path("/tmp/hw-pwned").exists()
