"""A small world in Zhengzhou: two district fire regulators, a gas regulator, an enterprise, reports."""
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazardwatch.accounts.models import Membership, Organization, User
from hazardwatch.places.models import Division
from hazardwatch.places.services import DATA_DIR, divisions_load
from hazardwatch.reports.services import ReportInput, report_submit

PASSWORD = "workbench-pass-1"
# Points near township centroids: 花园路街道 (金水区) and 解放路街道 (二七区).
JINSHUI = (34.78, 113.68)
ERQI = (34.755, 113.656)


def png_upload(name="photo.png", color=(200, 40, 40), size=(64, 48)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def make_user(username, org=None, role=None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def make_case(description="消防通道被杂物堵塞，安全出口上锁", *, at=JINSHUI, category="escape_route", photos=(),
              **contact):
    report, _receipt = report_submit(ReportInput(description=description, latitude=at[0], longitude=at[1],
                                                 crs="wgs84", category=category, photos=list(photos), **contact))
    report.case.refresh_from_db()
    return report.case


@pytest.fixture
def world(db):
    divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    jinshui = Division.objects.get(code="410105")
    erqi = Division.objects.get(code="410103")
    fire_jinshui = Organization.objects.create(kind="regulator", name="金水区消防救援大队", region=jinshui,
                                               sectors=["fire"])
    fire_erqi = Organization.objects.create(kind="regulator", name="二七区消防救援大队", region=erqi, sectors=["fire"])
    gas_jinshui = Organization.objects.create(kind="regulator", name="金水区燃气管理办公室", region=jinshui,
                                              sectors=["gas"])
    enterprise = Organization.objects.create(kind="enterprise", name="郑州示范商贸有限公司", region=jinshui,
                                             uscc="91350100M000100Y43")
    other_enterprise = Organization.objects.create(kind="enterprise", name="金水区另一家公司", region=jinshui)
    return SimpleNamespace(
        jinshui=jinshui, erqi=erqi, fire_jinshui=fire_jinshui, fire_erqi=fire_erqi, gas_jinshui=gas_jinshui,
        enterprise=enterprise, other_enterprise=other_enterprise,
        staff=make_user("jinshui_staff", fire_jinshui, "regulator_staff", display_name="张科员"),
        leader=make_user("jinshui_leader", fire_jinshui, "regulator_leader", display_name="李队长"),
        erqi_staff=make_user("erqi_staff", fire_erqi, "regulator_staff"),
        gas_staff=make_user("gas_staff", gas_jinshui, "regulator_staff"),
        officer=make_user("officer", enterprise, "safety_officer", display_name="王安全员"),
        other_officer=make_user("other_officer", other_enterprise, "safety_officer"),
        nobody=make_user("nobody"),
    )
