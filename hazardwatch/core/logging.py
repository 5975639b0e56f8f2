"""Structured logs for production: one JSON object per line, with the request id, and no personal data.

Switched on by HAZARDWATCH_LOG_FORMAT=json (config/settings.py builds LOGGING). Why a small formatter of our
own rather than a library: the rule that matters here is what is *left out*. Django attaches the request
object to some records (`django.request` warnings) and libraries add arbitrary extras; a generic formatter
would serialise them (the client address lives in request.META). This one writes the standard fields plus
only those extras that are plain scalars, never objects, and never names in DROPPED_EXTRAS.

The request id comes from a context variable set by `core.middleware.RequestIdMiddleware`, so every record
emitted while serving a request (ORM warnings, task enqueueing, errors) carries it, whichever logger wrote it.
"""
import contextvars
import datetime as dt
import json
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("hazardwatch_request_id", default="")

# LogRecord attributes that are not "extras" (the formatter writes the useful ones under its own names).
_STANDARD = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "", None, None))) | {
    "message", "asctime", "request_id", "taskName",
}
# Extras never written even when scalar: addresses, query strings, contact details, receipt codes.
DROPPED_EXTRAS = frozenset({
    "ip", "client_ip", "remote_addr", "REMOTE_ADDR", "x_forwarded_for", "query", "query_string", "phone", "email",
    "receipt", "receipt_code", "password", "token", "server_time",
})
_SCALARS = (str, int, float, bool, type(None))


def record_request_id(record: logging.LogRecord) -> str:
    """The id of the request a record belongs to: its own, the request it carries (Django logs 4xx/5xx after
    the middleware chain has returned, with `extra={"request": ...}`), or the one being served."""
    return (getattr(record, "request_id", "") or getattr(getattr(record, "request", None), "request_id", "")
            or request_id_var.get())


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record passing through the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = record_request_id(record)
        return True


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message", "request_id", ...scalar extras, "exc"} on one line, UTF-8 kept."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record_request_id(record),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key in DROPPED_EXTRAS or key.startswith("_") or key in payload:
                continue
            if isinstance(value, _SCALARS):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)
