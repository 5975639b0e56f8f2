"""Pages of the exposure column: the public column, item, photo and Atom feed; the staff queue, the
redaction editor (with blur boxes drawn on each photo), sign-off and takedown.

Public reads go through `Publication.objects.public()` only: anything else is a 404. Staff reads go through
`Publication.objects.visible_to(user)`; every write goes through `exposure.services`, whose errors are shown
on the page with their 4xx status. htmx requests get the same page; forms select `#pub-main` from it.
"""
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from hazardwatch.core.choices import Sector, choice_label
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound
from hazardwatch.exposure import selectors, services
from hazardwatch.exposure.choices import PhotoSource, PublicationAction, PublicationStatus
from hazardwatch.exposure.models import Publication, PublicationPhoto
from hazardwatch.workbench.views import _is_htmx, _not_found, _see_other, _vary, staff_required

PAGE_SIZE = 12
DONE = _("Done: {action}.")
REDACTION_SAVED = _("Redaction saved: {count} photo(s) re-encoded without metadata, faces blurred.")
FEED_TITLE = _("Hazard exposure column")
FEED_SUBTITLE = _("Hazards found and fixed, published by the responsible departments.")


# --- public -------------------------------------------------------------------------------------------

@require_GET
def column(request):
    region = (request.GET.get("region") or "")[:12]
    sector = (request.GET.get("sector") or "")[:40]
    qs = selectors.publication_public_list(region=region, sector=sector)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    items = list(page.object_list)
    covers = {}
    for photo in PublicationPhoto.objects.filter(publication__in=items, kind="before").order_by("position", "pk"):
        covers.setdefault(photo.publication_id, photo)
    for item in items:
        item.cover = covers.get(item.pk)
    return render(request, "exposure/column.html", {
        "page": page, "items": items, "region": region, "sector": sector, "querystring": params.urlencode(),
        "regions": selectors.region_filter_choices(), "sectors": Sector.choices, "nav": "exposure",
    })


@require_GET
def detail(request, publication_id: int):
    pub = selectors.publication_public_get(publication_id)
    if pub is None:
        raise Http404
    return render(request, "exposure/detail.html", {
        "pub": pub, "photos": selectors.publication_public_photos(pub),
        "sector_label": choice_label(Sector, pub.sector), "nav": "exposure",
    })


def _stream(field_file, *, public: bool):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # Public copies may be cached briefly: a takedown must take effect soon, also in shared caches.
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


@require_GET
def photo(request, photo_id: int):
    """A redacted photo of a published item (the only photo bytes the public ever gets)."""
    found = selectors.public_photo_get(photo_id)
    if found is None:
        raise Http404
    return _stream(found.file, public=True)


class ColumnFeed(Feed):
    """Atom feed of the newest published items: title, redacted text, region, sector; no author."""

    feed_type = Atom1Feed

    def title(self):
        return str(FEED_TITLE)

    def subtitle(self):
        return str(FEED_SUBTITLE)

    def link(self):
        return reverse("exposure:column")

    def items(self):
        return selectors.publication_public_list()[:30]

    def item_title(self, item):
        return item.public_title

    def item_description(self, item):
        parts = [item.region.name if item.region else "", str(choice_label(Sector, item.sector))]
        head = " · ".join(p for p in parts if p)
        return linebreaks(escape(head + "\n\n" + item.public_text))

    def item_link(self, item):
        return reverse("exposure:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [str(choice_label(Sector, item.sector))]


feed = ColumnFeed()


# --- staff --------------------------------------------------------------------------------------------

@require_GET
@staff_required
def staff_queue(request):
    status = request.GET.get("status") or ""
    if status not in PublicationStatus.values:
        status = ""
    qs = selectors.publication_queue_for_user(request.user, status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    counts = {s: 0 for s in PublicationStatus.values}
    for s in Publication.objects.visible_to(request.user).values_list("status", flat=True):
        counts[s] += 1
    tabs = [(value, label, counts[value]) for value, label in PublicationStatus.choices]
    return _vary(render(request, "exposure/staff_queue.html", {
        "page": page, "rows": page.object_list, "status": status, "tabs": tabs, "nav": "exposure",
    }))


def _staff_pub(user, publication_id: int) -> Publication | None:
    return (Publication.objects.visible_to(user)
            .select_related("case", "case__region", "region", "proposed_by", "submitted_by", "signed_off_by")
            .filter(pk=publication_id).first())


def _editor_context(request, pub: Publication, *, error=None, notice="", posted=None) -> dict:
    actions = services.actions_for(request.user, pub)
    chosen = {(p.source, p.source_id): p for p in pub.photos.all()}
    candidates = []
    for source, original in services.photo_candidates(pub.case):
        key = f"{source}:{original.pk}"
        url = reverse("workbench:report_photo" if source == PhotoSource.REPORT else "workbench:evidence_photo",
                      args=[original.pk])
        current = chosen.get((source, original.pk))
        boxes = current.boxes if current else []
        checked = current is not None
        if posted is not None:  # a refused save shows what was sent, not what is stored
            checked = key in posted.getlist("photo")
            boxes = posted.get(f"boxes:{key}") or "[]"
        candidates.append({"key": key, "source": source, "id": original.pk, "url": url, "checked": checked,
                           "boxes": boxes, "redacted": current})
    return {
        "pub": pub, "case": pub.case, "actions": actions,
        "can_redact": PublicationAction.REDACT in actions,
        "candidates": candidates, "history": selectors.publication_history(pub),
        "title_value": posted.get("title", "") if posted is not None else pub.public_title,
        "text_value": posted.get("text", "") if posted is not None else pub.public_text,
        "error": error, "notice": notice, "nav": "exposure",
        "action_labels": {a.value: a.label for a in PublicationAction},
        "reason_actions": ("return", "take_down", "withdraw"),
    }


def _render_editor(request, pub, *, status=200, **extra):
    return _vary(render(request, "exposure/staff_publication.html", _editor_context(request, pub, **extra),
                        status=status))


@require_GET
@staff_required
def staff_publication(request, publication_id: int):
    pub = _staff_pub(request.user, publication_id)
    if pub is None:
        return _not_found(request)
    return _render_editor(request, pub)


@require_GET
@staff_required
def staff_photo(request, photo_id: int):
    """A redacted photo for staff preview (any status), only if its case is visible to them."""
    found = PublicationPhoto.objects.filter(pk=photo_id,
                                            publication__in=Publication.objects.visible_to(request.user)).first()
    if found is None:
        raise Http404
    return _stream(found.file, public=False)


def _status_of(exc: ApplicationError) -> int:
    return exc.status_code if 400 <= exc.status_code < 500 else 400


def _done(request, pub_id: int, notice: str):
    if not _is_htmx(request):
        messages.success(request, notice)
        return _see_other(reverse("exposure:staff_publication", args=[pub_id]))
    pub = _staff_pub(request.user, pub_id)
    if pub is None:
        return _not_found(request)
    return _render_editor(request, pub, notice=notice)


@require_POST
@staff_required
def staff_propose(request, case_id: int):
    try:
        pub = services.publication_propose(case_id=case_id, actor=request.user)
    except Conflict as exc:
        existing = (exc.extra or {}).get("publication_id")
        if existing and _staff_pub(request.user, existing) is not None:
            messages.info(request, exc.message)
            return _see_other(reverse("exposure:staff_publication", args=[existing]))
        return _refused(request, exc)
    except NotFound:
        return _not_found(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    messages.success(request, DONE.format(action=PublicationAction.PROPOSE.label))
    return _see_other(reverse("exposure:staff_publication", args=[pub.pk]))


def _refused(request, exc: ApplicationError):
    return render(request, "workbench/forbidden.html", {"message": exc.message}, status=_status_of(exc))


@require_POST
@staff_required
def staff_redact(request, publication_id: int):
    pub = _staff_pub(request.user, publication_id)
    if pub is None:
        return _not_found(request)
    photos = [{"source": key.split(":", 1)[0], "id": key.split(":", 1)[-1],
               "boxes": request.POST.get(f"boxes:{key}") or "[]"} for key in request.POST.getlist("photo")]
    try:
        pub = services.publication_redact(publication_id=pub.pk, actor=request.user, title=request.POST.get("title"),
                                          text=request.POST.get("text"), photos=photos)
    except ApplicationError as exc:
        if isinstance(exc, NotFound):
            return _not_found(request)
        return _render_editor(request, pub, status=_status_of(exc), error=exc, posted=request.POST)
    return _done(request, pub.pk, REDACTION_SAVED.format(count=pub.photos.count()))


@require_POST
@staff_required
def staff_action(request, publication_id: int, action: str):
    pub = _staff_pub(request.user, publication_id)
    if pub is None:
        return _not_found(request)
    data = {k: request.POST.get(k) for k in ("reason", "note") if k in request.POST}
    try:
        services.publication_transition(publication_id=pub.pk, action=action, actor=request.user, data=data)
    except ApplicationError as exc:
        if isinstance(exc, NotFound):
            return _not_found(request)
        return _render_editor(request, pub, status=_status_of(exc), error=exc)
    try:
        label = PublicationAction(action).label
    except ValueError:
        label = action
    return _done(request, pub.pk, DONE.format(action=label))


