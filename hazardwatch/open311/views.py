"""The GeoReport v2 endpoint: parse path, format and arguments, call a service, render XML or JSON.

Every answer, errors included, is in the standard's format; an unexpected failure is logged and answered
as a 400 error (never a 500).
"""
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from hazardwatch.apikeys.services import apikey_authenticate
from hazardwatch.open311 import services
from hazardwatch.open311.render import FORMATS, errors_doc, respond
from hazardwatch.open311.services import Open311Error

logger = logging.getLogger(__name__)

E_NOT_FOUND = _("Nothing here. Start from discovery.xml or services.xml.")
E_FORMAT = _("Unknown format '{value}': end the path with .xml or .json.")
E_FORMAT_MISSING = _("No format: end the path with .xml or .json.")
E_METHOD = _("{method} is not allowed here; use {allowed}.")
E_CONTENT_TYPE = _("Send the request body as application/x-www-form-urlencoded or multipart/form-data.")
E_BODY = _("The request body could not be read.")
E_BODY_TOO_BIG = _("The request body is too large.")
E_LOCALE = _("locale must be zh or en.")
E_FAILURE = _("The request could not be processed.")

FORM_MAX_BYTES = 256 * 1024
RESOURCES = {"discovery": 1, "services": 2, "requests": 2, "tokens": 2}


def _split(path: str) -> tuple[list[str], str | None]:
    """'requests/abc.json' → (['requests', 'abc'], 'json'); no suffix → None."""
    path = path.strip("/")
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        base, _dot, fmt = path.rpartition(".")
        return base.split("/"), fmt.lower()
    return path.split("/"), None


def _max_body() -> int:
    photos = settings.HAZARDWATCH_MAX_PHOTOS * settings.HAZARDWATCH_MAX_PHOTO_BYTES
    return photos + 1024 * 1024


def _post_params(request) -> tuple[MultiValueDict, list]:
    content_type = (request.content_type or "").lower()
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(400, E_CONTENT_TYPE)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = FORM_MAX_BYTES if content_type == "application/x-www-form-urlencoded" else _max_body()
    if length > limit:
        raise Open311Error(400, E_BODY_TOO_BIG)
    try:
        post, files = request.POST, request.FILES
    except RequestDataTooBig:
        raise Open311Error(400, E_BODY_TOO_BIG) from None
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent, UnicodeDecodeError, LookupError, ValueError):
        raise Open311Error(400, E_BODY) from None
    params = request.GET.copy()  # api_key and jurisdiction_id may come in the query string
    for key in post.keys():
        params.setlist(key, post.getlist(key))
    uploads = [f for key in files.keys() if key in ("media", "media[]", "photos", "photo")
               for f in files.getlist(key)]
    return params, uploads


def _api_key(request, params):
    key = getattr(request, "api_key", None)  # Authorization: Bearer (ApiKeyMiddleware)
    if key is not None:
        return key
    raw = services._first(params, "api_key")
    if not raw:
        raise Open311Error(403, services.E_API_KEY_MISSING)
    key = apikey_authenticate(raw)
    if key is None:
        raise Open311Error(403, services.E_API_KEY_INVALID)
    return key


def _allow(method: str, allowed: tuple) -> None:
    if method not in allowed:
        raise Open311Error(400, E_METHOD.format(method=method[:10], allowed=" or ".join(allowed)),
                           {"Allow": ", ".join(allowed)})


def _route(request, parts: list[str], fmt: str):
    """(document, headers) for a known resource; Open311Error otherwise."""
    method = "GET" if request.method == "HEAD" else request.method
    name = parts[0]
    if method == "POST" and parts == ["requests"]:
        params, files = _post_params(request)
    else:
        params = request.GET
        files = []
    services.check_jurisdiction(services._first(params, "jurisdiction_id"))
    with_notes = services._first(params, "extensions").lower() in ("true", "1")
    if name == "discovery":
        _allow(method, ("GET",))
        root = request.build_absolute_uri(reverse("open311:endpoint", kwargs={"path": ""}))
        return services.discovery_doc(root), {}
    if name == "services":
        _allow(method, ("GET",))
        if len(parts) == 1:
            return services.services_doc(), {}
        return services.definition_doc(parts[1]), {}
    if name == "tokens":
        _allow(method, ("GET",))
        return services.token_doc(parts[1]), {}
    if len(parts) == 2:
        _allow(method, ("GET",))
        return services.request_doc(parts[1], with_notes), {}
    _allow(method, ("GET", "POST"))
    if method == "POST":
        key = _api_key(request, params)
        return services.request_create(params=params, files=files, api_key=key), {}
    return services.search_doc(params, with_notes)


@csrf_exempt
def endpoint(request, path: str):
    parts, fmt = _split(path)
    answer_fmt = fmt if fmt in FORMATS else "xml"
    locale = (request.GET.get("locale") or "").strip().lower()
    try:
        if locale:
            if locale.startswith("en"):
                translation.activate("en")
            elif locale.startswith("zh"):
                translation.activate("zh-hans")
            else:
                raise Open311Error(400, E_LOCALE)
        known = parts[0] in RESOURCES and len(parts) <= RESOURCES[parts[0]] and all(parts)
        if not known:
            raise Open311Error(404, E_NOT_FOUND)
        if not fmt:
            raise Open311Error(400, E_FORMAT_MISSING)
        if fmt not in FORMATS:
            raise Open311Error(400, E_FORMAT.format(value=fmt[:20]))
        doc, headers = _route(request, parts, fmt)
        return respond(doc, answer_fmt, 200, headers)
    except Open311Error as exc:
        return respond(errors_doc(exc.status, exc.descriptions), answer_fmt, exc.status, exc.headers)
    except Exception:
        logger.exception("open311: unexpected failure on %s %s", request.method, request.path)
        return respond(errors_doc(400, [str(E_FAILURE)]), answer_fmt, 400)
