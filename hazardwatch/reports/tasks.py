"""Background work on reports: triage after intake, photo derivatives without metadata."""
from django.core.files.base import ContentFile
from django_tasks import task

from hazardwatch.reports.images import make_derivatives
from hazardwatch.reports.models import ReportPhoto


@task()
def report_photos_process(report_id: int) -> int:
    """Make the stripped copy and thumbnail of each photo. Rerunnable: done photos are skipped."""
    done = 0
    for photo in ReportPhoto.objects.filter(report_id=report_id, stripped=""):
        with photo.original.open("rb") as fh:
            clean, thumb = make_derivatives(fh.read())
        photo.stripped.save(f"{photo.pk}-{photo.sha256[:12]}.jpg", ContentFile(clean), save=False)
        photo.thumbnail.save(f"{photo.pk}-{photo.sha256[:12]}-t.jpg", ContentFile(thumb), save=False)
        photo.save(update_fields=["stripped", "thumbnail"])
        done += 1
    return done


@task()
def report_triage(report_id: int, sector: str = "") -> str:
    """The deferred half of intake: sector guess, criteria candidates, the case opened and routed
    (reports.services.report_triage_run; idempotent)."""
    from hazardwatch.reports.services import report_triage_run

    return report_triage_run(report_id, sector)
