"""Map benchmark helpers: synthetic bulk seeding and timing of the clusters selector.

Bench data is synthetic (random cases spread over the loaded division tree and across China) and is
written straight into the database the process is configured for — by bulk_create, without transitions,
events or audit entries. The `bench` command therefore runs it against a separate SQLite file under
var/bench/ (or a separate PostgreSQL database) unless told --yes.
"""
import datetime as dt
import json
import math
import os
import random
import statistics
import time
from pathlib import Path

import h3
from django.db import connections, transaction
from django.utils import timezone

# Where people are: provincial capitals (lat, lon) for the whole-country share.
CAPITALS = [
    (39.90, 116.40), (31.23, 121.47), (23.13, 113.26), (22.54, 114.06), (30.57, 104.07), (29.56, 106.55),
    (30.59, 114.31), (34.34, 108.94), (32.06, 118.80), (30.27, 120.15), (36.65, 117.12), (38.04, 114.51),
    (39.13, 117.20), (41.80, 123.43), (43.82, 125.32), (45.80, 126.53), (28.23, 112.94), (28.68, 115.86),
    (26.07, 119.30), (25.04, 102.71), (26.65, 106.63), (22.82, 108.37), (20.04, 110.34), (36.06, 103.83),
    (36.62, 101.78), (38.49, 106.23), (43.83, 87.62), (29.65, 91.13), (40.84, 111.75), (37.87, 112.55),
    (31.82, 117.23), (34.75, 113.63),
]
STATUSES = [("new", 8), ("triaged", 7), ("assigned", 8), ("rectifying", 10), ("awaiting_verification", 5),
            ("closed", 55), ("rejected", 5), ("merged", 2)]
SECTORS = [("fire", 30), ("industry_trade", 12), ("hazardous_chemicals", 5), ("fireworks", 2), ("mining", 2),
           ("construction", 12), ("gas", 10), ("road_transport", 5), ("special_equipment", 4),
           ("electrical", 8), ("household_community", 8), ("other", 2)]
LOCAL_SHARE = 0.8  # near the loaded divisions (Zhengzhou in the shipped data); the rest across China


def _picker(weighted, rng):
    values = [v for v, _ in weighted]
    cum, total = [], 0
    for _, w in weighted:
        total += w
        cum.append(total)

    def pick():
        x = rng.random() * total
        for v, c in zip(values, cum):
            if x < c:
                return v
        return values[-1]
    return pick


def seed_hazards(n: int, *, batch: int = 20000, using: str = "default", seed: int = 42, out=None) -> int:
    """Bulk-insert n synthetic cases; then rebuild the map pre-aggregate. Returns the number inserted."""
    from django.conf import settings

    from hazardwatch.cases.models import Case
    from hazardwatch.insights.maps import map_cells_rebuild
    from hazardwatch.places.models import Division
    from hazardwatch.places.services import DATA_DIR, divisions_load

    if not Division.objects.using(using).exists():
        if using != "default":
            raise ValueError("load divisions into the bench database first")
        divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    leaves = list(Division.objects.using(using).filter(lat__isnull=False, level__in=["county", "township"])
                  .values_list("code", "path", "lat", "lon"))
    rng = random.Random(seed)
    status_of, sector_of = _picker(STATUSES, rng), _picker(SECTORS, rng)
    south, west, north, east = settings.HAZARDWATCH_AREA_BBOX
    now = timezone.now()
    start = Case.objects.using(using).count()
    created_field = Case._meta.get_field("created_at")
    if connections[using].vendor == "sqlite":
        with connections[using].cursor() as c:
            c.execute("PRAGMA synchronous=OFF")
    created_field.auto_now_add = False  # keep the spread-out creation dates
    done, t0 = 0, time.perf_counter()
    try:
        while done < n:
            rows = []
            for i in range(start + done, start + min(n, done + batch)):
                if leaves and rng.random() < LOCAL_SHARE:
                    code, path, lat0, lon0 = leaves[rng.randrange(len(leaves))]
                    lat, lon = rng.gauss(lat0, 0.03), rng.gauss(lon0, 0.03)
                else:
                    code, path = None, ""
                    lat0, lon0 = CAPITALS[rng.randrange(len(CAPITALS))]
                    lat, lon = rng.gauss(lat0, 1.2), rng.gauss(lon0, 1.2)
                lat, lon = min(max(lat, south), north), min(max(lon, west), east)
                status = status_of()
                grade, item = "", ""
                if status not in ("new", "rejected", "merged"):
                    x = rng.random()
                    grade, item = ("major", "6.1") if x < 0.04 else (("general", "") if x < 0.94 else ("", ""))
                created = now - dt.timedelta(seconds=rng.randrange(730 * 86400))
                deadline, overdue = None, False
                if status in ("assigned", "rectifying"):
                    overdue = rng.random() < 0.25
                    deadline = now + dt.timedelta(days=-rng.randint(1, 60) if overdue else rng.randint(1, 60))
                rows.append(Case(
                    reference=f"BENCH{i:010d}", status=status, grade=grade, sector=sector_of(),
                    title="synthetic bench hazard", description="synthetic bench hazard",
                    region_id=code, region_path=path, criterion_item=item, deadline=deadline, is_overdue=overdue,
                    lat=lat, lon=lon, input_crs="wgs84", input_lat=lat, input_lon=lon,
                    h3_r5=h3.latlng_to_cell(lat, lon, 5), h3_r7=h3.latlng_to_cell(lat, lon, 7),
                    h3_r9=h3.latlng_to_cell(lat, lon, 9), created_at=created,
                    closed_at=created + dt.timedelta(days=rng.randint(1, 60)) if status == "closed" else None,
                ))
            with transaction.atomic(using=using):
                Case.objects.using(using).bulk_create(rows, batch_size=2000)
            done += len(rows)
            if out:
                out(f"  {done:,}/{n:,} cases ({time.perf_counter() - t0:.0f} s)")
    finally:
        created_field.auto_now_add = True
    t1 = time.perf_counter()
    cells = map_cells_rebuild(using)
    if out:
        out(f"  inserted {n:,} in {t1 - t0:.1f} s; map pre-aggregate rebuilt ({cells:,} rows) in "
            f"{time.perf_counter() - t1:.1f} s")
    return n


def _bbox_for(lat: float, lon: float, zoom: int, width=1280, height=860):
    """The WGS-84 box a width×height px Web-Mercator viewport shows at zoom, centred on lat, lon."""
    deg_per_px = 360.0 / (256 * 2 ** zoom)
    dlon = width / 2 * deg_per_px
    dlat = height / 2 * deg_per_px * math.cos(math.radians(lat))
    return (lat - dlat, lon - dlon, lat + dlat, lon + dlon)


VIEWPORTS = {
    # name: (centre, zoom) — Zhengzhou city at zoom 11 (H3 r7), China at zoom 4 (r3), a street at zoom 14 (r9)
    "city": ((34.7466, 113.6253), 11),
    "country": ((35.8, 104.2), 4),
    "street": ((34.7466, 113.6253), 14),
}
JITTER = {"city": 0.02, "country": 0.5, "street": 0.005}
CASES = [
    # (label, scope, filters, user: None | "admin" | "district")
    ("public", "public", {}, None),
    ("staff-admin", "staff", {}, "admin"),
    ("public+status,sector", "public", {"status": "closed", "sector": "fire"}, None),
    ("public+open", "public", {"status": "open"}, None),
    ("public+grade", "public", {"grade": "major"}, None),
    ("staff-admin+overdue", "staff", {"overdue": "1", "sector": "fire,gas"}, "admin"),
    ("staff-district", "staff", {}, "district"),
    ("staff-district+filter", "staff", {"status": "open", "grade": "general"}, "district"),
    ("public+dates", "public", {"from": "2025-03-10", "to": "2025-09-20"}, None),
    ("public+since", "public", {"from": "2025-10-01"}, None),
    ("staff-admin+dates,grade", "staff", {"from": "2025-06-01", "to": "2025-06-30", "grade": "major"}, "admin"),
    ("staff-district+dates", "staff", {"from": "2025-03-10", "to": "2025-09-20"}, "district"),
]
STREET_CASES = ("public", "public+status,sector", "public+dates")
LIVE_REPEAT = 20  # live views cost 0.3–1.5 s each at 1,000,000 cases: fewer repetitions


def bench_users() -> dict:
    """The admin and a district (Jinshui, 410105) fire regulator in the bench database."""
    from hazardwatch.accounts.models import Membership, Organization, OrgPolicy, User
    from hazardwatch.places.models import Division

    admin = User.objects.filter(username="bench_admin").first() or User.objects.create(
        username="bench_admin", is_superuser=True, is_staff=True)
    district = User.objects.filter(username="bench_district_fire").first()
    if district is None:
        org = Organization.objects.create(kind="regulator", name="bench district fire",
                                          region=Division.objects.get(code="410105"), sectors=["fire"])
        OrgPolicy.objects.create(organization=org, general_deadline_days=10, major_deadline_days=60)
        district = User.objects.create(username="bench_district_fire")
        Membership.objects.create(user=district, organization=org, role="regulator_staff")
    return {"admin": admin, "district": district}


def measure(repeat: int = 200, seed: int = 7, only: str = "") -> dict:
    """p50/p95 (ms) of maps.map_clusters per viewport × case, with jittered viewport centres."""
    from hazardwatch.cases.models import Case
    from hazardwatch.insights import maps

    users = bench_users()
    out = {"cases": Case.objects.count(), "results": {}}
    for vname, ((lat, lon), zoom) in VIEWPORTS.items():
        for label, scope, filters, who in CASES:
            key = f"{vname}/{label}"
            if vname == "street" and label not in STREET_CASES or only and only not in key:
                continue
            user = users[who] if who else None
            rng = random.Random(seed)  # the same viewports at every size
            times, cells, source = [], 0, ""
            n = repeat
            for i in range(n + 10):
                jitter = JITTER[vname]
                bbox = _bbox_for(lat + rng.uniform(-jitter, jitter), lon + rng.uniform(-jitter, jitter), zoom)
                params = {"bbox": ",".join(f"{x:.5f}" for x in bbox), "zoom": str(zoom), "scope": scope, **filters}
                t = time.perf_counter()
                q = maps.parse_map_query(params)
                r = maps.map_clusters(q, user)
                el = time.perf_counter() - t
                if i >= 10:  # warm-up
                    times.append(el)
                cells, source = len(r["cells"]), r["source"]
                if i == 10 and source == "live" and el > 0.05:
                    n = min(n, LIVE_REPEAT)
                if i >= n + 9:
                    break
            times.sort()
            out["results"][key] = {
                "p50": statistics.median(times) * 1000, "p95": times[int(0.95 * (len(times) - 1))] * 1000,
                "cells": cells, "source": source, "n": len(times)}
    return out


def dumps(result: dict) -> str:
    return json.dumps(result)


def bench_env(database_url: str, sqlite_file: str) -> dict:
    """The environment of a bench subprocess: a separate PostgreSQL database or SQLite file, never the configured one."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        Path(sqlite_file).parent.mkdir(parents=True, exist_ok=True)
        env["SQLITE_PATH"] = str(Path(sqlite_file).resolve())
    return env
