"""The admin: every model is listed, the audit log and case history are read-only, identities absent."""
import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from hazardwatch.core.audit import audit_append
from hazardwatch.core.models import AuditEntry
from hazardwatch.reports.models import DeviceKey, ReporterIdentity
from hazardwatch.reports.services import device_key_check
from hazardwatch.workbench.tests.conftest import make_case, make_user, png_upload


@pytest.fixture
def admin_client(world):
    user = make_user("root", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(user)
    return c


REGISTERED = {
    "accounts": {"User", "Organization", "Membership", "OrgPolicy"},
    "places": {"Division"},
    "reports": {"Report", "DeviceKey"},
    "cases": {"Case", "CaseEvent", "MajorHazardPlan"},
    "core": {"AuditEntry"},
}


def test_models_are_registered_and_identity_is_not():
    for label, names in REGISTERED.items():
        for name in names:
            assert admin.site.is_registered(apps.get_model(label, name)), (label, name)
    assert not admin.site.is_registered(ReporterIdentity)


def test_changelists_and_change_pages_render(admin_client, world):
    case = make_case(photos=[png_upload()], contact_name="举报人丙", contact_phone="13700001111")
    report = case.reports.get()
    for label, names in REGISTERED.items():
        for name in names:
            model = apps.get_model(label, name)
            url = reverse(f"admin:{label}_{model._meta.model_name}_changelist")
            assert admin_client.get(url).status_code == 200, url
    for model_name, obj in (("report", report), ("case", case)):
        app = "reports" if model_name == "report" else "cases"
        page = admin_client.get(reverse(f"admin:{app}_{model_name}_change", args=[obj.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "举报人丙" not in html and "13700001111" not in html
        assert report.receipt_hash not in html
    search = admin_client.get(reverse("admin:places_division_changelist"), {"q": "410105"})
    assert "金水区" in search.content.decode()


def test_audit_log_is_read_only(admin_client, world):
    entry = audit_append(actor=world.staff, action="test.entry", obj_type="x", obj_id=1)
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert admin_client.get(change).status_code == 200  # view only
    assert admin_client.post(change, {"action": "changed"}).status_code == 403
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "test.entry" and AuditEntry.objects.filter(pk=entry.pk).exists()
    model_admin = admin.site._registry[AuditEntry]
    request = type("R", (), {"user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_case_events_are_read_only(admin_client, world):
    case = make_case()
    event = case.events.get()
    assert admin_client.get(reverse("admin:cases_caseevent_add")).status_code == 403
    assert admin_client.post(reverse("admin:cases_caseevent_change", args=[event.pk]), {"note": "x"}).status_code == 403


def test_device_key_is_created_with_the_plain_key_shown_once(admin_client, world):
    response = admin_client.post(reverse("admin:reports_devicekey_add"),
                                 {"name": "金水区 AI 摄像头 1", "kind": "camera", "organization": "", "is_active": "on"})
    assert response.status_code == 200
    key = DeviceKey.objects.get(name="金水区 AI 摄像头 1")
    plain = response.context["plain_key"]
    assert plain.startswith(f"hwd_{key.prefix}_") and plain in response.content.decode()
    assert device_key_check(plain) == key
    page = admin_client.get(reverse("admin:reports_devicekey_change", args=[key.pk])).content.decode()
    assert plain not in page and key.key_hash in page
    assert 'name="key_hash"' not in page  # read-only
