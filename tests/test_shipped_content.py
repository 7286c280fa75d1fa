"""The articles shipped in content/ load cleanly and every page renders."""

import pytest
from django.utils.html import escape

from articles.importers import load_content
from articles.models import Article

pytestmark = pytest.mark.django_db


def test_shipped_content_loads_and_every_article_page_renders(client, shipped_content):
    report = load_content(shipped_content)

    assert report.created
    assert report.counts().endswith("updated 0, unchanged 0, kept 0")
    for article in Article.objects.published():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, article.slug
        assert f"<h1>{escape(article.title)}</h1>" in response.content.decode()
    assert load_content(shipped_content).counts() == (
        f"created 0, updated 0, unchanged {len(report.created)}, kept 0"
    )


def test_shipped_guide_is_in_reading_order(client, shipped_content):
    load_content(shipped_content)

    guide = client.get("/").context["guide"]

    assert [a.order for a in guide] == sorted(a.order for a in guide)
    assert len(guide) == Article.objects.published().filter(order__isnull=False).count()
