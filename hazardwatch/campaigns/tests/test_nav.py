"""The campaign links: public header for signed-in users, workbench header for staff."""
import pytest

pytestmark = pytest.mark.django_db


def test_nav_links(client, cw):
    assert 'href="/campaigns/"' not in client.get("/").content.decode()
    client.force_login(cw.teacher_ma)
    assert 'href="/campaigns/"' in client.get("/").content.decode()
    client.force_login(cw.office_wu)
    assert 'href="/staff/campaigns/"' in client.get("/staff/campaigns/").content.decode()
