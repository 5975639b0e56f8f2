"""The demo scene for checklists on the small test city (the full demo calls the same function)."""
import pytest

from hazardwatch.checklists.demo import seed_checklists
from hazardwatch.checklists.models import ChecklistRun, Inspection


@pytest.mark.django_db
def test_seed_checklists_makes_runs_a_reported_hazard_and_missed_and_late_inspections(city):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=34.78, lon=113.68)
    stats = seed_checklists(log=lambda *a: None)
    assert stats["checklist_runs"] == 1
    run = ChecklistRun.objects.get(inspection__isnull=True)
    assert run.status == "completed" and run.answers.filter(report__isnull=False).count() == 1
    assert set(Inspection.objects.values_list("status", flat=True)) == {"missed", "done", "due"}
    assert Inspection.objects.filter(status="done", is_late=True).count() == 1
    assert Inspection.objects.filter(announced=False, status="due").count() == 1
    assert seed_checklists(log=lambda *a: None) == {"checklist_runs": ChecklistRun.objects.count()}  # idempotent
