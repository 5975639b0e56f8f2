"""Demo drills: recorded evacuations with observations, a tabletop exercise whose issue became a hazard case,
an upcoming drill and a cancelled one, for the demo's units (officer_liu's mall first)."""
import datetime as dt

from django.utils import timezone

from hazardwatch.accounts.models import UNIT_ROLES, Membership, Organization, OrganizationKind, User
from hazardwatch.drills import services
from hazardwatch.drills.models import Drill

UNIT_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.SCHOOL, OrganizationKind.COMMUNITY)
MAX_UNITS = 8

EVACUATION = {
    OrganizationKind.ENTERPRISE: ("消防疏散演练", "二楼仓库起火冒烟，员工和顾客沿两侧疏散楼梯撤离到东侧广场集合点，各部门清点人数上报",
                                  "营业楼及东侧广场", "总指挥 1；疏散引导组 6；灭火行动组 4；救护组 2；员工及顾客"),
    OrganizationKind.SCHOOL: ("全校应急疏散演练", "教学楼三楼化学实验室起火，各班在任课教师带领下按疏散路线撤离到操场，班主任清点人数",
                              "教学楼及操场", "总指挥 1；楼层引导教师 12；各班学生；校医 1"),
    OrganizationKind.COMMUNITY: ("高层住宅火灾疏散演练", "12 号楼 8 层电动自行车电池起火，居民经楼梯撤离到小区广场，楼栋长清点人数",
                                 "12 号楼及小区广场", "网格员 3；楼栋长 6；物业保安 5；居民志愿者"),
}


def _actor(org, admin):
    member = (Membership.objects.filter(organization=org, role__in=list(UNIT_ROLES))
              .select_related("user").order_by("pk").first())
    return member.user if member else admin


def _plan(actor, org, *, kind, title, scenario, place, groups, when, minutes, people):
    return services.drill_plan(actor=actor, data={
        "organization_id": org.pk, "kind": kind, "title": title, "scenario": scenario, "place": place,
        "scheduled_at": when, "planned_minutes": minutes, "planned_participants": people,
        "participant_groups": groups, "lat": org.lat, "lon": org.lon})


def seed_drills(*, log=print) -> dict:
    """Create demo drills for up to MAX_UNITS located units. Returns counts."""
    if Drill.objects.exists():
        return {"drills": Drill.objects.count()}
    admin = User.objects.filter(username="admin_chen").first()
    units = list(Organization.objects.filter(kind__in=UNIT_KINDS, lat__isnull=False).order_by("pk"))
    liu = Membership.objects.filter(user__username="officer_liu").values_list("organization_id", flat=True).first()
    units.sort(key=lambda o: (o.pk != liu, o.kind != OrganizationKind.ENTERPRISE, o.pk))
    now = timezone.now()
    drills = issues = 0
    for i, org in enumerate(units[:MAX_UNITS]):
        actor = _actor(org, admin)
        if actor is None:
            continue
        title, scenario, place, groups = EVACUATION[org.kind]
        people = 60 + 25 * (i % 4)
        start = (now - dt.timedelta(days=20 + 9 * i)).replace(hour=9, minute=30, second=0, microsecond=0)
        drill = _plan(actor, org, kind="evacuation", title=title, scenario=scenario, place=place, groups=groups,
                      when=start, minutes=30, people=people)
        missing = 1 if i % 3 == 1 else 0
        services.drill_record(actor=actor, drill_id=drill.pk, data={
            "started_at": start, "ended_at": start + dt.timedelta(minutes=24 + i),
            "participants": people - missing, "evacuation_seconds": 190 + 17 * i, "headcount_expected": people,
            "headcount_accounted": people - missing, "headcount_note": "1 人请假，电话核实在家" if missing else "",
            "went_well": "警报后 1 分钟内各楼层引导员到位，集合点清点有序",
            "problems": "东侧楼梯口拥堵约 40 秒；广播在集合点听不清"})
        services.drill_observe(actor=actor, drill_id=drill.pk, at=start + dt.timedelta(minutes=3),
                               text="警报响起，二楼东侧楼梯口人员拥堵，引导员及时分流到西侧楼梯")
        services.drill_observe(actor=actor, drill_id=drill.pk, at=start + dt.timedelta(minutes=6),
                               text="全部人员到达集合点，开始清点人数")
        drills += 1
        if i == 0:
            services.drill_report_issue(actor=actor, drill_id=drill.pk, data={
                "description": "疏散时发现东侧安全出口门被货物堵住，只能打开一半", "category": "escape_route"})
            issues += 1
            tt_start = (now - dt.timedelta(days=6)).replace(hour=14, minute=0, second=0, microsecond=0)
            tabletop = _plan(actor, org, kind="tabletop", title="燃气泄漏桌面推演（数字推演）",
                             scenario="餐饮区燃气管道泄漏，推演报警、关阀、疏散、联络燃气公司和消防的流程", place="三楼会议室",
                             groups="安全管理部 3；物业 2；餐饮商户代表 4", when=tt_start, minutes=90, people=9)
            services.drill_record(actor=actor, drill_id=tabletop.pk, data={
                "started_at": tt_start, "ended_at": tt_start + dt.timedelta(minutes=85), "participants": 9,
                "went_well": "关阀和报警流程清楚", "problems": "两家商户不知道燃气总阀位置"})
            services.drill_observe(actor=actor, drill_id=tabletop.pk, at=tt_start + dt.timedelta(minutes=30),
                                   text="推演到关阀环节：两家商户找不到总阀位置")
            services.drill_report_issue(actor=actor, drill_id=tabletop.pk, data={
                "description": "三楼餐饮区燃气泄漏报警器未接入切断阀，推演中发现无法自动关阀", "category": "gas"})
            issues += 1
            _plan(actor, org, kind="emergency_response", title="危化品泄漏应急处置演练",
                  scenario="仓库油漆桶倾倒泄漏，启动应急预案：警戒、堵漏、收集、通风、上报", place="后院危化品仓库",
                  groups="应急处置组 5；警戒组 2；医疗救护 1", when=now + dt.timedelta(days=12), minutes=45, people=8)
            cancelled = _plan(actor, org, kind="hazard_identification", title="夏季隐患排查实战演练",
                              scenario="分组排查电动自行车停放充电、配电箱和消防通道", place="全场",
                              groups="各部门负责人 8", when=now + dt.timedelta(days=2), minutes=60, people=8)
            services.drill_cancel(actor=actor, drill_id=cancelled.pk, reason="暴雨橙色预警，改期另行通知")
            drills += 3
    log(f"Drills: {drills} drills, {issues} issues reported as hazards")
    return {"drills": drills, "drill_issues": issues}
