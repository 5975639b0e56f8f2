"""Fixtures for the public pages: divisions, a regulator to route to, and a form submitter."""
import pytest

from hazardwatch.public.tests.helpers import RECEIPT_SHOWN_RE, report_data


@pytest.fixture
def zhengzhou(db):
    """Zhengzhou's divisions and one regulator for the city that supervises every sector."""
    from hazardwatch.accounts.models import Organization
    from hazardwatch.core.choices import Sector
    from hazardwatch.places.models import Division
    from hazardwatch.places.services import DATA_DIR, divisions_load

    divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    return Organization.objects.create(
        kind="regulator", name="郑州市应急管理局", name_en="Zhengzhou Emergency Management Bureau",
        region=Division.objects.get(code="410100"), sectors=list(Sector.values),
    )


@pytest.fixture
def submit_report(client, zhengzhou):
    """Post the report form; returns (response, receipt code shown on the done page, or None)."""

    def submit(photos=None, **overrides):
        data = report_data(**overrides)
        if photos:
            data["photos"] = photos
        response = client.post("/report/", data)
        code = None
        if response.status_code == 303:
            match = RECEIPT_SHOWN_RE.search(client.get(response["Location"]).content.decode())
            code = match.group(1) if match else None
        return response, code

    return submit
