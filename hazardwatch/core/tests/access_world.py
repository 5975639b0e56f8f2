"""The access-matrix world: two districts of Zhengzhou, A (金水区) and B (二七区), each with the same cast of roles
and the same objects (cases with photos, a risk point, an inspection, a drill with a photo, a campaign, a reward
assessment, an exposure publication, a webhook subscription with a delivery, an API key).

Built through the public services and the HTTP API, the way users create these objects, once per test module
(see test_access_matrix.py); every test then runs inside a savepoint that is rolled back.
"""
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

ALL_SECTORS = ["fire", "industry_trade", "hazardous_chemicals", "fireworks", "mining", "construction", "gas",
               "road_transport", "special_equipment", "electrical", "household_community", "other"]

# The roles tested; each is one user of side A (admin: a superuser, who sees everything, so only positive).
# "api_key": no session, `Authorization: Bearer` with an API key of A's regulator acting as A's regulator staff.
ROLES = ("regulator_staff", "regulator_leader", "safety_officer", "grid_member", "reward_reviewer",
         "campaign_office", "api_key", "anonymous")

SIDES = {
    # code, district name, a point inside the district (WGS-84)
    "A": ("410105", "金水区", (34.78, 113.68)),
    "B": ("410103", "二七区", (34.755, 113.656)),
}


def jpeg(color=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _ok(resp, *codes):
    assert resp.status_code in (codes or (200, 201)), (resp.request["PATH_INFO"], resp.status_code, resp.content[:400])
    return resp


@dataclass
class Side:
    """One district: its organisations, one user per role, and one object of each kind."""

    name: str
    users: dict = field(default_factory=dict)
    objs: dict = field(default_factory=dict)

    def __getattr__(self, item):
        try:
            return self.__dict__["objs"][item]
        except KeyError as exc:
            raise AttributeError(item) from exc


def _user(username, org=None, role=None, **extra):
    from hazardwatch.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def build_side(label: str) -> Side:
    from hazardwatch.accounts.models import Organization, OrgPolicy
    from hazardwatch.places.models import Division

    code, district, at = SIDES[label]
    region = Division.objects.get(code=code)
    township = Division.objects.filter(parent=region).order_by("code").first()
    s = Side(label)
    o = s.objs
    o["region"] = region
    o["regulator"] = Organization.objects.create(kind="regulator", name=f"{district}应急管理局", region=region,
                                                 sectors=ALL_SECTORS)
    OrgPolicy.objects.create(organization=o["regulator"])
    o["enterprise"] = Organization.objects.create(kind="enterprise", name=f"{district}示例商贸有限公司", region=region,
                                                  lat=at[0], lon=at[1], primary_sector="industry_trade")
    o["community"] = Organization.objects.create(kind="community", name=f"{district}锦绣社区", region=township or region)
    o["office"] = Organization.objects.create(kind="campaign_office", name=f"{district}安全生产月活动办公室",
                                              region=region)
    low = label.lower()
    s.users = {
        "regulator_staff": _user(f"staff_{low}", o["regulator"], "regulator_staff"),
        "regulator_leader": _user(f"leader_{low}", o["regulator"], "regulator_leader"),
        "safety_officer": _user(f"officer_{low}", o["enterprise"], "safety_officer"),
        "grid_member": _user(f"grid_{low}", o["community"], "grid_member"),
        "reward_reviewer": _user(f"reviewer_{low}", o["regulator"], "reward_reviewer"),
        "campaign_office": _user(f"office_{low}", o["office"], "campaign_office"),
    }
    # a second reviewer: rewards need four eyes (a proposer never approves their own assessment)
    s.users["reward_reviewer_2"] = _user(f"reviewer2_{low}", o["regulator"], "reward_reviewer")
    client = Client()
    _cases(s, client, at)
    _risk(s, client, at)
    _inspection(s, client)
    _drill(s, client)
    _campaign(s, client)
    _rewards(s, client)
    _exposure(s, client)
    _webhook(s, client)
    _apikey(s)
    _quiz(s)
    client.logout()
    return s


def _submit(client, at, description, photo=None, contact=True):
    body = {"description": description, "latitude": at[0], "longitude": at[1], "category": "escape_route",
            "place_type": "residential"}
    if contact:
        body["contact"] = {"name": "王建国", "phone": "13912345678"}
    files = [SimpleUploadedFile("p.jpg", photo, "image/jpeg")] if photo else []
    client.logout()
    resp = _ok(client.post("/api/v1/reports", {"data": json.dumps(body), "photos": files}), 201)
    from hazardwatch.cases.models import Case

    return resp.json()["receipt_code"], Case.objects.get(reference=resp.json()["reference"])


def _act(client, user, case, action, **data):
    _ok(_post(_as(client, user), f"/api/v1/cases/{case.pk}/transitions", {"action": action, **data}), 200)


def _cases(s, client, at):
    """`case`: rectifying by the enterprise, with a report photo; `closed_case`: closed, with an evidence photo."""
    staff, officer = s.users["regulator_staff"], s.users["safety_officer"]
    for key, text in (("case", "小区地下车库消防通道被杂物堵塞，安全出口上锁"),
                      ("closed_case", "商场安全出口被货物堵塞，疏散指示灯不亮")):
        receipt, case = _submit(client, at, text, photo=jpeg())
        _act(client, staff, case, "accept")
        _act(client, staff, case, "grade", grade="general")
        _act(client, staff, case, "assign", responsible_unit_id=s.enterprise.pk)
        _act(client, officer, case, "start")
        s.objs[key], s.objs[key + "_receipt"] = case, receipt
    case = s.closed_case
    _ok(_as(client, officer).post(f"/api/v1/cases/{case.pk}/evidence", {
        "note": "已清理", "photos": [SimpleUploadedFile("a.jpg", jpeg((40, 160, 90)), "image/jpeg")]}), 200)
    _act(client, staff, case, "approve")
    receipt, case3 = _submit(client, at, "加油站旁堆放大量易燃杂物，无人看管")
    _act(client, staff, case3, "accept")
    _act(client, staff, case3, "grade", grade="general")
    s.objs["verified_case"] = case3  # verified for rewards, nothing proposed yet
    from hazardwatch.cases.models import EvidencePhoto
    from hazardwatch.reports.models import ReportPhoto

    s.objs["report_photo"] = ReportPhoto.objects.filter(report__case=s.case).first()
    s.objs["evidence_photo"] = EvidencePhoto.objects.filter(event__case=case).first()
    for key in ("case", "closed_case"):
        s.objs[key].refresh_from_db()


def _risk(s, client, at):
    from hazardwatch.risk.geometry import rectangle
    from hazardwatch.risk.models import RiskPoint

    body = {"organization_id": s.enterprise.pk, "name": f"{s.region.name}危化品仓库", "area": "A 区仓库",
            "zone": rectangle(*at, 60, 40), "activity": "油漆、稀释剂储存",
            "hazard_factors": [{"category": "things", "description": "易燃液体泄漏"}],
            "accident_types": ["fire"], "method": "lec", "l": 3, "e": 6, "c": 15, "control_level": "department",
            "measures_engineering": "防爆电气", "measures_emergency": "灭火器", "responsible_person": "刘洋",
            "responsible_department": "仓储部", "review_date": "2030-12-31"}
    resp = _ok(_post(_as(client, s.users["safety_officer"]), "/api/v1/risk/points", body), 201)
    s.objs["risk_point"] = RiskPoint.objects.get(pk=resp.json()["id"])
    s.objs["risk_point_body"] = body
    _ok(_post(client, f"/api/v1/risk/points/{s.risk_point.pk}/cases", {"case_id": s.case.pk}), 201)


def _inspection(s, client):
    from hazardwatch.checklists.models import Inspection

    _ok(_post(_as(client, s.users["regulator_staff"]), "/api/v1/checklists/inspections", {
        "unit_id": s.enterprise.pk, "template": "enterprise", "interval": "once", "announced": True,
        "due_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}), 201)
    s.objs["inspection"] = Inspection.objects.filter(unit=s.enterprise).latest("pk")
    # a checklist run started by the unit (a capability URL: its token)
    resp = _ok(_post(_as(client, s.users["safety_officer"]), "/api/v1/checklists/runs",
                     {"template": "enterprise", "unit_id": s.enterprise.pk}), 201)
    s.objs["run_token"] = resp.json()["token"]


def _drill(s, client):
    from hazardwatch.drills import services
    from hazardwatch.drills.models import DrillPhoto

    officer = s.users["safety_officer"]
    when = timezone.localtime(timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    body = {"organization_id": s.enterprise.pk, "kind": "evacuation", "title": f"{s.region.name}春季消防疏散演练",
            "scenario": "二楼仓库起火，全员按疏散路线撤离到东侧广场集合点清点人数", "scheduled_at": when,
            "place": "办公楼及东侧广场", "planned_minutes": 30, "planned_participants": 80,
            "participant_groups": "总指挥 1；员工 79"}
    s.objs["drill_body"] = body
    drill = services.drill_plan(actor=officer, data=body)
    services.drill_start(actor=officer, drill_id=drill.pk)
    _ok(_as(client, officer).post(f"/api/v1/drills/{drill.pk}/observations", {
        "text": "集合点广播听不清", "photos": [SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")]}), 201)
    s.objs["drill"] = drill
    s.objs["drill_photo"] = DrillPhoto.objects.filter(drill=drill).first()
    s.objs["planned_drill"] = services.drill_plan(actor=officer, data=body)


def _campaign(s, client):
    from hazardwatch.campaigns.models import Campaign

    today = timezone.localdate()
    s.objs["campaign"] = Campaign.objects.create(
        office=s.office, title=f"{s.region.name}安全生产月", theme="人人讲安全、个个会应急",
        starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=20),
        liaison_due=today + dt.timedelta(days=2), summary_due=today + dt.timedelta(days=10),
        unit_kinds=["enterprise"], reminder_days=3, status="open", created_by=s.users["campaign_office"])


def _rewards(s, client):
    from hazardwatch.rewards.models import RewardAssessment

    resp = _post(_as(client, s.users["regulator_staff"]), f"/api/v1/rewards/cases/{s.case.pk}/assessment",
                 {"known_note": ""})
    _ok(resp, 201)
    s.objs["assessment"] = RewardAssessment.objects.get(pk=resp.json()["id"])
    # the closed case's reward: approved by a reviewer and claimed by the reporter with the receipt code
    resp = _ok(_post(client, f"/api/v1/rewards/cases/{s.closed_case.pk}/assessment", {}), 201)
    aid = resp.json()["id"]
    _ok(_post(_as(client, s.users["reward_reviewer"]), f"/api/v1/rewards/assessments/{aid}/approve",
              {"note": "属实"}), 200)
    client.logout()
    _ok(_post(client, "/api/v1/rewards/claims", {
        "receipt_code": s.closed_case_receipt, "name": "张三", "id_number": "11010519491231002X",
        "phone": "13800138000", "payment_method": "alipay", "account": "13800138000", "declaration": True}), 201)
    s.objs["claimed_assessment"] = RewardAssessment.objects.get(pk=aid)


def _exposure(s, client):
    from hazardwatch.exposure.models import Publication
    from hazardwatch.exposure.services import photo_candidates

    staff, leader = s.users["regulator_staff"], s.users["regulator_leader"]
    resp = _ok(_post(_as(client, staff), f"/api/v1/exposure/cases/{s.closed_case.pk}/proposals"), 201)
    pub = Publication.objects.get(pk=resp.json()["id"])
    photos = [{"source": src, "id": p.pk, "boxes": []} for src, p in photo_candidates(s.closed_case)]
    _ok(_post(client, f"/api/v1/exposure/publications/{pub.pk}/redaction",
              {"title": f"{s.region.name}商场安全出口被堵塞", "text": "安全出口被货物堵塞。已责令清理。", "photos": photos}), 200)
    _ok(_post(client, f"/api/v1/exposure/publications/{pub.pk}/transitions", {"action": "submit"}), 200)
    _ok(_post(_as(client, leader), f"/api/v1/exposure/publications/{pub.pk}/transitions",
              {"action": "sign_off"}), 200)
    pub.refresh_from_db()
    s.objs["publication"] = pub
    s.objs["exposure_photo"] = pub.photos.first()


def _webhook(s, client):
    import uuid

    from hazardwatch.webhooks.models import Delivery, Subscription

    # made directly: the API resolves the target host, and tests have no network
    sub = Subscription.objects.create(name=f"{s.region.name}值班系统", target_url="http://127.0.0.1:9/hw",
                                      event_types=["opened"], secret="s" * 40, organization=s.regulator,
                                      created_by=s.users["regulator_staff"])
    s.objs["subscription"] = sub
    s.objs["delivery"] = Delivery.objects.create(
        subscription=sub, event_id=uuid.uuid4(), event_type="opened", case_id=s.case.pk,
        case_reference=s.case.reference, body="{}", status="failed", attempts=1, max_attempts=1)


def _apikey(s):
    from hazardwatch.apikeys.services import apikey_create

    staff = s.users["regulator_staff"]
    s.objs["apikey"], s.objs["apikey_secret"] = apikey_create(name=f"{s.region.name}数据对接", user=staff,
                                                              organization=s.regulator, created_by=staff)


def _quiz(s):
    """A daily quiz attempt by the enterprise's taker (persisted result rows: the staff results pages)."""
    import secrets

    from hazardwatch.quizzes.models import Attempt, TakerProfile

    now = timezone.now()
    taker = TakerProfile.objects.create(token=secrets.token_hex(16), region=s.region, unit=s.enterprise)
    s.objs["attempt"] = Attempt.objects.create(
        token=secrets.token_hex(16), taker=taker, day=timezone.localdate(), region=s.region, unit=s.enterprise,
        started_at=now, deadline_at=now + dt.timedelta(minutes=5), score=30, correct_count=3, answered_count=5)


@dataclass
class World:
    A: Side
    B: Side
    admin: object
    media_root: str

    def user(self, role):
        if role in ("anonymous", "api_key"):
            return None
        if role == "admin":
            return self.admin
        return self.A.users[role]


def build_world(media_root) -> World:
    from hazardwatch.checklists.services import templates_load
    from hazardwatch.places.services import DATA_DIR, divisions_load

    divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    templates_load()
    admin = _user("admin_matrix", is_superuser=True, is_staff=True)
    a = build_side("A")
    b = build_side("B")
    return World(A=a, B=b, admin=admin, media_root=str(media_root))
