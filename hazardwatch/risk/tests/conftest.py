"""Risk fixtures: a valid LEC point payload for the city's enterprise and a major open case there."""
import pytest

from hazardwatch.risk.geometry import rectangle

SITE = (34.78, 113.68)  # 金水区


@pytest.fixture
def point_payload(city):
    def make(**overrides):
        data = {
            "organization_id": city.enterprise.pk, "name": "危化品仓库", "area": "A 区仓库",
            "zone": rectangle(*SITE, 60, 40), "activity": "油漆、稀释剂储存",
            "hazard_factors": [{"category": "things", "description": "易燃液体泄漏"},
                               {"category": "management", "description": "动火作业审批不严"}],
            "accident_types": ["fire", "other_explosion"], "method": "lec", "l": 3, "e": 6, "c": 15,
            "control_level": "department", "measures_engineering": "防爆电气、可燃气体报警",
            "measures_emergency": "配置灭火器和泄漏收集桶", "responsible_person": "刘洋",
            "responsible_department": "仓储部", "review_date": "2026-12-31",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def major_case(city):
    """An open major accident hazard whose responsible unit is the city's enterprise."""
    from hazardwatch.cases.models import Case

    return Case.objects.create(
        reference="HW20260000001", status="rectifying", grade="major", sector="industry_trade",
        title="仓库安全出口被封堵", description="仓库安全出口被封堵", criterion_item="4.1",
        region=city.divisions["410105"], region_path=city.divisions["410105"].path,
        responsible_unit=city.enterprise, lat=SITE[0], lon=SITE[1],
    )
