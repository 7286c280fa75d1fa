"""Public pages served from the shared cache to anonymous visitors, and compressed.

Every public page depends only on published content, which changes only when staff save
something, ``load_content`` runs, or a scheduled article comes due. So the cache holds each page
under one site-wide *version*: a save bumps the version (after its transaction commits), and the
version also records when the next scheduled article goes live, after which it counts as stale.
A hit is two cache reads and no database work. With ``REDIS_URL`` every app server shares the
version, so an edit through one is fresh on all of them at once.

Compression: a response is gzipped for clients that accept it unless it carries a secret, that is
unless it belongs to a logged-in session or the page carries a CSRF token, so a BREACH-style
attack has nothing to recover (and Django masks its CSRF tokens on every response besides).
"""

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
PAGE_TTL_SECONDS = 24 * 3600
RECHECK_SECONDS = 30
LOCAL_PAGES = 300
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


@dataclass(frozen=True)
class Version:
    id: str
    next_due: float | None  # when the next scheduled article goes live (epoch seconds)

    def is_current(self, now: float) -> bool:
        return self.next_due is None or now < self.next_due


@dataclass(frozen=True)
class Page:
    version: str
    content: bytes
    gzipped: bytes | None
    headers: dict[str, str]
    etag: str


def bump_version() -> Version:
    """A new version: every page cached so far is stale. Also looks up the next scheduled
    publication, so that the article appears on time without anyone saving anything."""
    from .models import Article

    try:
        due = Article.objects.scheduled().aggregate(first=Min("published_at"))["first"]
        next_due = due.timestamp() if due else None
    except DatabaseError:
        # The database is away: look again soon. Pages cached so far stay good meanwhile.
        next_due = time.time() + RECHECK_SECONDS
    version = Version(id=secrets.token_hex(8), next_due=next_due)
    try:
        cache.set(VERSION_KEY, version, timeout=None)
    except Exception:  # a cache that is down serves nothing stale: nothing is served from it
        logger.warning("page cache: could not store a new version", exc_info=True)
    return version


def forget_version() -> None:
    """Every cached page is stale; the next request makes a new version."""
    try:
        cache.delete(VERSION_KEY)
    except Exception:
        logger.warning("page cache: could not drop the version", exc_info=True)


def content_changed(action: str = "", **kwargs) -> None:
    """Signal receiver: published content may have changed. Stale now, and again once the
    change commits, in case another request cached the page as it was in between.

    However many rows one transaction saves (a load saves thousands), it makes the pages stale
    once on commit: the callback is registered only if the transaction does not hold it yet.
    Django keeps a transaction's callbacks in ``run_on_commit`` and drops those of a savepoint
    rolled back, so a callback lost with its savepoint is registered again by the next save."""
    if action.startswith("pre_"):
        return  # "pre_": a change to an article's tags; the "post_" signal follows once made
    forget_version()
    connection = transaction.get_connection()
    pending = (callback for _, callback, _ in connection.run_on_commit)
    if not (connection.in_atomic_block and forget_version in pending):
        transaction.on_commit(forget_version)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # A worker's own copies of the pages it served last, each good only while its version is
        # the shared cache's current one: a hit then reads one small value from the cache.
        # The worker's threads share them.
        self.pages: dict[str, Page] = {}
        self.pages_lock = threading.Lock()

    def _remember(self, key: str, page: Page) -> None:
        with self.pages_lock:
            self.pages.pop(key, None)
            self.pages[key] = page
            while len(self.pages) > LOCAL_PAGES:
                del self.pages[next(iter(self.pages))]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _page_key(request)
        if key is None:
            return _compressed(request, self.get_response(request))
        try:
            version = cache.get(VERSION_KEY)
            if version is None or not version.is_current(time.time()):
                version = bump_version()
            # This worker's own copy when it is of the current version; else the shared one.
            page = self.pages.get(key)
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
            except Exception:
                logger.warning("page cache: could not store %s", request.path, exc_info=True)
            self._remember(key, page)
            return _from_cache(request, page, hit=False)
        return _compressed(request, response)


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
    if request.GET and not (match.view_name == "search" and not request.GET.get("q", "").strip()):
        return None
    return "pagecache:page:" + hashlib.sha256(path.encode()).hexdigest()


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
        response = HttpResponse(page.gzipped if gzip else page.content)
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
