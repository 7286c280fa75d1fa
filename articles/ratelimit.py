"""A fixed-window rate limit kept in Django's cache, so every worker process counts together."""

import time

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest


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


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind the production proxy, the one the proxy saw and appended."""
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")
