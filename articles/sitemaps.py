from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article


class _SiteUrlSitemap(Sitemap):
    """Addresses built from SITE_URL, not from whatever Host header a request carried."""

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path


class ArticleSitemap(_SiteUrlSitemap):
    def items(self):
        return Article.objects.published().order_by("order", "title")

    def lastmod(self, article: Article):
        return article.updated_at


class PageSitemap(_SiteUrlSitemap):
    def items(self):
        return ["home", "articles:list"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap}
