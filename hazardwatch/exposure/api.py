"""Exposure column API: public list and item (read-only, no sign-in) and staff actions (session sign-in).

Errors are {"message", "extra"}; field errors in extra.fields. Public responses carry only the redacted
fields: never the case's reports, the reporter, the address, or the original photos.
"""
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.core.choices import Sector, choice_label
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.exposure import selectors, services
from hazardwatch.exposure.models import Publication
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["exposure"])

UNKNOWN_FILTER = _("Unknown filter: {names}.")


class ColumnFilter(Schema):
    region: str | None = Field(None, max_length=12)
    sector: str | None = Field(None, max_length=40)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


class RedactionIn(Schema):
    title: Any = None
    text: Any = None
    photos: Any = None


class TransitionIn(Schema):
    action: str = Field(..., max_length=20)
    reason: Any = None
    note: Any = None


def _photo_url(p) -> str:
    return reverse("exposure:photo", args=[p.pk])


def public_item(pub: Publication, *, full: bool = False) -> dict:
    out = {
        "id": pub.pk, "title": pub.public_title,
        "region_code": pub.region.code if pub.region else None, "region": pub.region.name if pub.region else None,
        "sector": pub.sector, "sector_label": str(choice_label(Sector, pub.sector)),
        "case_status": "fixed" if pub.is_fixed else "open", "published_at": pub.published_at,
        "url": reverse("exposure:detail", args=[pub.pk]),
    }
    if full:
        photos = selectors.publication_public_photos(pub)
        out["text"] = pub.public_text
        out["photos"] = {kind: [{"url": _photo_url(p), "width": p.width, "height": p.height} for p in rows]
                         for kind, rows in photos.items()}
    return out


def staff_item(pub: Publication, user) -> dict:
    return {
        "id": pub.pk, "case_id": pub.case_id, "case_reference": pub.case.reference, "status": pub.status,
        "title": pub.public_title, "text": pub.public_text, "sector": pub.sector,
        "region_code": pub.region.code if pub.region else None,
        "proposed_by": pub.proposed_by.get_username(),
        "submitted_by": pub.submitted_by.get_username() if pub.submitted_by else None,
        "signed_off_by": pub.signed_off_by.get_username() if pub.signed_off_by else None,
        "redacted_at": pub.redacted_at, "published_at": pub.published_at, "taken_down_at": pub.taken_down_at,
        "takedown_reason": pub.takedown_reason, "return_reason": pub.return_reason,
        "photos": [{"id": p.pk, "kind": p.kind, "source": p.source, "source_id": p.source_id, "width": p.width,
                    "height": p.height, "faces": len(p.faces), "boxes": p.boxes,
                    "preview_url": reverse("exposure:staff_photo", args=[p.pk])} for p in pub.photos.all()],
        "actions": services.actions_for(user, pub),
    }


def _staff_get(request, publication_id: int) -> Publication:
    pub = (Publication.objects.visible_to(request.user).select_related("case", "region", "proposed_by")
           .filter(pk=publication_id).first())
    if pub is None:
        raise NotFound(services.PUBLICATION_NOT_FOUND)
    return pub


# --- public -----------------------------------------------------------------------------------------

@router.get("/items", response={200: dict, 400: ErrorOut}, summary="The exposure column (public), newest first")
def item_list(request, filters: Query[ColumnFilter]):
    unknown = sorted(set(request.GET) - set(ColumnFilter.model_fields))
    if unknown:
        raise ApplicationError(str(UNKNOWN_FILTER).format(names=", ".join(unknown)),
                               {"fields": {k: ["unknown"] for k in unknown}})
    qs = selectors.publication_public_list(region=filters.region or "", sector=filters.sector or "")
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="exposure.items")
    return Status(200, page([public_item(p) for p in rows], next_cursor, qs.count()))


@router.get("/items/{publication_id}", response={200: dict, 404: ErrorOut}, summary="One published item (public)")
def item_detail(request, publication_id: int):
    pub = selectors.publication_public_get(publication_id)
    if pub is None:
        raise NotFound(services.PUBLICATION_NOT_FOUND)
    return Status(200, public_item(pub, full=True))


# --- staff ------------------------------------------------------------------------------------------

@router.post("/cases/{case_id}/proposals", auth=django_auth,
             response={201: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Propose a case for exposure (a draft prefilled without reporter data)")
def propose(request, case_id: int):
    pub = services.publication_propose(case_id=case_id, actor=request.user)
    return Status(201, staff_item(_staff_get(request, pub.pk), request.user))


@router.get("/publications", auth=django_auth, response={200: dict},
            summary="Publications of the cases you see (staff queue)")
def publication_list(request, status: str = Query("", max_length=20), limit: int = Query(50, ge=1, le=200),
                     offset: int = Query(0, ge=0), cursor: str | None = Query(None, max_length=1000)):
    qs = selectors.publication_queue_for_user(request.user, status)
    rows, next_cursor = paginate(qs, limit=limit, cursor=cursor, offset=offset, scope="exposure.publications")
    return Status(200, page([staff_item(p, request.user) for p in rows], next_cursor, qs.count()))


@router.get("/publications/{publication_id}", auth=django_auth, response={200: dict, 404: ErrorOut})
def publication_detail(request, publication_id: int):
    return Status(200, staff_item(_staff_get(request, publication_id), request.user))


@router.post("/publications/{publication_id}/redaction", auth=django_auth,
             response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Save the redaction: title, text, photos [{source: report|evidence, id, boxes: [[x,y,w,h]]}]")
def redact(request, publication_id: int, payload: RedactionIn):
    services.publication_redact(publication_id=publication_id, actor=request.user, title=payload.title,
                                text=payload.text, photos=payload.photos)
    return Status(200, staff_item(_staff_get(request, publication_id), request.user))


@router.post("/publications/{publication_id}/transitions", auth=django_auth,
             response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="submit, return, sign_off, take_down, revise or withdraw")
def transition(request, publication_id: int, payload: TransitionIn):
    data = {"reason": payload.reason, "note": payload.note}
    services.publication_transition(publication_id=publication_id, action=payload.action, actor=request.user,
                                    data={k: v for k, v in data.items() if v is not None})
    return Status(200, staff_item(_staff_get(request, publication_id), request.user))


@router.get("/photos/{photo_id}", auth=django_auth, response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="A redacted publication photo for staff preview (any status; the staff page's preview)")
def staff_photo(request, photo_id: int):
    from hazardwatch.accounts.selectors import user_is_staff_user
    from hazardwatch.core.errors import PermissionDenied
    from hazardwatch.exposure.views import staff_photo as view

    if not user_is_staff_user(request.user):
        raise PermissionDenied(_("Only workbench staff may preview photos."))
    return view(request, photo_id)  # the staff page's own visibility rule (Http404 → 404)
