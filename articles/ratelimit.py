"""A fixed-window rate limit kept in Django's cache, so every worker process counts together."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest

# The part of an IPv6 address that names one client: a /64 is the smallest block a home or a
# server is given.
IPV6_CLIENT_PREFIX = 64


def allow(key: str, limit: int, window_seconds: int, cache: BaseCache | None = None) -> bool:
    """Count one attempt for ``key``; False once more than ``limit`` fell in this window."""
    cache = cache or caches["default"]
    bucket = f"ratelimit:{key}:{int(time.time() // window_seconds)}"
    cache.add(bucket, 0, timeout=window_seconds)
    try:
        count = cache.incr(bucket)
    except ValueError:  # the bucket expired between add() and incr()
        cache.set(bucket, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def seconds_left(window_seconds: int) -> int:
    """How long until the current window ends and the count starts again."""
    return window_seconds - int(time.time() % window_seconds)


def client_address(request: HttpRequest) -> str:
    """The visitor's address: the socket's, or with ``TRUSTED_PROXY_COUNT`` proxies in front,
    the entry the outermost of them appended to X-Forwarded-For. Entries further left were
    written by the client and could say anything."""
    count = settings.TRUSTED_PROXY_COUNT
    socket_address = _address(request.META.get("REMOTE_ADDR", ""))
    if count <= 0:
        return socket_address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Not every trusted proxy added its entry: the request did not come through them all.
        return socket_address
    return _address(forwarded[-count]) or socket_address


def counted_address(request: HttpRequest) -> str:
    """The client a limit counts (sign-ups, feedback answers, the admin login guard): an IPv4
    address on its own, and an IPv6 address by its /64 network, written as the network's first
    address (``2001:db8:1:2::``). One household or machine is given a whole /64 and picks
    addresses in it freely, so counting single IPv6 addresses would let it step past any limit."""
    address = client_address(request)
    if ":" not in address:
        return address
    network = ipaddress.IPv6Network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False)
    return str(network.network_address)


def _address(value: str) -> str:
    """The address, written the standard way (an IPv4 address written as IPv6, ``::ffff:a.b.c.d``,
    as that IPv4 address); empty if it is not an IP address at all."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)
