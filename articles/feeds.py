from django.contrib.syndication.views import Feed
from django.utils.html import escape

from .links import absolute_url
from .models import Article, ClinicDetails

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    """RSS of published articles, newest first. Links are absolute from SITE_URL, which Django
    leaves as they are, rather than built from the request's Host header."""

    description = "New and updated patient articles about dry needling."

    def title(self) -> str:
        return f"{ClinicDetails.load().name}: dry needling articles"

    def link(self) -> str:
        return absolute_url("/")

    def feed_url(self) -> str:
        return absolute_url("/feed/")

    def items(self):
        return Article.objects.published().newest_first()[:FEED_LENGTH]

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        # Feed readers show a description as HTML: the summary is plain text, so it is escaped
        # here, and the feed's own XML escaping comes on top.
        return escape(article.summary)

    def item_link(self, article: Article) -> str:
        return absolute_url(article.get_absolute_url())

    def item_pubdate(self, article: Article):
        return article.display_date

    def item_updateddate(self, article: Article):
        return article.updated_at
