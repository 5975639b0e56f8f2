"""Demo risk lists: several graded risk points with site zones for every demo enterprise.

Called from `demo.seed` after the cases exist. Points are written through `risk.services` (so they are
graded by the bands and audited); zones are rectangles of 30–200 m laid out around the enterprise's
location. Both methods and all four levels occur. Open major hazards of an enterprise are linked to its
most relevant point, which the four-colour map then shows red until the case closes.
"""
import datetime as dt
import random

from hazardwatch.accounts.models import OrganizationKind, User
from hazardwatch.cases.choices import OPEN_STATUSES, CaseGrade
from hazardwatch.cases.models import Case
from hazardwatch.risk import services as risk_services
from hazardwatch.risk.geometry import rectangle

# (area, width m, height m, dx m, dy m) — a site plan around the enterprise's location.
LAYOUT = [("生产车间", 120, 60, 0, 0), ("仓库", 70, 40, 0, 75), ("配电房", 30, 30, 85, -20),
          ("办公楼", 50, 35, -95, 10), ("装卸区", 60, 35, 80, 60), ("锅炉房", 35, 30, -80, -60)]

# (name, area index, activity, factors, accident types, method, scores, control level, measures)
T = "things"
P = "people"
E = "environment"
M = "management"
LIBRARY = {
    "default": [
        ("冲压作业", 0, "冲床、剪板机作业", [(T, "安全光幕失效"), (P, "违章手伸入模区")], ["machinery"], "lec", (3, 6, 15), "department"),
        ("可燃物料储存", 1, "纸箱、塑料原料堆放", [(T, "可燃物堆垛过高"), (M, "消防通道被占用")], ["fire"], "lec", (3, 6, 40), "company"),
        ("配电柜运行", 2, "低压配电柜", [(T, "绝缘老化"), (P, "无证电工作业")], ["electric_shock", "fire"], "ls", (2, 4), "team"),
        ("办公区用电", 3, "办公电器、电动车充电", [(T, "私拉乱接电线")], ["fire"], "ls", (2, 2), "post"),
        ("叉车装卸", 4, "叉车搬运", [(P, "无证驾驶叉车"), (E, "作业区照明不足")], ["vehicle", "object_strike"], "lec", (3, 6, 7), "team"),
        ("燃气锅炉", 5, "燃气锅炉运行", [(T, "燃气泄漏"), (M, "安全阀未定期校验")],
         ["boiler_explosion", "fire"], "lec", (1, 6, 40), "department"),
        ("高处检修", 0, "屋顶设备检修", [(P, "未系安全带"), (E, "屋面湿滑")], ["fall_from_height"], "ls", (3, 5), "department"),
    ],
    "chem": [
        ("储罐区", 0, "甲类易燃液体储罐", [(T, "储罐液位计失灵"), (M, "巡检记录缺失")],
         ["fire", "vessel_explosion"], "lec", (3, 6, 40), "company"),
        ("危化品仓库", 1, "危险化学品储存", [(T, "禁忌物料混存")], ["fire", "poisoning"], "ls", (4, 5), "company"),
        ("反应釜操作", 0, "放热反应釜", [(T, "温度联锁未投用"), (P, "误操作")],
         ["other_explosion", "poisoning"], "lec", (1, 6, 40), "department"),
        ("配电房", 2, "高低压配电", [(T, "防爆电气失效")], ["electric_shock"], "ls", (2, 3), "team"),
        ("受限空间作业", 5, "污水池清理", [(E, "硫化氢积聚"), (M, "未执行作业审批")], ["poisoning"], "ls", (3, 5), "company"),
        ("装卸车", 4, "槽车装卸", [(T, "静电接地缺失")], ["fire", "vehicle"], "lec", (3, 3, 15), "team"),
    ],
    "mine": [
        ("采掘工作面", 0, "爆破与掘进", [(E, "顶板破碎"), (M, "敲帮问顶不到位")], ["roof_fall", "blasting"], "lec", (6, 6, 15), "company"),
        ("炸药库", 1, "民爆物品储存", [(M, "出入库登记不全")], ["gunpowder_explosion"], "ls", (2, 5), "company"),
        ("提升运输", 4, "斜井提升", [(T, "钢丝绳磨损")], ["lifting", "vehicle"], "lec", (3, 6, 15), "department"),
        ("变电所", 2, "井下供电", [(T, "漏电保护失效")], ["electric_shock"], "ls", (2, 4), "team"),
        ("排水", 5, "主排水泵房", [(E, "雨季涌水")], ["water_inrush", "drowning"], "lec", (1, 3, 40), "department"),
    ],
    "public": [
        ("疏散通道", 0, "营业场所疏散", [(M, "安全出口上锁"), (P, "人员密集")], ["fire", "other_injury"], "lec", (3, 6, 40), "company"),
        ("后厨燃气", 1, "液化气灶具", [(T, "燃气软管老化"), (T, "无燃气报警器")], ["gas_explosion", "fire"], "ls", (3, 5), "department"),
        ("电梯扶梯", 4, "自动扶梯运行", [(T, "梳齿板损坏")], ["machinery"], "ls", (2, 3), "team"),
        ("配电间", 2, "配电设施", [(T, "配电箱门损坏")], ["electric_shock"], "lec", (1, 6, 7), "post"),
        ("库房", 3, "商品储存", [(T, "可燃物堆放")], ["fire"], "lec", (1, 3, 15), "post"),
    ],
    "site": [
        ("深基坑", 0, "基坑开挖支护", [(E, "边坡渗水"), (M, "监测数据未复核")], ["collapse"], "lec", (3, 6, 40), "company"),
        ("塔吊作业", 4, "塔式起重机吊装", [(T, "限位器失效"), (P, "无证指挥")], ["lifting", "object_strike"], "ls", (3, 5), "company"),
        ("脚手架", 1, "外脚手架搭设", [(P, "未系安全带")], ["fall_from_height"], "lec", (3, 6, 15), "department"),
        ("临时用电", 2, "施工临时用电", [(T, "一闸多机")], ["electric_shock"], "ls", (2, 4), "team"),
        ("生活区", 3, "工人宿舍", [(M, "违规使用大功率电器")], ["fire"], "ls", (1, 3), "post"),
    ],
}
GROUP = {"chem": "chem", "gas_station": "chem", "lpg": "chem", "fireworks": "chem", "mine": "mine", "quarry": "mine",
         "mall": "public", "hotel": "public", "restaurant": "public", "park": "public", "coach": "public",
         "site": "site"}
MEASURES = {
    "measures_engineering": "设置防护装置和监测报警，定期检测维护",
    "measures_management": "落实岗位责任制和作业审批，开展日常巡查",
    "measures_training": "岗前培训和专项安全教育，每年复训",
    "measures_ppe": "按岗位配发并检查劳动防护用品",
    "measures_emergency": "编制现场处置方案，每半年演练一次",
}
PEOPLE = ["张伟", "王芳", "李强", "刘敏", "陈杰", "杨静", "赵磊", "黄丽"]


def seed_risk_points(world, *, rng_seed: int = 4, log=print) -> dict:
    """Create risk lists for the demo enterprises and link their open major hazards. Returns counts."""
    rng = random.Random(rng_seed)  # its own generator, so the rest of the demo stays the same
    admin = User.objects.filter(is_superuser=True, username="admin_chen").first()
    n_points = n_links = 0
    levels: dict[str, int] = {}
    for spec, org in world.units:
        if org.kind != OrganizationKind.ENTERPRISE or org.lat is None:
            continue
        actor = world.unit_member.get(org.pk) or admin
        templates = LIBRARY[GROUP.get(spec.place_kind, "default")]
        chosen = templates if len(templates) <= 5 else rng.sample(templates, k=rng.randint(5, len(templates)))
        first = None
        for name, area_idx, activity, factors, types, method, scores, control in chosen:
            area, w, h, dx, dy = LAYOUT[area_idx]
            data = {
                "organization_id": org.pk, "name": name, "area": area, "activity": activity,
                "zone": rectangle(org.lat, org.lon, w, h, dx, dy),
                "hazard_factors": [{"category": c, "description": d} for c, d in factors],
                "accident_types": types, "method": method, "control_level": control,
                "responsible_person": rng.choice(PEOPLE), "responsible_department": area,
                "review_date": world.real_now.date() + dt.timedelta(days=rng.randint(-40, 300)),  # some overdue
                **MEASURES,
            }
            if method == "lec":
                data.update(l=scores[0], e=scores[1], c=scores[2])
            else:
                data.update(l=scores[0], s=scores[1])
            point = risk_services.risk_point_create(actor=actor, data=data)
            first = first or point
            n_points += 1
            levels[point.level] = levels.get(point.level, 0) + 1
        majors = Case.objects.filter(responsible_unit=org, grade=CaseGrade.MAJOR, status__in=list(OPEN_STATUSES))
        for case in majors[:2]:
            risk_services.risk_point_link_case(actor=admin, point_id=first.pk, case_id=case.pk)
            n_links += 1
    log(f"Risk lists: {n_points} points ({', '.join(f'{k} {v}' for k, v in sorted(levels.items()))}), "
        f"{n_links} open major hazards linked.")
    return {"risk_points": n_points, "risk_links": n_links}
