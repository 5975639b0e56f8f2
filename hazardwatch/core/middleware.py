"""Language choice: Simplified Chinese unless the person picked English with the switch.

Browsers' Accept-Language is ignored on purpose: the platform's default is Chinese for everyone (a
phone set to English in Zhengzhou still gets the official Chinese texts first); the header switch sets
the language cookie, which LocaleMiddleware honours.
"""
import logging
import re
import time
import uuid

from hazardwatch.core.logging import request_id_var


class IgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give every request an id, echo it in X-Request-ID, and log one line per request (docs/deploy.md, "Logs").

    A well-formed X-Request-ID from the load balancer is kept so one id follows the request across nodes;
    anything else is replaced (a header is client input: no log injection, no unbounded length). The line holds
    method, path without the query string, status, duration and id: never the client address, the query string
    (receipt codes and phone numbers travel there on look-ups) or a body. Paths of routes that carry a token in
    the URL are logged as their route pattern. Successful health probes log at DEBUG (load balancers would flood
    the log).
    Put it first in MIDDLEWARE so redirects and refusals by later middleware are logged too.
    """

    HEADER = "HTTP_X_REQUEST_ID"
    _WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
    # URL keyword arguments whose values are secrets or could identify someone: logged as the route pattern.
    SENSITIVE_KWARGS = frozenset({"token", "receipt", "code_hash", "key"})
    QUIET_PATHS = frozenset({"/healthz", "/readyz"})

    def __init__(self, get_response):
        self.get_response = get_response
        self.log = logging.getLogger("hazardwatch.request")

    def __call__(self, request):
        incoming = request.META.get(self.HEADER, "")
        request_id = incoming if self._WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def _log(self, request, status: int, started: float) -> None:
        quiet = request.path in self.QUIET_PATHS and status < 400  # a failing probe is worth a line
        level = logging.DEBUG if quiet else logging.INFO
        if not self.log.isEnabledFor(level):
            return
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = self._loggable_path(request)
        self.log.log(level, "%s %s %s %.1fms", request.method, path, status, duration_ms,
                     extra={"method": request.method, "path": path, "status": status, "duration_ms": duration_ms})

    def _loggable_path(self, request) -> str:
        match = getattr(request, "resolver_match", None)
        if match is not None and self.SENSITIVE_KWARGS & set(match.kwargs):
            return "/" + match.route.lstrip("^")
        return request.path
