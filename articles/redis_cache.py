"""The cache several app servers share: Redis, made to fail soft (when Redis is away every page
still answers, uncached, sign-ups still work, and everything picks up again when Redis comes
back). Imported only where Redis is configured."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _soft(method: str, fallback):
    def wrapped(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), method)(*args, **kwargs)
        except RedisError as error:
            logger.warning("cache unavailable (%s): %s", method, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapped.__name__ = method
    return wrapped


class ResilientRedisCache(RedisCache):
    """Redis, behaving as an empty cache that remembers nothing while Redis cannot be reached.
    Counters then count from one, so rate limits let people through rather than lock them out."""

    get = _soft("get", lambda key, default=None, **kw: default)
    get_many = _soft("get_many", {})
    has_key = _soft("has_key", False)
    set = _soft("set", None)
    set_many = _soft("set_many", lambda data, *a, **kw: list(data))
    add = _soft("add", True)
    touch = _soft("touch", False)
    delete = _soft("delete", False)
    delete_many = _soft("delete_many", None)
    incr = _soft("incr", lambda key, delta=1, **kw: delta)
    decr = _soft("decr", lambda key, delta=1, **kw: -delta)
    clear = _soft("clear", None)
