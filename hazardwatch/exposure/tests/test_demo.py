"""The demo seed publishes vetted closed cases through the workflow, with a valid audit chain."""
import io

import pytest
from django.core.management import call_command

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.reports.models import ReportPhoto

pytestmark = pytest.mark.django_db


def test_demo_publishes_a_few_closed_cases(client):
    out = io.StringIO()
    call_command("demo", "--reports", "120", stdout=out)
    assert "Exposure column:" in out.getvalue()
    published = Publication.objects.filter(status="published")
    assert published.count() >= 2
    assert Publication.objects.filter(status="awaiting_signoff").count() <= 1
    for pub in published:
        assert pub.case.status == "closed" and pub.signed_off_by_id != pub.proposed_by_id
        assert pub.photos.filter(kind="after").exists()
        # "before" photos whenever the reporters sent any (where the random reports fell decides how many do)
        assert pub.photos.filter(kind="before").exists() == ReportPhoto.objects.filter(report__case=pub.case).exists()
    items = client.get("/api/v1/exposure/items").json()
    assert items["count"] == published.count()
    assert client.get(f"/exposure/{published.first().pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="exposure.sign_off").count() == published.count()
    assert audit_verify().ok

    # a reset removes the publications with their cases, and their redacted files
    from django.conf import settings

    ids = [p.pk for p in published]
    files = [settings.MEDIA_ROOT / f.file.name for f in PublicationPhoto.objects.filter(publication__in=ids)]
    assert files and all(f.exists() for f in files)
    call_command("demo", "--reset", "--reports", "10", stdout=io.StringIO())
    assert not Publication.objects.filter(pk__in=ids).exists()
    assert not any(f.exists() for f in files)
