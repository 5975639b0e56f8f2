"""Which target URLs a webhook may point at (the SSRF guard), checked on save and again before each request.

https only, to hosts whose every address is public. Plain http to 127.0.0.1/localhost is allowed only when
`HAZARDWATCH_WEBHOOK_ALLOW_LOCAL` is true (defaults to DEBUG), for development and tests.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.errors import ApplicationError

URL_INVALID = _("Enter a full URL such as https://partner.example.org/hooks/hazardwatch.")
URL_NEEDS_HTTPS = _("The target URL must use https.")
URL_CREDENTIALS = _("The target URL must not contain a user name or password.")
URL_PRIVATE = _("The target URL points to a private, loopback or reserved network address; webhooks only go to "
                "public addresses.")
URL_UNRESOLVED = _("The host name of the target URL cannot be resolved.")

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class UnsafeTarget(ApplicationError):
    pass


def allow_local() -> bool:
    value = getattr(settings, "HAZARDWATCH_WEBHOOK_ALLOW_LOCAL", None)
    return bool(settings.DEBUG if value is None else value)


def _public(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def _fail(message):
    return UnsafeTarget(message, {"fields": {"target_url": [str(message)]}})


def parse_target(url: str):
    """(scheme, host, port, is_local) of a syntactically acceptable target URL, else UnsafeTarget."""
    if not isinstance(url, str) or len(url) > 500 or not url.isprintable() or not url.isascii() or " " in url:
        raise _fail(URL_INVALID)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _fail(URL_INVALID) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise _fail(URL_INVALID)
    if parts.username is not None or parts.password is not None:
        raise _fail(URL_CREDENTIALS)
    is_local = host in LOCAL_HOSTS
    if parts.scheme == "http" and not (is_local and allow_local()):
        raise _fail(URL_NEEDS_HTTPS)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), is_local


def resolve_target(url: str) -> tuple[str, str, int, list[str]]:
    """Check a target URL and resolve it: (scheme, host, port, addresses). Every address must be public,
    except loopback for the local hosts when allowed."""
    scheme, host, port, is_local = parse_target(url)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            raise _fail(URL_UNRESOLVED) from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not addresses:
            raise _fail(URL_UNRESOLVED)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if is_local and allow_local() and ip.is_loopback:
            continue
        if not _public(ip):
            raise _fail(URL_PRIVATE)
    return scheme, host, port, addresses
