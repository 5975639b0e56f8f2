import pytest
from django.core.exceptions import ValidationError

from hazardwatch.accounts.uscc import uscc_check_char, uscc_is_valid, validate_uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91110000600037341l"])
def test_valid_codes(code):
    assert uscc_is_valid(code)


@pytest.mark.parametrize("code", ["91350100M000100Y44", "9135010OM000100Y43", "", "123", "91110000600037341LX"])
def test_invalid_codes(code):
    assert not uscc_is_valid(code)
    with pytest.raises(ValidationError):
        validate_uscc(code)


def test_check_char_of_generated_code():
    body = "91410105MA44XY123"
    assert uscc_is_valid(body + uscc_check_char(body))


@pytest.mark.django_db
def test_organization_rejects_bad_code(divisions):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.places.models import Division

    org = Organization(kind="enterprise", name="x", region=Division.objects.get(code="410105"),
                       uscc="91350100M000100Y44")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "uscc" in exc.value.message_dict


@pytest.mark.django_db
def test_organization_rejects_unknown_sector(divisions):
    from hazardwatch.accounts.models import Organization
    from hazardwatch.places.models import Division

    org = Organization(kind="regulator", name="x", region=Division.objects.get(code="410105"), sectors=["fire", "x"])
    with pytest.raises(ValidationError):
        org.full_clean()
