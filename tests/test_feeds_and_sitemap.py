"""For search engines and feed readers: sitemap, robots.txt and RSS."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_every_published_article_with_its_last_change(client, make_article):
    make_article("one", order=1)
    make_article("two")
    make_article("hidden", status=Article.Status.DRAFT)

    root = ET.fromstring(client.get("/sitemap.xml").content)

    entries = {
        url.find(f"{SITEMAP_NS}loc").text: url.find(f"{SITEMAP_NS}lastmod")
        for url in root.findall(f"{SITEMAP_NS}url")
    }
    assert set(entries) == {
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/articles/",
        "http://127.0.0.1:8000/articles/one/",
        "http://127.0.0.1:8000/articles/two/",
    }
    one = Article.objects.get(slug="one")
    assert entries["http://127.0.0.1:8000/articles/one/"].text == one.updated_at.date().isoformat()


def test_sitemap_and_robots_use_site_url(client, make_article, settings):
    settings.SITE_URL = "https://clinic.example.org"
    make_article("one")

    sitemap = client.get("/sitemap.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()

    assert "<loc>https://clinic.example.org/articles/one/</loc>" in sitemap
    assert robots.endswith("Sitemap: https://clinic.example.org/sitemap.xml\n")


def test_feed_lists_published_articles_newest_first_with_full_urls(client, make_article, settings):
    settings.SITE_URL = "https://clinic.example.org"
    now = timezone.now()
    make_article("older", title="Older", published_at=now - dt.timedelta(days=2))
    make_article("newer", title="Newer", published_at=now - dt.timedelta(days=1))
    make_article("later", title="Later", published_at=now + dt.timedelta(days=1))
    make_article("draft", title="Draft", status=Article.Status.DRAFT)

    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [i.find("title").text for i in items] == ["Newer", "Older"]
    assert items[0].find("link").text == "https://clinic.example.org/articles/newer/"
    assert channel.find("link").text == "https://clinic.example.org/"


def test_markup_in_a_summary_reaches_feed_readers_as_text(client, make_article):
    make_article("x", summary='Rest. <img src=x onerror="alert(1)">')

    xml = client.get("/feed/").content.decode()

    assert (
        "<description>Rest. &amp;lt;img src=x onerror=&amp;quot;alert(1)&amp;quot;&amp;gt;"
        "</description>"
    ) in xml
