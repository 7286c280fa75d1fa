"""Public pages served from the shared cache to anonymous visitors, and compressed.

Every public page depends only on published content, which changes only when staff save
something, ``load_content`` runs, or a scheduled article comes due. So the cache holds each page
under one site-wide *version*, and a page is served only while its version is current:

- The database keeps the version (``ContentVersion``: a number, and a random token so that no
  two databases name the same version). Every change to what public pages show moves it on in
  the change's own transaction, so the new version and the change become visible together, on
  every app server at once.
  Nothing has to reach the cache for a page to go stale: a cache that was away when staff saved
  (and missed being told) still holds pages of the old version, which are never served again.
- The version also names the last scheduled publication that has come due (every worker works
  out the same from the database and the clock), so a scheduled article appears on time without
  anyone saving anything.

A hit reads the version and, with a worker's own copy of the page, nothing else; otherwise one
cache read. On SQLite the version is one small query. On PostgreSQL each change also announces the
new version (``NOTIFY``) in its transaction, which the database delivers the moment it commits
(and never for a change rolled back), and each worker thread keeps a connection that listens: a
hit asks the database only when a change has been announced since it last read the version, when
its own process made a change, or when it last read it a second ago or more. If the database is
away, cached pages of the newest version this worker (or, through the cache, any worker) last saw
go on being served.

Compression: a response is gzipped for clients that accept it unless it carries a secret, that is
unless it belongs to a logged-in session or the page carries a CSRF token, so a BREACH-style
attack has nothing to recover (and Django masks its CSRF tokens on every response besides).
"""

import functools
import gzip as gzip_module
import hashlib
import logging
import secrets
import select
import sqlite3
import threading
import time
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Min, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from .searchwords import normalise, vocabulary_stamp

logger = logging.getLogger(__name__)

# The newest version a worker has seen, shared through the cache for when the database is away.
VERSION_KEY = "pagecache:version"
PAGE_TTL_SECONDS = 24 * 3600
# After the database failed to answer, a worker serves from the version it knew for this long
# before asking it again, rather than making every visitor wait for it to fail again.
RECHECK_SECONDS = 5
# What each worker keeps of the pages it served last: the compressed copy alone where there is
# one (most browsers take it; it is unpacked for the others), so that every page of a site of a
# few thousand articles (about 12 kB each) fits, and cycling through them all never leaves a
# worker.
LOCAL_BYTES = 48 * 1024**2
# A worker's copies of search results, kept apart (see PageCacheMiddleware).
LOCAL_SEARCH_BYTES = 4 * 1024**2
PAGE_KEY = "pagecache:page:"
SEARCH_KEY = "pagecache:search:"
CACHED_VIEWS = {
    "home",
    "articles:list",
    "articles:detail",
    "search",
    "feed",
    "sitemap",
    "robots",
    "privacy",
}
COMPRESSIBLE = ("text/html", "text/plain", "application/rss+xml", "application/xml", "text/xml")
MIN_COMPRESS_BYTES = 200
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Robots-Tag",
)
# A listening connection that heard of no change still reads the version again after this long,
# so that a change shows within it even where notifications are lost on the way (a connection
# pooler in transaction mode passes none on) or the connection died without a word.
CONFIRM_SECONDS = 1.0
_TABLE = "articles_contentversion"
CHANNEL = "pagecache_version"
_READ_VERSION = f"SELECT number, token FROM {_TABLE} WHERE id = 1"  # noqa: S608 (a constant)
# One statement, so that two first changes at once cannot both insert the row.
_MOVE_ON = (
    f"INSERT INTO {_TABLE} (id, number, token) VALUES (1, 1, %s) "  # noqa: S608 (a constant)
    f"ON CONFLICT (id) DO UPDATE SET number = {_TABLE}.number + 1, token = excluded.token"
)
# On PostgreSQL the same statement announces the new version to every listening connection; the
# database delivers it when the transaction commits, and drops it if it is rolled back.
_MOVE_ON_AND_ANNOUNCE = (
    f"WITH moved AS ({_MOVE_ON} RETURNING number, token) "  # noqa: S608 (constants)
    f"SELECT pg_notify('{CHANNEL}', number || ':' || token) FROM moved"
)


@dataclass(frozen=True)
class Version:
    id: str  # what cached pages record: the number and token, and the last publication come due
    number: int
    token: str
    next_due: float | None  # when the next scheduled article goes live (epoch seconds)

    def is_current(self, now: float) -> bool:
        return self.next_due is None or now < self.next_due


@dataclass(frozen=True)
class Page:
    version: str
    content: bytes | None  # None in a worker's own copy of a page it keeps compressed
    gzipped: bytes | None
    headers: dict[str, str]
    etag: str


def stored_version() -> tuple[int, str]:
    """The version's number and token as the database has them now (raises DatabaseError when
    it is away)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        path = _sqlite_file(str(connection.settings_dict["NAME"]))
        if path is not None:
            reader = getattr(_readers, "sqlite", None)
            if reader is None or not reader.reads(path):
                if reader is not None:
                    reader.close()
                reader = _readers.sqlite = SQLiteReader(path)
            return reader.version()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _postgresql_reader().version()
    with connection.cursor() as cursor:
        cursor.execute(_READ_VERSION)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, "")


def latest_version() -> tuple[int, str]:
    """The version to serve cached pages at: on PostgreSQL outside a transaction, the one this
    thread last read unless a change has been announced since (no round trip); otherwise
    ``stored_version()``."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _postgresql_reader().latest()
    return stored_version()


def _postgresql_reader() -> "PostgreSQLReader":
    reader = getattr(_readers, "postgresql", None)
    if reader is None:
        reader = _readers.postgresql = PostgreSQLReader()
    return reader


class SQLiteReader:
    """A read-only connection to the SQLite file, kept open by one thread: the site opens a
    connection for each request (CONN_MAX_AGE 0), which would cost a cache hit several times
    what reading the version does. A read outside a transaction sees every change committed."""

    def __init__(self, path: Path):
        self.path = path
        self.identity = _identity(path)
        try:
            self.connection = sqlite3.connect(
                f"{path.as_uri()}?mode=ro",
                uri=True,
                timeout=settings.DATABASE_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=True,
            )
        except sqlite3.Error as error:
            raise DatabaseError(str(error)) from error

    def reads(self, path: Path) -> bool:
        """Whether it reads that file as it is now (not one since replaced, say by a backup)."""
        return path == self.path and self.identity is not None and _identity(path) == self.identity

    def version(self) -> tuple[int, str]:
        try:
            row = self.connection.execute(_READ_VERSION).fetchone()
        except sqlite3.Error as error:
            self.identity = None  # opened again next time
            raise DatabaseError(str(error)) from error
        return (row[0], row[1]) if row else (0, "")

    def close(self) -> None:
        self.connection.close()


class PostgreSQLReader:
    """A connection of its own, kept open by one thread, that listens for announced versions
    and reads the version in one round trip (a prepared statement, in autocommit: it sees every
    change committed). Through the site's connection a hit cost a health check and the query,
    each a round trip, and Django's work around them.

    ``latest()`` spares even that round trip while nothing can have changed: no announcement
    waiting on the connection, no change committed by this process, and the version read less
    than ``CONFIRM_SECONDS`` ago. Listening starts before the first read on each connection
    (announcements made before it are never delivered), and a connection that cannot listen
    reads the version on every hit, as one that has broken does until it is opened again."""

    def __init__(self):
        self.connection = None
        self.listening = False
        self.known: tuple[int, str] | None = None
        self.read_at = 0.0  # time.monotonic() of the last read
        self.changes_seen = -1  # this process's changes committed as of the last read

    def version(self) -> tuple[int, str]:
        import psycopg

        # A connection kept open may have been cut since (the database restarted): it is
        # opened again and asked once more before the database counts as away.
        for last_try in (self.connection is None or self.connection.closed, True):
            try:
                if self.connection is None or self.connection.closed:
                    self._connect()
                changes_seen, read_at = _changes_here, time.monotonic()
                row = self.connection.execute(_READ_VERSION, prepare=True).fetchone()
            except psycopg.Error as error:
                self.known = None
                if self.connection is not None:
                    self.connection.close()
                if last_try:
                    raise DatabaseError(str(error)) from error
            else:
                self.known = (row[0], row[1]) if row else (0, "")
                self.changes_seen, self.read_at = changes_seen, read_at
                return self.known
        raise AssertionError("unreachable")

    def latest(self) -> tuple[int, str]:
        if (
            self.known is None
            or not self.listening
            or self.connection is None
            or self.connection.closed
            or self.changes_seen != _changes_here
            or time.monotonic() - self.read_at >= CONFIRM_SECONDS
            or self._announced()
        ):
            return self.version()
        return self.known

    def _connect(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        self.connection = psycopg.connect(**params, autocommit=True)
        _open_readers.add(self)
        try:
            self.connection.execute(f"LISTEN {CHANNEL}")
            self.listening = True
        except psycopg.Error:
            # Say, a server that refuses it: this thread reads the version on every hit.
            self.listening = False
            logger.warning("page cache: cannot listen for changes; reading the version each time")

    def _announced(self) -> bool:
        """Whether anything came on the connection since the version was last read, without
        waiting: an announcement (one may also have come with the last read's answer, for a
        change committed while it ran), or word that the connection is closing (the database
        was restarted), on which reading the version opens it again."""
        import psycopg

        try:
            announced = bool(select.select([self.connection.fileno()], [], [], 0)[0])
            for _ in self.connection.notifies(timeout=0):
                announced = True
        except (psycopg.Error, OSError):
            self.connection.close()
            return True
        return announced


_readers = threading.local()
# How many changes this process has committed (``forget_version``).
_changes_here = 0
# Every reader with a connection open, so that all can be closed (``close_readers``).
_open_readers: set[PostgreSQLReader] = set()


def close_readers() -> None:
    """Close every thread's connection for reading the version (a database being dropped, as
    at the end of a test run, must have no one connected)."""
    for reader in list(_open_readers):
        if reader.connection is not None:
            reader.connection.close()
        _open_readers.discard(reader)


@functools.lru_cache(maxsize=8)
def _sqlite_file(name: str) -> Path | None:
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return Path(name).resolve()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def version_at(number: int, token: str, now: float) -> Version:
    """The version at this moment: the same in every worker. Looks up the last
    scheduled publication already come due and the next one still to come."""
    from .models import Article

    moment = datetime.fromtimestamp(now, tz=UTC)
    times = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        last=Max("published_at", filter=Q(published_at__lte=moment)),
        next=Min("published_at", filter=Q(published_at__gt=moment)),
    )
    last = times["last"].timestamp() if times["last"] else 0
    return Version(
        id=f"{number}-{token}-{last:.6f}",
        number=number,
        token=token,
        next_due=times["next"].timestamp() if times["next"] else None,
    )


def bump_version() -> None:
    """Every page cached so far is stale: the version moves on, in the caller's transaction
    when there is one (so it commits, or is rolled back, with the change). On PostgreSQL the
    same statement announces it to every listening connection, on commit. Once the change is
    committed, ``forget_version`` runs (once however many changes the transaction makes)."""
    statement = _MOVE_ON_AND_ANNOUNCE if connection.vendor == "postgresql" else _MOVE_ON
    with connection.cursor() as cursor:
        cursor.execute(statement, [secrets.token_hex(8)])
    _on_commit_once(forget_version)


def _on_commit_once(callback) -> None:
    """Run ``callback`` once when the current transaction commits (at once outside one),
    however many times the transaction asks. Django keeps a transaction's callbacks in
    ``run_on_commit`` and drops those of a savepoint rolled back, so a callback lost with its
    savepoint is registered again by the next call."""
    current = transaction.get_connection()
    pending = (registered for _, registered, _ in current.run_on_commit)
    if not (current.in_atomic_block and callback in pending):
        transaction.on_commit(callback)


def forget_version() -> None:
    """The version moved on: this process's threads read it on their next hit rather than wait
    for the announcement to come back from the database, and the cache's copy is dropped (it is
    the database's version that counts; the copy only serves while the database is away). The
    next page stored writes the new one."""
    global _changes_here
    _changes_here += 1
    try:
        cache.delete(VERSION_KEY)
    except Exception:
        logger.warning("page cache: could not drop the version", exc_info=True)


def content_changed(action: str = "", **kwargs) -> None:
    """Signal receiver: published content may have changed. The version moves on in the same
    transaction as the change (one small write, which commits or is rolled back with it), so no
    page rendered before the change commits is served after it. Outside a transaction
    (autocommit), straight after the change.

    However many rows one transaction saves (a load saves thousands), the cache's copy of the
    version is dropped once, on commit."""
    if action.startswith("pre_"):
        return  # "pre_": a change to an article's tags; the "post_" signal follows once made
    bump_version()


class LocalPages:
    """A worker's own copies of pages, shared by its threads: the one used last kept, those
    used longest ago dropped past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pages: dict[str, Page] = {}
        self.bytes = 0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.pages)

    def get(self, key: str) -> Page | None:
        return self.pages.get(key)

    def remember(self, key: str, page: Page) -> None:
        if page.gzipped is not None and page.content is not None:
            page = replace(page, content=None)
        with self.lock:
            before = self.pages.pop(key, None)
            if before is not None:
                self.bytes -= _size(before)
            self.pages[key] = page
            self.bytes += _size(page)
            while self.bytes > self.limit and len(self.pages) > 1:
                self.bytes -= _size(self.pages.pop(next(iter(self.pages))))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # A worker's own copies of the pages it served last, each good only while its version is
        # the current one: a hit then reads nothing from the cache. Its threads share them.
        self.pages = LocalPages(LOCAL_BYTES)
        # Search results, apart: visitors can ask for any number of them, and a run of new
        # searches must not push the articles out.
        self.searches = LocalPages(LOCAL_SEARCH_BYTES)
        # The version this worker last worked out, and until when the database is not asked
        # again after it failed to answer.
        self.version: Version | None = None
        self.database_away_until = 0.0

    def _local(self, key: str) -> "LocalPages":
        return self.searches if key.startswith(SEARCH_KEY) else self.pages

    def _remember(self, key: str, page: Page) -> None:
        self._local(key).remember(key, page)

    def _current_version(self) -> Version | None:
        """The version pages are served at now, or None: serve this request uncached."""
        now = time.time()
        if now >= self.database_away_until:
            try:
                number, token = latest_version()
                known = self.version
                if (
                    known is None
                    or (known.number, known.token) != (number, token)
                    or not known.is_current(now)
                ):
                    known = self.version = version_at(number, token, now)
                    _share(known)
                return known
            except DatabaseError:
                logger.warning("page cache: the database did not answer; serving what it knew")
                self.database_away_until = now + RECHECK_SECONDS
        # The database is away, so nothing can change: the newest version this worker or any
        # other last saw is as current as any (a scheduled article waits for the database).
        known = [v for v in (self.version, _shared()) if v is not None]
        return max(known, key=lambda v: v.number) if known else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _page_key(request)
        if key is None:
            return _compressed(request, self.get_response(request))
        version = self._current_version()
        if version is None:
            return _compressed(request, self.get_response(request))
        try:
            # This worker's own copy when it is of the current version; else the shared one.
            page = self._local(key).get(key)
            if page is None or page.version != version.id:
                page = cache.get(key)
        except Exception:
            logger.warning("page cache unavailable; serving %s uncached", request.path)
            return _compressed(request, self.get_response(request))
        if page is not None and page.version == version.id:
            self._remember(key, page)
            return _from_cache(request, page)
        response = self.get_response(request)
        if _storable(response):
            page = _page(response, version.id)
            try:
                cache.set(key, page, timeout=PAGE_TTL_SECONDS)
                _share(version)
            except Exception:
                logger.warning("page cache: could not store %s", request.path, exc_info=True)
            self._remember(key, page)
            return _from_cache(request, page, hit=False)
        return _compressed(request, response)


def _size(page: Page) -> int:
    return len(page.content or b"") + len(page.gzipped or b"")


def _share(version: Version) -> None:
    """Tell the other workers (through the cache) the newest version, for when the database is
    away. Written with each page stored, so a cache that was away hears of it again."""
    try:
        cache.set(VERSION_KEY, astuple(version), timeout=None)
    except Exception:
        logger.warning("page cache: could not share the version", exc_info=True)


def _shared() -> Version | None:
    try:
        version_id, number, token, next_due = cache.get(VERSION_KEY)
        return Version(id=str(version_id), number=int(number), token=str(token), next_due=next_due)
    except Exception:  # away, or nothing (or something of an older release) there
        return None


def _page_key(request: HttpRequest) -> str | None:
    """The cache key for this request, or None if it must not be served from the cache."""
    if request.method not in ("GET", "HEAD"):
        return None
    request.get_host()  # a host the site does not serve is refused, cached page or not
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # staff, or anyone with a session, see fresh pages
    # The site is served from the root (FORCE_SCRIPT_NAME): a page's links never depend on the
    # request. A request whose server was given a script name (a proxy's SCRIPT_NAME header),
    # and so may have taken it off the front of the path, is answered but never cached.
    if request.META.get("SCRIPT_NAME", "") not in ("", "/") or get_script_prefix() != "/":
        return None
    # The address the page is stored under is the one it was resolved from, and rendered for.
    path = request.path_info
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name not in CACHED_VIEWS:
        return None
    if match.view_name == "search":
        # One page for each query as search reads it ("Does it HURT?" is "does it hurt"), and
        # for each version of the patient vocabulary.
        path += f"?q={normalise(request.GET.get('q', ''))}&words={vocabulary_stamp()}"
    elif request.GET:
        return None
    prefix = SEARCH_KEY if match.view_name == "search" else PAGE_KEY
    return prefix + hashlib.sha256(path.encode()).hexdigest()


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cookie" not in response.get("Vary", "")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _page(response: HttpResponse, version: str) -> Page:
    content = response.content
    kind = response.get("Content-Type", "")
    gzipped = None
    if kind.startswith(COMPRESSIBLE) and len(content) >= MIN_COMPRESS_BYTES:
        gzipped = compress_string(content)
    return Page(
        version=version,
        content=content,
        gzipped=gzipped,
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        etag='"' + hashlib.sha256(content).hexdigest()[:32] + '"',
    )


def _from_cache(request: HttpRequest, page: Page, hit: bool = True) -> HttpResponse:
    gzip = page.gzipped is not None and _accepts_gzip(request)
    # Each encoding is its own representation, with its own tag.
    etag = page.etag[:-1] + '-gzip"' if gzip else page.etag
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        if gzip:
            body = page.gzipped
        elif page.content is None:
            body = gzip_module.decompress(page.gzipped)
        else:
            body = page.content
        response = HttpResponse(body)
        if gzip:
            response["Content-Encoding"] = "gzip"
    for name, value in page.headers.items():
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    response["ETag"] = etag
    # Browsers check back every time (a 304 when nothing changed), so an edit shows at once.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["X-Page-Cache"] = "hit" if hit else "miss"
    if page.gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _compressed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # A page that used the CSRF token sends its cookie again with it.
    carries_secret = (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.CSRF_COOKIE_NAME in response.cookies
    )
    if (
        carries_secret
        or response.streaming
        or response.has_header("Content-Encoding")
        or not response.get("Content-Type", "").startswith(COMPRESSIBLE)
        or len(response.content) < MIN_COMPRESS_BYTES
    ):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if _accepts_gzip(request):
        response.content = compress_string(response.content)
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
    return response


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()
