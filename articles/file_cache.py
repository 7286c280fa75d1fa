"""The file cache that the workers of one machine share, sized by the space it takes (Redis,
for several app servers, is in redis_cache.py)."""

import os
import time

from django.core.cache.backends.filebased import FileBasedCache


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
