"""A realistic demo city: Zhengzhou's departments, units, people, and a few months of reports and cases.

Run with ``manage.py demo`` (see the command for options). Everything is written through the
project's services (``report_submit``, ``case_transition``, ``case_submit_evidence``,
``cases_mark_overdue``), so the data obeys the same rules and the same audit chain as real use.

History is simulated: while seeding, ``django.utils.timezone.now`` is replaced by a clock that walks
through the last ~120 days in event order, so report times, case events, deadlines and the audit chain
all carry consistent past timestamps (the audit chain verifies). The clock is restored afterwards.

The named cast (password for everyone: ``hazardwatch-demo``):

==============  ======  =================  ==========================================
username        name    role               organisation
==============  ======  =================  ==========================================
admin_chen      陈建华  admin (superuser)  郑州市应急管理局
inspector_li    李明    regulator_staff    郑州市金水区应急管理局
leader_zhao     赵国强  regulator_leader   郑州市金水区应急管理局
fire_wang       王磊    regulator_staff    郑州市金水区消防救援大队
city_sun        孙丽    regulator_leader   郑州市应急管理局 (city level)
officer_liu     刘洋    safety_officer     郑州金鼎商贸有限公司 (金水区, has cases in every state)
grid_zhou       周芳    grid_member        金水区花园路街道锦绣社区居民委员会
reviewer_qian   钱伟    reward_reviewer    郑州市应急管理局
office_wu       吴敏    campaign_office    郑州市安全生产月活动办公室
==============  ======  =================  ==========================================

Every other county-level department also gets one duty officer (``em_410102``, ``fire_410181``, …;
department key + county code) with the same password. All names and events are fictional.
"""
import datetime as dt
import random
import time
import zoneinfo
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from hazardwatch.accounts.models import Membership, Organization, OrganizationKind, OrgPolicy, Role, User
from hazardwatch.accounts.uscc import ALPHABET, uscc_check_char, uscc_is_valid
from hazardwatch.cases import services as case_services
from hazardwatch.cases.choices import CaseAction as A
from hazardwatch.cases.choices import CaseGrade, CaseStatus
from hazardwatch.cases.models import Case, EvidencePhoto
from hazardwatch.demo import data as D
from hazardwatch.core.errors import ApplicationError
from hazardwatch.demo import risk_seed, trust_seed
from hazardwatch.demo.images import scene_jpeg
from hazardwatch.campaigns.demo import seed_campaigns
from hazardwatch.checklists.demo import seed_checklists
from hazardwatch.drills.demo import seed_drills
from hazardwatch.exposure import demo as exposure_demo
from hazardwatch.places import geo
from hazardwatch.places.models import Division
from hazardwatch.places.services import DATA_DIR, division_for_point, divisions_load
from hazardwatch.quizzes.demo import seed_quizzes
from hazardwatch.reports.choices import CATEGORY_SECTOR, ReportSource
from hazardwatch.reports.models import Report, ReportPhoto
from hazardwatch.reports.services import ReportInput, report_fix_feedback, report_submit
from hazardwatch.rewards.demo import seed_rewards

PASSWORD = "hazardwatch-demo"
DEFAULT_SEED = 20260616
DAYS = 120
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MARKER_USERNAME = "admin_chen"

# (username, display name, role, organisation name) — the README shows this table.
CAST = [
    ("admin_chen", "陈建华", Role.ADMIN, "郑州市应急管理局"),
    ("inspector_li", "李明", Role.REGULATOR_STAFF, "郑州市金水区应急管理局"),
    ("leader_zhao", "赵国强", Role.REGULATOR_LEADER, "郑州市金水区应急管理局"),
    ("fire_wang", "王磊", Role.REGULATOR_STAFF, "郑州市金水区消防救援大队"),
    ("city_sun", "孙丽", Role.REGULATOR_LEADER, "郑州市应急管理局"),
    ("officer_liu", "刘洋", Role.SAFETY_OFFICER, D.OFFICER_LIU_UNIT),
    ("grid_zhou", "周芳", Role.GRID_MEMBER, D.GRID_ZHOU_UNIT),
    ("reviewer_qian", "钱伟", Role.REWARD_REVIEWER, "郑州市应急管理局"),
    ("office_wu", "吴敏", Role.CAMPAIGN_OFFICE, D.CAMPAIGN_OFFICE[0]),
]
CAST_USERNAMES = [row[0] for row in CAST]

STATUS_SHARES = [
    (CaseStatus.NEW, 0.15), (CaseStatus.REJECTED, 0.10), (CaseStatus.MERGED, 0.05), (CaseStatus.TRIAGED, 0.10),
    (CaseStatus.ASSIGNED, 0.15), (CaseStatus.RECTIFYING, 0.15), (CaseStatus.AWAITING_VERIFICATION, 0.10),
    (CaseStatus.CLOSED, 0.20),
]
# How far along the life cycle a status is; used to give older reports later statuses (with noise).
STATUS_RANK = {CaseStatus.NEW: 0, CaseStatus.REJECTED: 1, CaseStatus.TRIAGED: 1.5, CaseStatus.ASSIGNED: 2,
               CaseStatus.RECTIFYING: 3, CaseStatus.AWAITING_VERIFICATION: 4, CaseStatus.CLOSED: 5}
STATUS_NOISE = {CaseStatus.NEW: 1.8, CaseStatus.TRIAGED: 2.0}
OPEN_FINAL = {CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.ASSIGNED, CaseStatus.RECTIFYING,
              CaseStatus.AWAITING_VERIFICATION}
GRADED_FINAL = {CaseStatus.ASSIGNED, CaseStatus.RECTIFYING, CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED}

CORE_COUNTIES = {"410103", "410104", "410105"}
ORG_ONLY_KINDS = {"chem", "mine", "quarry", "lpg"}
NOT_IN_CORE_KINDS = {"factory", "warehouse", "village"}
ORG_PROBABILITY = {"xiaoqu": 0.3, "village": 0.5, "school": 0.6, "mall": 0.35}
CATEGORY_WEIGHT = {"ebike_charging": 3, "escape_route": 3, "fire_equipment": 2, "gas": 2, "electrical": 2,
                   "construction": 2, "building": 1.5}
# officer_liu's shopping mall: statuses of its reports, in order (the first is graded major).
LIU_PLAN = [(CaseStatus.CLOSED, "major"), (CaseStatus.RECTIFYING, "overdue"), (CaseStatus.AWAITING_VERIFICATION, ""),
            (CaseStatus.ASSIGNED, ""), (CaseStatus.CLOSED, "returned"), (CaseStatus.NEW, ""),
            (CaseStatus.TRIAGED, ""), (CaseStatus.RECTIFYING, ""), (CaseStatus.CLOSED, ""), (CaseStatus.ASSIGNED, "")]
LIU_AGE_DAYS = {CaseStatus.CLOSED: (55, 110), CaseStatus.AWAITING_VERIFICATION: (25, 60),
                CaseStatus.RECTIFYING: (15, 50), CaseStatus.ASSIGNED: (6, 30), CaseStatus.TRIAGED: (2, 20),
                CaseStatus.NEW: (0.2, 4)}


class DemoError(RuntimeError):
    pass


# --- the simulated clock ------------------------------------------------------------------------------

class _Clock:
    def __init__(self, real_now):
        self._real_now = real_now
        self.t: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.t if self.t is not None else self._real_now()


@contextmanager
def simulated_clock():
    """Replace django.utils.timezone.now (used by services, auto_now fields and the audit log)."""
    real = timezone.now
    clock = _Clock(real)
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real


# --- helpers -----------------------------------------------------------------------------------------

def demo_exists() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


def duty_usernames() -> list[str]:
    return [f"{dept}_{code}" for code in D.COUNTIES for dept in D.DEPARTMENTS]


def regulator_name(dept: str, code: str) -> tuple[str, str]:
    city_zh, county_zh, city_en, county_en, _ = D.DEPARTMENTS[dept]
    if code == D.CITY:
        return f"郑州市{city_zh}", f"Zhengzhou {city_en}"
    _, short, en, _, _ = D.COUNTIES[code]
    return f"{short}{county_zh}", f"{en} {county_en}, Zhengzhou"


def demo_org_names() -> list[str]:
    names = [regulator_name(dept, code)[0] for dept in D.DEPARTMENTS for code in [D.CITY, *D.COUNTIES]]
    names.append(D.CAMPAIGN_OFFICE[0])
    names += [u.name for u in (*D.ENTERPRISES, *D.SCHOOLS, *D.COMMUNITIES)]
    return names


def uscc_generate(rng: random.Random, first2: str, county: str, taken: set) -> str:
    while True:
        body = first2 + county + "".join(rng.choice(ALPHABET) for _ in range(9))
        code = body + uscc_check_char(body)
        if code not in taken and uscc_is_valid(code):
            taken.add(code)
            return code


def person_name(rng: random.Random) -> str:
    return rng.choice(D.SURNAMES) + rng.choice(D.GIVEN)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc)


# --- planning ----------------------------------------------------------------------------------------

@dataclass
class Spec:
    """One report to submit and the path its case will take."""

    idx: int
    t: dt.datetime
    template: D.Template
    county: str
    township: str
    place: str
    kind: str
    lat: float
    lon: float
    address: str
    unit_id: int | None = None  # the organisation the report is about, if registered
    status: str = ""
    graded: bool = False
    major: bool = False
    listed: bool = False
    disputed: bool = False
    returned: bool = False
    overdue: bool = False
    reject_after_accept: bool = False
    merge_target: "Spec | None" = None
    description: str = ""
    # filled in while running
    case_id: int | None = None
    regulator_id: int | None = None
    region_county: str = ""
    assigned_unit_id: int | None = None
    needs_past_deadline: bool = False
    receipt: str = ""  # the reporter's receipt code (kept in memory only, for the "was it fixed?" scene)

    @property
    def sector(self) -> str:
        return CATEGORY_SECTOR[self.template.category]


@dataclass
class World:
    rng: random.Random
    real_now: dt.datetime
    start: dt.datetime
    divisions: dict
    townships: dict  # county → [township Division]
    regulators: dict  # (dept, code) → Organization
    units: list  # (UnitSpec, Organization)
    units_by_name: dict
    place_by_org: dict
    users: dict = field(default_factory=dict)  # username → User
    duty_by_regulator: dict = field(default_factory=dict)  # regulator org id → User
    unit_member: dict = field(default_factory=dict)  # unit org id → User
    seq: int = 0


class Seeder:
    def __init__(self, *, reports: int, rng_seed: int, log):
        self.n = max(1, int(reports))
        self.rng = random.Random(rng_seed)
        # "was it fixed?" answers draw from their own generator, so they leave the rest of the city unchanged
        self.feedback_rng = random.Random(rng_seed + 1)
        self.log = log
        self.stats: Counter = Counter()
        self.photo_reports: list[int] = []

    # --- setup ----------------------------------------------------------------------------------------

    def setup(self, clock) -> World:
        rng = self.rng
        real_now = timezone.now()
        start = real_now - dt.timedelta(days=DAYS)
        clock.t = start - dt.timedelta(days=30)
        divisions_load(DATA_DIR / "divisions_zhengzhou.json")
        divisions = {d.code: d for d in Division.objects.all()}
        townships = defaultdict(list)
        for d in divisions.values():
            if d.level == "township":
                townships[d.parent_id].append(d)
        for code in D.COUNTIES:
            if code not in divisions:
                raise DemoError(f"division {code} is missing from divisions_zhengzhou.json")
            townships[code].sort(key=lambda d: d.code)

        regulators = {}
        for code in [D.CITY, *D.COUNTIES]:
            region = divisions[code]
            for dept, spec in D.DEPARTMENTS.items():
                name, name_en = regulator_name(dept, code)
                lat, lon = self._jitter(region.lat, region.lon, 0.01)
                org = Organization(
                    kind=OrganizationKind.REGULATOR, name=name, name_en=name_en, region=region,
                    sectors=[str(s) for s in spec[4]], lat=lat, lon=lon,
                    address=f"{self._address_prefix(code)}{rng.choice(self._roads(code))}{rng.randint(1, 300)}号",
                )
                org.full_clean()
                org.save()
                general, major, acceptance = rng.choice(D.POLICIES)
                OrgPolicy.objects.create(organization=org, general_deadline_days=general, major_deadline_days=major,
                                         acceptance_days=acceptance)
                regulators[(dept, code)] = org
        city = divisions[D.CITY]
        office = Organization.objects.create(
            kind=OrganizationKind.CAMPAIGN_OFFICE, name=D.CAMPAIGN_OFFICE[0], name_en=D.CAMPAIGN_OFFICE[1],
            region=city, address="郑州市金水区金水路1号", lat=city.lat, lon=city.lon,
        )

        taken = set(Organization.objects.exclude(uscc="").values_list("uscc", flat=True))
        units = []
        for spec in (*D.ENTERPRISES, *D.SCHOOLS, *D.COMMUNITIES):
            township = divisions[spec.township]
            county = township.parent_id
            lat, lon, _ = self._point_in(township, 0.0025)
            uscc = ""
            if spec.kind == "enterprise":
                uscc = uscc_generate(rng, "91", county, taken)
            elif spec.kind == "school":
                uscc = uscc_generate(rng, "12", county, taken)
            org = Organization(
                kind=spec.kind, name=spec.name, name_en=spec.name_en, region=township, uscc=uscc,
                primary_sector=spec.sector if spec.kind == "enterprise" else "",
                address=f"{self._address_prefix(county)}{township.name_zh}{rng.choice(self._roads(county))}"
                        f"{rng.randint(1, 400)}号",
                lat=lat, lon=lon,
            )
            org.full_clean()
            org.save()
            units.append((spec, org))
        world = World(rng=rng, real_now=real_now, start=start, divisions=divisions, townships=dict(townships),
                      regulators=regulators, units=units, units_by_name={o.name: o for _, o in units},
                      place_by_org={o.pk: spec.place for spec, o in units})
        world.units_by_name[office.name] = office
        for (dept, code), org in regulators.items():
            world.units_by_name[org.name] = org
        self._people(world)
        self.stats["organizations"] = len(regulators) + 1 + len(units)
        return world

    def _people(self, world: World) -> None:
        rng = self.rng
        password = make_password(PASSWORD)  # hashed once: the demo password is public anyway
        memberships = []
        for username, display, role, org_name in CAST:
            user = User.objects.create(username=username, display_name=display, password=password,
                                       is_superuser=username == MARKER_USERNAME, is_staff=username == MARKER_USERNAME,
                                       email=f"{username}@example.com")
            memberships.append(Membership(user=user, organization=world.units_by_name[org_name], role=role))
        covered = {("em", "410105"), ("fire", "410105")}  # inspector_li and fire_wang
        for code in D.COUNTIES:
            for dept in D.DEPARTMENTS:
                if (dept, code) in covered:
                    continue
                user = User.objects.create(username=f"{dept}_{code}", display_name=person_name(rng), password=password)
                memberships.append(Membership(user=user, organization=world.regulators[(dept, code)],
                                              role=Role.REGULATOR_STAFF))
        Membership.objects.bulk_create(memberships)
        # Fresh instances: jurisdiction is cached on the user object.
        world.users = {u.username: u for u in User.objects.filter(username__in=CAST_USERNAMES + duty_usernames())}
        for m in Membership.objects.filter(user__in=world.users.values()).select_related("organization"):
            user = world.users[m.user.username]
            if m.role == Role.REGULATOR_STAFF:
                world.duty_by_regulator[m.organization_id] = user
            elif m.role in (Role.SAFETY_OFFICER, Role.GRID_MEMBER):
                world.unit_member[m.organization_id] = user
        self.stats["users"] = len(world.users)

    # --- geometry ------------------------------------------------------------------------------------

    def _jitter(self, lat, lon, sigma):
        return lat + self.rng.gauss(0, sigma), lon + self.rng.gauss(0, sigma * 1.2)

    def _point_in(self, township: Division, sigma: float) -> tuple[float, float, Division]:
        """A point near the township centroid that still resolves to the same county, and its township."""
        county = township.parent_id
        for attempt in range(8):
            lat, lon = self._jitter(township.lat, township.lon, sigma / (1 + attempt))
            found = division_for_point(lat, lon)
            if found is not None and found.level == "township" and found.parent_id == county:
                return round(lat, 6), round(lon, 6), found
        return township.lat, township.lon, township

    @staticmethod
    def _address_prefix(code: str) -> str:
        return "郑州市" if code == D.CITY else D.COUNTIES[code][0]

    @staticmethod
    def _roads(code: str) -> tuple[str, ...]:
        return D.COUNTIES.get(code, D.COUNTIES["410105"])[4]

    # --- report specs --------------------------------------------------------------------------------

    def plan(self, world: World) -> list[Spec]:
        rng = self.rng
        n = self.n
        quotas = Counter()
        for status, share in STATUS_SHARES:
            quotas[status] = int(round(n * share))
        quotas[CaseStatus.CLOSED] += n - sum(quotas.values())
        if quotas[CaseStatus.CLOSED] < 0:
            quotas[CaseStatus.NEW] += quotas[CaseStatus.CLOSED]
            quotas[CaseStatus.CLOSED] = 0
        n_merged = quotas.pop(CaseStatus.MERGED)
        base_n = n - n_merged
        specs: list[Spec] = []

        # officer_liu's mall: several cases in every state of the life cycle.
        liu_org = world.units_by_name[D.OFFICER_LIU_UNIT]
        liu_templates = [t for t in D.TEMPLATES if "mall" in t.kinds]
        liu_templates.sort(key=lambda t: (not (t.major and t.category == "workplace"), t.category))
        liu_n = min(max(4, round(n * 0.03)), base_n // 4, len(LIU_PLAN))
        for i in range(liu_n):
            status, flag = LIU_PLAN[i]
            if quotas[status] <= 0:
                status = max(quotas, key=lambda s: quotas[s])
                flag = ""
            quotas[status] -= 1
            low, high = LIU_AGE_DAYS.get(status, (5, 30))
            spec = self._spec_for_unit(world, len(specs), liu_templates[i % len(liu_templates)], liu_org,
                                       world.real_now - dt.timedelta(days=rng.uniform(low, high)))
            spec.status = status
            spec.major = flag == "major"
            spec.overdue = flag == "overdue"
            spec.returned = flag == "returned"
            spec.graded = status in GRADED_FINAL or (status == CaseStatus.TRIAGED and rng.random() < 0.5)
            specs.append(spec)

        # Everyone else: every county once, every category once, then counties by weight.
        counties = list(D.COUNTIES)
        weights = [D.COUNTIES[c][3] for c in counties]
        wanted = max(0, base_n - len(specs))
        chosen: list[tuple[str, str | None]] = [(c, None) for c in counties]
        categories = sorted({t.category for t in D.TEMPLATES})
        rng.shuffle(categories)
        for category in categories:
            where = [c for c in counties if self._feasible(world, c, category)]
            chosen.append((rng.choice(where), category))
        chosen = chosen[:wanted]
        chosen += [(c, None) for c in rng.choices(counties, weights=weights, k=wanted - len(chosen))]
        rng.shuffle(chosen)
        generic = []
        for county, category in chosen:
            generic.append(self._spec_generic(world, len(specs) + len(generic), county, category))

        # Status: older reports tend to be further along (rank + noise, sorted against age).
        statuses = [s for s, k in quotas.items() for _ in range(max(0, k))]
        statuses = statuses[: len(generic)]
        while len(statuses) < len(generic):
            statuses.append(CaseStatus.NEW)
        statuses.sort(key=lambda s: STATUS_RANK[s] + rng.uniform(0, STATUS_NOISE.get(s, 3.5)))
        generic.sort(key=lambda s: s.t, reverse=True)  # youngest first
        for spec, status in zip(generic, statuses):
            spec.status = status
            spec.graded = status in GRADED_FINAL or (status == CaseStatus.TRIAGED and rng.random() < 0.5)
            spec.reject_after_accept = status == CaseStatus.REJECTED and rng.random() < 0.3
        specs += generic
        self._flags(world, specs, liu_n)
        specs += self._duplicates(world, specs, n_merged)
        specs.sort(key=lambda s: s.t)
        for i, spec in enumerate(specs):
            spec.idx = i
        return specs

    def _flags(self, world: World, specs: list[Spec], liu_n: int) -> None:
        rng = self.rng
        n = self.n
        age = {id(s): (world.real_now - s.t).total_seconds() / 86400 for s in specs}
        generic = specs[liu_n:]
        # major hazards (~8 %)
        n_major = max(1, round(n * 0.08)) - sum(s.major for s in specs)
        candidates = [s for s in generic if s.template.major and s.sector in D.CRITERIA and (
            s.status in GRADED_FINAL or s.status == CaseStatus.TRIAGED) and age[id(s)] >= (
            20 if s.status in (CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED) else 3)]
        picked: Counter = Counter()
        for _ in range(max(0, n_major)):
            if not candidates:
                break
            # spread over templates; prefer sectors whose leaders are in the cast (leader_zhao, city_sun)
            weights = [(3 if s.sector in D.EM_SECTORS else 1) / (1 + 2 * picked[s.template.text]) for s in candidates]
            s = candidates.pop(rng.choices(range(len(candidates)), weights=weights)[0])
            picked[s.template.text] += 1
            s.major = s.graded = True
        for s in specs:
            if s.major:
                s.listed = rng.random() < (0.2 if s.status == CaseStatus.CLOSED else 0.45)
        if not any(s.listed for s in specs):
            open_majors = [s for s in specs if s.major and s.status != CaseStatus.CLOSED]
            if open_majors:
                open_majors[0].listed = True
        # disputed by the reporter after closing (a few): half end re-opened, half closed again
        n_disp = max(1, round(n * 0.02)) if n >= 20 else 0
        pool_t = [s for s in generic if s.status == CaseStatus.TRIAGED and not s.major and age[id(s)] >= 25]
        pool_c = [s for s in generic if s.status == CaseStatus.CLOSED and not s.major and age[id(s)] >= 35]
        for i in range(n_disp):
            pool = pool_t if (i % 2 == 0 and pool_t) or not pool_c else pool_c
            if pool:
                s = pool.pop(rng.randrange(len(pool)))
                s.disputed = s.graded = True
        # returned once at the acceptance check
        done = [s for s in generic if s.status in (CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED)]
        for s in rng.sample(done, min(len(done), round(n * 0.05))):
            s.returned = True
        # overdue (~20 per 300)
        n_over = round(n * 20 / 300) - sum(s.overdue for s in specs)
        pool = [s for s in generic if s.status in (CaseStatus.ASSIGNED, CaseStatus.RECTIFYING)]
        for s in rng.sample(pool, min(len(pool), max(0, n_over))):
            s.overdue = True

    def _duplicates(self, world: World, specs: list[Spec], n_merged: int) -> list[Spec]:
        rng = self.rng
        targets = [s for s in specs if s.status in OPEN_FINAL and not s.disputed
                   and (world.real_now - s.t) > dt.timedelta(days=1)]
        dups = []
        for _ in range(n_merged):
            if not targets:
                break
            target = targets.pop(rng.randrange(len(targets)))
            age = (world.real_now - target.t).total_seconds() / 86400
            t = target.t + dt.timedelta(days=rng.uniform(0.05, min(10, age * 0.6)))
            lat, lon = target.lat + rng.gauss(0, 0.0002), target.lon + rng.gauss(0, 0.0002)
            dup = Spec(idx=0, t=t, template=target.template, county=target.county, township=target.township,
                       place=target.place, kind=target.kind, lat=round(lat, 6), lon=round(lon, 6),
                       address=target.address, unit_id=target.unit_id, status=CaseStatus.MERGED, merge_target=target)
            base = target.description.rstrip("。，")
            for suffix in D.SUFFIXES + D.HOME_SUFFIXES:
                if suffix and base.endswith(suffix.rstrip("。")):
                    base = base[: -len(suffix.rstrip("。"))]
            dup.description = base + rng.choice(D.DUPLICATE_SUFFIXES) + "。"
            dups.append(dup)
        return dups

    def _spec_for_unit(self, world, idx, template, org, t) -> Spec:
        rng = self.rng
        spec = Spec(idx=idx, t=self._daytime(world, t), template=template, county=org.region.parent_id,
                    township=org.region_id, place=self._unit_place(world, org), kind=template.kinds[0],
                    lat=round(org.lat + rng.gauss(0, 0.0003), 6), lon=round(org.lon + rng.gauss(0, 0.0003), 6),
                    address=org.address, unit_id=org.pk)
        spec.description = self._describe(spec)
        return spec

    @staticmethod
    def _unit_place(world: World, org) -> str:
        return world.place_by_org.get(org.pk, org.name)

    def _feasible(self, world: World, county: str, category: str | None = None) -> list:
        feasible = []
        for template in D.TEMPLATES:
            if category and template.category != category:
                continue
            kinds = [k for k in template.kinds if self._kind_ok(world, county, k)]
            if kinds:
                feasible.append((template, kinds))
        return feasible

    def _spec_generic(self, world: World, idx: int, county: str, category: str | None = None) -> Spec:
        rng = self.rng
        feasible = self._feasible(world, county, category)
        template, kinds = rng.choices(feasible, weights=[CATEGORY_WEIGHT.get(t.category, 1) for t, _ in feasible])[0]
        kind = rng.choice(kinds)
        orgs = self._orgs_of_kind(world, county, kind)
        age_days = DAYS * (1 - rng.random() ** 0.7) if rng.random() < 0.8 else rng.uniform(0, 10)
        t = self._daytime(world, world.real_now - dt.timedelta(days=age_days))
        if orgs and (kind in ORG_ONLY_KINDS or not self._generic_ok(world, county, kind)
                     or rng.random() < ORG_PROBABILITY.get(kind, 0.65)):
            spec = self._spec_for_unit(world, idx, template, rng.choice(orgs), t)
            spec.kind = kind
            return spec
        towns = world.townships[county]
        if kind == "village":
            towns = [d for d in towns if int(d.code[6:]) >= 100] or towns
        lat, lon, township = self._point_in(rng.choice(towns), 0.005)
        roads = self._roads(county)
        r, r2 = rng.sample(roads, 2)
        place = rng.choice(D.GENERIC_NAMES[kind]).format(
            p=rng.choice(D.NAME_PREFIXES), t=township.name_zh.removesuffix("街道").removesuffix("镇").removesuffix("乡"),
            r=r, r2=r2)
        if kind == "road":
            address = f"{self._address_prefix(county)}{township.name_zh}{place}"
        else:
            address = f"{self._address_prefix(county)}{township.name_zh}{r}{rng.randint(1, 400)}号{place}"
        spec = Spec(idx=idx, t=t, template=template, county=county, township=township.code, place=place, kind=kind,
                    lat=lat, lon=lon, address=address)
        spec.description = self._describe(spec)
        return spec

    def _describe(self, spec: Spec) -> str:
        rng = self.rng
        text = spec.template.text.format(place=spec.place, n=rng.randint(1, 28), m=rng.randint(1, 6))
        suffixes = D.SUFFIXES + (D.HOME_SUFFIXES if spec.kind in D.HOME_KINDS else [])
        return text + rng.choice(suffixes)

    def _orgs_of_kind(self, world, county, kind):
        return [o for spec, o in world.units if spec.place_kind == kind and o.region.parent_id == county]

    def _generic_ok(self, world, county, kind) -> bool:
        if kind in ORG_ONLY_KINDS:
            return False
        if county in CORE_COUNTIES and kind in NOT_IN_CORE_KINDS:
            return False
        if kind == "village" and not any(int(d.code[6:]) >= 100 for d in world.townships[county]):
            return False
        return True

    def _kind_ok(self, world, county, kind) -> bool:
        return self._generic_ok(world, county, kind) or bool(self._orgs_of_kind(world, county, kind))

    def _daytime(self, world: World, t: dt.datetime) -> dt.datetime:
        """Move a time to a plausible local hour (07:00–22:59) on the same day, never in the future."""
        local = t.astimezone(LOCAL_TZ)
        hour = self.rng.choices(range(7, 23), weights=[2, 4, 5, 5, 4, 3, 3, 4, 4, 4, 3, 3, 4, 4, 3, 2])[0]
        local = local.replace(hour=hour, minute=self.rng.randrange(60), second=self.rng.randrange(60),
                              microsecond=self.rng.randrange(10**6))
        value = _utc(local)
        latest = world.real_now - dt.timedelta(minutes=30)
        if value > latest:
            value = latest - dt.timedelta(minutes=self.rng.uniform(1, 600))
        return max(value, world.start)

    # --- the event timeline of each case ------------------------------------------------------------

    def timeline(self, world: World, specs: list[Spec]) -> list[tuple]:
        events = []
        # the periodic overdue check, as a nightly job at 02:00 local time
        day = world.start.astimezone(LOCAL_TZ).date()
        while True:
            tick = _utc(dt.datetime.combine(day, dt.time(2, 0), LOCAL_TZ))
            if tick >= world.real_now:
                break
            if tick > world.start:
                events.append((tick, 0, -1, "overdue_check", {}))
            day += dt.timedelta(days=1)
        for spec in specs:
            events.append((spec.t, 0, spec.idx, "submit_report", {}))
            for order, (t, action, payload) in enumerate(self._case_steps(world, spec), start=1):
                events.append((t, order, spec.idx, action, payload))
        events.sort(key=lambda e: (e[0], e[2], e[1]))
        return events

    def _case_steps(self, world: World, spec: Spec) -> list[tuple]:
        rng = self.rng
        u = rng.uniform
        steps: list[tuple[float, str, dict]] = []  # (days after the previous step, action, payload)
        status = spec.status
        if status == CaseStatus.NEW:
            return []
        if status == CaseStatus.MERGED:
            steps.append((u(0.05, 1.5), "merge", {}))
        elif status == CaseStatus.REJECTED:
            if spec.reject_after_accept:
                steps.append((u(0.05, 2), "accept", {}))
            steps.append((u(0.1, 3), "reject", {}))
        else:
            first = u(0.05, 2.5)
            if status == CaseStatus.TRIAGED and not spec.disputed and rng.random() < 0.85:
                age = (world.real_now - spec.t).total_seconds() / 86400
                first = max(first, age - u(0.3, 3.5))
            steps.append((first, "accept", {}))
            if spec.graded:
                steps.append((u(2, 7) if spec.major else u(0, 1.5), "grade", {}))
                if spec.listed and status == CaseStatus.TRIAGED:
                    steps.append((u(0.5, 4), "list", {}))
            if status in GRADED_FINAL or spec.disputed:
                steps.append((u(0.02, 1.5), "assign", {"last": not spec.disputed}))
                if spec.listed and status != CaseStatus.TRIAGED:
                    steps.append((u(0.5, 3), "list", {}))
                if status in (CaseStatus.RECTIFYING, CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED) \
                        or spec.disputed:
                    if spec.major:
                        steps.append((u(1, 6), "plan", {}))
                    steps.append((u(0.2, 3), "start", {}))
                if status in (CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED) or spec.disputed:
                    steps.append((u(15, 45) if spec.major else u(2, 14), "evidence", {}))
                    if spec.returned:
                        steps.append((u(1, 4), "return", {}))
                        steps.append((u(1, 7), "evidence", {}))
                if status == CaseStatus.CLOSED or spec.disputed:
                    steps.append((u(0.5, 6), "approve", {}))
                if spec.disputed:
                    steps.append((u(1, 8), "dispute", {}))
                    if status == CaseStatus.CLOSED:
                        steps += [(u(0.5, 3), "assign", {"last": True}), (u(0.3, 2), "start", {}),
                                  (u(2, 10), "evidence", {}), (u(1, 5), "approve", {})]
        latest = world.real_now - dt.timedelta(minutes=20)
        available = (latest - spec.t).total_seconds() / 86400
        total = sum(d for d, _, _ in steps)
        if total > available * 0.97:
            factor = available / total * u(0.6, 0.95)
            steps = [(d * factor, a, p) for d, a, p in steps]
        out, t = [], spec.t
        for days, action, payload in steps:
            # Never past `latest`: a step moved forward into office hours pushes the later ones along, which could
            # otherwise carry the last steps past the real present at some hours of the day.
            t = min(self._office_hours(t + dt.timedelta(days=max(days, 0.001)), t, latest), latest)
            out.append((t, action, payload))
        if status == CaseStatus.CLOSED and not spec.disputed and self.feedback_rng.random() < 0.4:
            answered = t + dt.timedelta(days=self.feedback_rng.uniform(0.3, 12))  # the reporter answers "yes"
            if answered < latest:
                out.append((answered, "feedback_yes", {}))
        if spec.status == CaseStatus.MERGED:
            target_t = spec.merge_target.t
            if out[0][0] <= target_t:
                out[0] = (target_t + dt.timedelta(minutes=5), *out[0][1:])
        return out

    def _office_hours(self, t: dt.datetime, previous: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """Move a step into 08:00–19:59 local time when that keeps the order and stays in the past."""
        local = t.astimezone(LOCAL_TZ)
        if 8 <= local.hour < 20:
            return t
        day = local.date() + dt.timedelta(days=1 if local.hour >= 20 else 0)
        moved = dt.datetime.combine(day, dt.time(8 + self.rng.randrange(10), self.rng.randrange(60)), LOCAL_TZ)
        moved = _utc(moved)
        if previous < moved < latest:
            return moved
        return t

    # --- running ---------------------------------------------------------------------------------------

    def run(self, world: World, clock, specs: list[Spec]) -> None:
        by_idx = {s.idx: s for s in specs}
        events = self.timeline(world, specs)
        self.stats["events_planned"] = len(events)
        for t, _order, idx, action, payload in events:
            clock.t = t
            if action == "overdue_check":
                self.stats["escalated_in_history"] += case_services.cases_mark_overdue()
                continue
            spec = by_idx[idx]
            if action == "submit_report":
                self._submit_report(world, spec)
            else:
                self._act(world, spec, action, payload, t)

    def _submit_report(self, world: World, spec: Spec) -> None:
        rng = self.rng
        tpl = spec.template
        description = spec.description
        contact_name = contact_phone = contact_email = ""
        is_employee = False
        source = ReportSource.WEB
        lat, lon, crs = spec.lat, spec.lon, "wgs84"
        if tpl.employee and spec.unit_id and spec.merge_target is None and rng.random() < 0.3:
            is_employee = True
            source = ReportSource.EMPLOYEE
            description = rng.choice(["我是这里的员工，", "本单位员工反映：", ""]) + description
        elif rng.random() < 0.05:
            source = ReportSource.STAFF
            description = description.rstrip("。") + "（12350热线来电，工作人员代录）"
        if is_employee or rng.random() < 0.3:
            name = person_name(rng)
            contact_name = name if rng.random() < 0.7 or is_employee else name[0] + rng.choice(["先生", "女士"])
            contact_phone = mobile(rng)
            if rng.random() < 0.15:
                contact_email = f"reporter{spec.idx}@example.com"
        crs_roll = rng.random()
        if crs_roll < 0.25:
            lat, lon = geo.wgs84_to_gcj02(lat, lon)
            crs = "gcj02"
            if source == ReportSource.WEB and rng.random() < 0.7:
                source = ReportSource.API  # the WeChat mini-program sends GCJ-02
        elif crs_roll < 0.28:
            lat, lon = geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(lat, lon))
            crs = "bd09"
        photos = []
        if rng.random() < 0.25:
            local = timezone.now().astimezone(LOCAL_TZ)
            jpeg = scene_jpeg(rng=rng, category=tpl.category, caption=description[:24],
                              stamp=local.strftime("%Y-%m-%d %H:%M"))
            photos.append(SimpleUploadedFile(f"IMG_{local:%Y%m%d_%H%M%S}.jpg", jpeg, content_type="image/jpeg"))
        report, spec.receipt = report_submit(ReportInput(
            description=description, latitude=round(lat, 6), longitude=round(lon, 6), crs=crs,
            category=tpl.category, place_type=tpl.place_type, address=spec.address, contact_name=contact_name,
            contact_phone=contact_phone, contact_email=contact_email, is_employee=is_employee, source=source,
            photos=photos,
        ))
        spec.case_id = report.case_id
        spec.regulator_id = report.case.regulator_id
        region = report.region
        if region is not None:
            spec.region_county = region.parent_id if region.level == "township" else region.code
        if photos:
            self.photo_reports.append(report.pk)
        self.stats["reports"] += 1
        self.stats[f"source_{source}"] += 1
        self.stats[f"crs_{crs}"] += 1
        self.stats["with_contact"] += bool(contact_phone)
        self.stats["with_photo"] += bool(photos)
        self.stats["employee"] += is_employee

    # actors

    def _staff(self, world: World, spec: Spec) -> User:
        return world.duty_by_regulator.get(spec.regulator_id) or world.users[MARKER_USERNAME]

    def _leader(self, world: World, spec: Spec) -> User:
        em_sector = spec.sector in D.EM_SECTORS
        if em_sector and spec.region_county == "410105":
            return world.users["leader_zhao"]
        if em_sector:
            return world.users["city_sun"]
        return world.users[MARKER_USERNAME]

    def _unit_actor(self, world: World, spec: Spec) -> User:
        return world.unit_member.get(spec.assigned_unit_id) or self._staff(world, spec)

    def _responsible_unit(self, world: World, spec: Spec) -> int:
        if spec.unit_id:
            return spec.unit_id
        county = spec.region_county or spec.county
        communities = [(s, o) for s, o in world.units if s.kind == "community" and o.region.parent_id == county]
        if not communities:
            communities = [(s, o) for s, o in world.units if s.kind == "community"]
        same = [o for s, o in communities if o.region_id == spec.township]
        return (same[0] if same else self.rng.choice(communities)[1]).pk

    def _act(self, world: World, spec: Spec, action: str, payload: dict, t: dt.datetime) -> None:
        rng = self.rng
        case_id = spec.case_id
        staff = self._staff(world, spec)
        if action == "accept":
            self._transition(case_id, A.ACCEPT, staff, {"note": rng.choice(D.ACCEPT_NOTES)})
        elif action == "reject":
            self._transition(case_id, A.REJECT, staff, {"reason": rng.choice(D.REJECT_REASONS)})
        elif action == "merge":
            target = spec.merge_target
            data = {"target_case_id": target.case_id, "note": "同一地点同一问题的重复举报，合并办理。"}
            if target.regulator_id == spec.regulator_id:
                self._transition(case_id, A.MERGE, staff, data)
            else:  # the two points fell on either side of a boundary: a merge across jurisdictions is refused
                try:
                    case_services.case_transition(case_id=case_id, action=A.MERGE,
                                                  actor=world.users[MARKER_USERNAME], data=data)
                except ApplicationError:
                    self.stats["merge_across_boundary_skipped"] += 1
        elif action == "grade":
            if spec.major:
                standard, items = D.CRITERIA[spec.sector]
                item = spec.template.major
                situation = dict(items)[item].rstrip("。")
                self._transition(case_id, A.GRADE, self._leader(world, spec), {
                    "grade": CaseGrade.MAJOR, "criterion_standard": standard, "criterion_item": item,
                    "note": f"经现场核查和集体讨论：{situation}，符合判定标准所列情形，认定为重大事故隐患。"})
                self.stats["major"] += 1
            else:
                self._transition(case_id, A.GRADE, staff, {"grade": CaseGrade.GENERAL,
                                                           "note": rng.choice(D.GENERAL_NOTES)})
        elif action == "list":
            self._transition(case_id, A.LIST, self._leader(world, spec), {"note": rng.choice(D.LIST_NOTES)})
            self.stats["listed"] += 1
        elif action == "assign":
            spec.assigned_unit_id = self._responsible_unit(world, spec)
            data = {"responsible_unit_id": spec.assigned_unit_id, "note": "请按期整改并上传整改照片。"}
            final = payload.get("last") and spec.status in (CaseStatus.ASSIGNED, CaseStatus.RECTIFYING)
            if final and spec.overdue:
                room = world.real_now - t - dt.timedelta(hours=6)
                if room > dt.timedelta(days=1):
                    deadline = t + room * rng.uniform(0.3, 0.9)
                    data["deadline"] = deadline.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
                else:
                    spec.needs_past_deadline = True
            elif final:
                days = rng.uniform(20, 80) if spec.major else rng.uniform(3, 40)
                data["deadline"] = (world.real_now + dt.timedelta(days=days)).astimezone(LOCAL_TZ).date().isoformat()
            self._transition(case_id, A.ASSIGN, staff, data)
        elif action == "plan":
            case = Case.objects.only("deadline").get(pk=case_id)
            limit = (case.deadline or t + dt.timedelta(days=60)).astimezone(LOCAL_TZ).date()
            unit = Organization.objects.only("name").get(pk=spec.assigned_unit_id)
            self._transition(case_id, A.PLAN, self._unit_actor(world, spec), {
                "responsibility": f"{unit.name}主要负责人{person_name(rng)}为第一责任人，安全管理负责人"
                                  f"{person_name(rng)}具体负责整改。",
                "measures": spec.template.fix,
                "funds": rng.choice(D.PLAN_FUNDS).format(n=rng.choice([3, 5, 8, 12, 20, 35, 60])),
                "time_limit": limit.isoformat(),
                "contingency_plan": rng.choice(D.CONTINGENCY),
            })
        elif action == "start":
            self._transition(case_id, A.START, self._unit_actor(world, spec), {"note": "已开始整改。"})
        elif action == "evidence":
            local = t.astimezone(LOCAL_TZ)
            jpeg = scene_jpeg(rng=rng, category=spec.template.category, caption=spec.template.fix[:24],
                              stamp=local.strftime("%Y-%m-%d %H:%M"), after=True)
            upload = SimpleUploadedFile(f"IMG_{local:%Y%m%d_%H%M%S}.jpg", jpeg, content_type="image/jpeg")
            case_services.case_submit_evidence(case_id=case_id, actor=self._unit_actor(world, spec),
                                               note=spec.template.fix, uploads=[upload])
            self.stats["evidence_photos"] += 1
        elif action == "return":
            self._transition(case_id, A.RETURN, staff, {"reason": rng.choice(D.RETURN_REASONS)})
            self.stats["returned"] += 1
        elif action == "approve":
            self._transition(case_id, A.APPROVE, staff, {"note": rng.choice(D.APPROVE_NOTES)})
        elif action == "dispute":  # the reporter answers "no" to "was it fixed?": the case is reopened
            reason = rng.choice(D.DISPUTE_REASONS)
            if spec.receipt:
                report_fix_feedback(code=spec.receipt, fixed="no", comment=reason)
            else:
                case_services.case_transition(case_id=case_id, action=A.DISPUTE, actor="reporter",
                                              as_reporter=True, data={"reason": reason})
            self.stats["disputed"] += 1
        elif action == "feedback_yes":
            try:
                report_fix_feedback(code=spec.receipt, fixed="yes",
                                    comment=self.feedback_rng.choice(trust_seed.FIXED_YES))
                self.stats["fixed_yes"] += 1
            except ApplicationError as exc:  # e.g. a case merged away meanwhile: no answer, nothing stored
                self.log(f"demo answer on case {case_id} skipped: {exc}")
        else:  # pragma: no cover - planning bug
            raise DemoError(f"unknown demo action {action}")

    @staticmethod
    def _transition(case_id, action, actor, data):
        try:
            return case_services.case_transition(case_id=case_id, action=action, actor=actor, data=data)
        except Exception as exc:
            case = Case.objects.filter(pk=case_id).values("reference", "status", "sector", "region_path").first()
            raise DemoError(f"{action} by {actor} on {case} failed: {exc!r}") from exc

    # --- after the simulation -----------------------------------------------------------------------

    def overdue(self, world: World, specs: list[Spec]) -> int:
        late = [s.case_id for s in specs if s.needs_past_deadline]
        for case_id in late:
            Case.objects.filter(pk=case_id).update(
                deadline=world.real_now - dt.timedelta(hours=self.rng.uniform(2, 20)))
        return case_services.cases_mark_overdue()


# --- photo derivatives and queued notifications ------------------------------------------------------

@contextmanager
def _collect_enqueued():
    """Collect the ids of background tasks enqueued while seeding (to drop the demo notifications)."""
    found: list[tuple[str, str]] = []
    try:
        from django_tasks.signals import task_enqueued
    except ImportError:  # pragma: no cover
        yield found
        return

    def receiver(sender, task_result, **kwargs):
        found.append((task_result.task.module_path, str(task_result.id)))

    task_enqueued.connect(receiver, weak=False, dispatch_uid="hazardwatch-demo-collect")
    try:
        yield found
    finally:
        task_enqueued.disconnect(dispatch_uid="hazardwatch-demo-collect")


def _drop_queued(found: list[tuple[str, str]]) -> int:
    """Pending reporter notifications for fictional phone numbers must never be sent; photo tasks were run."""
    if not found or not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    ids = [task_id for path, task_id in found
           if path.endswith(("case_notify_reporter", "report_photos_process"))]
    deleted = 0
    for i in range(0, len(ids), 500):
        deleted += DBTaskResult.objects.filter(id__in=ids[i:i + 500], status="READY").delete()[0]
    return deleted


def _make_derivatives(report_ids: list[int]) -> None:
    from hazardwatch.reports.tasks import report_photos_process

    with transaction.atomic():
        for report_id in report_ids:
            report_photos_process.call(report_id)


# --- public entry points -----------------------------------------------------------------------------

@dataclass
class SeedResult:
    seconds: float
    statuses: dict
    stats: dict


def seed(*, reports: int = 300, rng_seed: int = DEFAULT_SEED, log=print) -> SeedResult:
    """Load the demo city. Refuses to run twice (call `demo_reset` first)."""
    if demo_exists():
        raise DemoError("demo data already exists; reset it first")
    started = time.monotonic()
    seeder = Seeder(reports=reports, rng_seed=rng_seed, log=log)
    with _collect_enqueued() as enqueued:
        with simulated_clock() as clock:
            with transaction.atomic():
                world = seeder.setup(clock)
                specs = seeder.plan(world)
                log(f"Planned {len(specs)} reports; submitting and working the cases …")
                seeder.run(world, clock, specs)
                clock.t = None
                seeder.stats["escalated"] = seeder.overdue(world, specs)
                seeder.stats.update(risk_seed.seed_risk_points(world, log=log))
                seeder.stats.update(seed_rewards(rng_seed=rng_seed, log=log))
                receipts = {s.case_id: s.receipt for s in specs if s.receipt and s.case_id}
                seeder.stats.update(trust_seed.seed_trust(receipts=receipts, rng_seed=rng_seed, log=log))
                seeder.stats.update(seed_drills(log=log))
                seeder.stats.update(seed_campaigns(log=log))
                seeder.stats.update(seed_checklists(log=log))
        _make_derivatives(seeder.photo_reports)
        seeder.stats.update(exposure_demo.seed_publications(log=log))
        seeder.stats.update(seed_quizzes(log=log))
    seeder.stats["dropped_tasks"] = _drop_queued(enqueued)
    case_ids = [s.case_id for s in specs]
    statuses = dict(Counter(Case.objects.filter(pk__in=case_ids).values_list("status", flat=True)))
    seeder.stats["overdue"] = Case.objects.filter(pk__in=case_ids, is_overdue=True).count()
    return SeedResult(seconds=time.monotonic() - started, statuses=statuses, stats=dict(seeder.stats))


def demo_reset(log=print) -> dict:
    """Delete the demo organisations, users, their cases and reports (and those files).

    Audit entries stay: the audit table refuses deletes, and the chain remains valid.
    """
    orgs = list(Organization.objects.filter(name__in=demo_org_names()).values_list("pk", flat=True))
    users = list(User.objects.filter(username__in=CAST_USERNAMES + duty_usernames()).values_list("pk", flat=True))
    case_ids = set(Case.objects.filter(
        Q(regulator__in=orgs) | Q(responsible_unit__in=orgs) | Q(supervising_regulator__in=orgs)
        | Q(listed_by__in=orgs) | Q(determined_by__in=users)).values_list("pk", flat=True))
    while True:  # cases merged into (or from) the ones found
        more = set(Case.objects.filter(Q(merged_into__in=case_ids) | Q(merged_cases__in=case_ids))
                   .values_list("pk", flat=True)) - case_ids
        if not more:
            break
        case_ids |= more
    reports = Report.objects.filter(Q(case__in=case_ids) | Q(reported_unit__in=orgs))
    files = []
    for photo in ReportPhoto.objects.filter(report__in=reports):
        files += [f for f in (photo.original, photo.stripped, photo.thumbnail) if f]
    files += [p.file for p in EvidencePhoto.objects.filter(event__case__in=case_ids)]
    files += exposure_demo.redacted_files(case_ids)
    try:
        with transaction.atomic():
            Case.objects.filter(pk__in=case_ids).update(merged_into=None)
            n_reports = reports.delete()[1].get("reports.Report", 0)
            n_cases = Case.objects.filter(pk__in=case_ids).delete()[1].get("cases.Case", 0)
            n_users = User.objects.filter(pk__in=users).delete()[1].get("accounts.User", 0)
            n_orgs = Organization.objects.filter(pk__in=orgs).delete()[1].get("accounts.Organization", 0)
    except ProtectedError as exc:
        raise DemoError(f"cannot remove the demo data, other rows still point to it: {exc.protected_objects}") from exc
    for f in files:
        try:
            f.storage.delete(f.name)
        except OSError:
            pass
    result = {"reports": n_reports, "cases": n_cases, "users": n_users, "organizations": n_orgs, "files": len(files)}
    log("Removed demo data: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return result
