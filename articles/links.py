"""Absolute addresses, always built from SITE_URL and never from a request's Host header (which a
visitor controls): for emails, the feed, the sitemap, and a page's canonical and sharing links."""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """The full address of a path on this site, such as ``/articles/aftercare/``."""
    return settings.SITE_URL + path


def site_scheme_and_domain() -> tuple[str, str]:
    """SITE_URL split as Django's sitemaps want it: the scheme, then the host and any path."""
    parts = urlsplit(absolute_url("/"))
    return parts.scheme, parts.netloc + parts.path.rstrip("/")
