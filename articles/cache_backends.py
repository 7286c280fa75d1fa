"""The caches: Redis shared by several app servers, made to fail soft (when Redis is away every
page still answers, uncached, sign-ups still work, and everything picks up again when Redis comes
back); and the file cache that the workers of one machine share, sized by the space it takes."""

import logging
import os
import time

from django.core.cache.backends.filebased import FileBasedCache
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


class SizedFileCache(FileBasedCache):
    """Django's file cache (shared by every worker on one machine), limited by the space its
    files take (``MAX_BYTES`` in OPTIONS) rather than by how many there are. Django's limit of
    300 entries, a third of them dropped whenever it is reached, holds fewer pages than a site
    of a few hundred articles has, so most visits would find their page gone. Past the limit,
    the files written longest ago are removed until a fifth of it is free again. The folder is
    looked at after a write at most every ``CHECK_SECONDS`` in each process (not on every write,
    which would make each new page cost more the more pages there are), so it can go over by
    what is written in that time."""

    CHECK_SECONDS = 10

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 512 * 1024**2))
        self._next_check = 0.0

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.CHECK_SECONDS
        files = []
        try:
            with os.scandir(self._dir) as entries:
                for entry in entries:
                    if entry.name.endswith(self.cache_suffix):
                        found = entry.stat()
                        files.append((found.st_mtime, found.st_size, entry.path))
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files):
            self._delete(path)
            total -= size
            if total <= self.max_bytes * 0.8:
                break
