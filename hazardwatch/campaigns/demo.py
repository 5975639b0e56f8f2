"""Demo campaign: office_wu's Safety Production Month with liaison officers, activities and one summary.

Called from `demo.seed` after the cases exist (real clock). Everything goes through `campaigns.services`
with the demo users, so it is checked and audited like real use. officer_liu's mall has registered on time,
recorded activities and filed its summary; grid_zhou's community registered late and has not filed yet (so the
demo can file it); the other units have done nothing yet (missing liaison officers, summaries not yet due).
"""
import datetime as dt

from django.utils import timezone

from hazardwatch.accounts.models import Membership, User
from hazardwatch.campaigns import services

ACTIVITIES = [
    ("officer_liu", "lecture", 12, "三楼会议室", 46, "主要负责人讲解重大事故隐患判定标准和安全出口管理要求"),
    ("officer_liu", "drill", 8, "商场一层及疏散通道", 180, "夜间火灾疏散演练，用时 4 分 20 秒"),
    ("officer_liu", "consultation", 3, "商场北门广场", 320, "安全宣传咨询日：发放电动车充电安全资料"),
    ("grid_zhou", "training", 5, "社区活动中心", 38, "燃气安全和电动自行车入户充电危害培训"),
]


def _unit_of(user):
    m = Membership.objects.filter(user=user, role__in=["safety_officer", "grid_member"]).first()
    return m.organization_id if m else None


def seed_campaigns(*, log=print) -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=["office_wu", "officer_liu", "grid_zhou"])}
    if "office_wu" not in users:
        return {"campaigns": 0}
    today = timezone.localdate()
    office_wu = users["office_wu"]
    campaign = services.campaign_create(actor=office_wu, data={
        "title": f"{today.year}年安全生产月", "theme": "人人讲安全、个个会应急——查找身边隐患",
        "description": "各单位于截止日前报送联络员，组织宣讲、演练、咨询日等活动，并报送活动总结。",
        "starts_on": today - dt.timedelta(days=30), "ends_on": today + dt.timedelta(days=10),
        "liaison_due": today + dt.timedelta(days=1), "summary_due": today + dt.timedelta(days=5),
        "unit_kinds": ["enterprise", "school", "community"], "reminder_days": 3, "status": "open"})
    liu = users.get("officer_liu")
    zhou = users.get("grid_zhou")
    if liu and _unit_of(liu):
        services.liaison_register(actor=liu, campaign_id=campaign.pk, unit_id=_unit_of(liu), data={
            "name": "刘洋", "position": "安全管理部经理", "phone": "13803710001", "email": "liuyang@example.cn"})
    # the liaison deadline passed two weeks ago (officer_liu registered in time; grid_zhou is late)
    services.campaign_update(actor=office_wu, campaign_id=campaign.pk,
                             data={"liaison_due": today - dt.timedelta(days=16)})
    if zhou and _unit_of(zhou):
        services.liaison_register(actor=zhou, campaign_id=campaign.pk, unit_id=_unit_of(zhou), data={
            "name": "周芳", "position": "社区网格员", "phone": "0371-63210002"})
    n = 0
    for username, kind, days_ago, place, participants, text in ACTIVITIES:
        user = users.get(username)
        if user is None or not _unit_of(user):
            continue
        services.activity_create(actor=user, campaign_id=campaign.pk, unit_id=_unit_of(user), data={
            "kind": kind, "held_on": today - dt.timedelta(days=days_ago), "place": place,
            "participants": participants, "description": text})
        n += 1
    if liu and _unit_of(liu):
        services.summary_file(actor=liu, campaign_id=campaign.pk, unit_id=_unit_of(liu), data={
            "narrative": "本单位安全生产月期间组织专题宣讲、疏散演练和宣传咨询日活动，开展隐患自查自改，"
                         "对发现的安全出口堵塞、电动车违规充电等问题逐项整改。"})
    log(f"Campaign “{campaign.title}”: {n} activities, office_wu sees the overview at /staff/campaigns/.")
    return {"campaigns": 1, "campaign_activities": n}
