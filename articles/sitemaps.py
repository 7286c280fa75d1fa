from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .links import site_scheme_and_domain
from .models import Article


class _SiteUrlSitemap(Sitemap):
    """Addresses built from SITE_URL, not from whatever Host header a request carried."""

    @property
    def protocol(self) -> str:
        return site_scheme_and_domain()[0]

    def get_domain(self, site=None) -> str:
        return site_scheme_and_domain()[1]


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
