"""What a page or a load costs does not grow with the site: the default cache holds every page
of a large site, an article page reads a few rows whatever the number of articles, its QR code
is drawn once, and a large load saves each article as a load of one would."""

import os

import pytest
import segno
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from reversion.models import Version

from articles import pagecache
from articles.file_cache import SizedFileCache
from articles.importers import load_content
from articles.markdown import render
from articles.models import Article, Tag
from articles.models.article import RELATED_COUNT
from articles.pagecache import (
    Page,
    PageCacheMiddleware,
    PostgreSQLReader,
    bump_version,
    close_readers,
)
from articles.templatetags import articles_tags
from tests.test_settings import setting

PAGE_BYTES = 50_000


def test_the_default_cache_is_limited_by_the_space_it_takes_not_by_a_number_of_pages():
    backend, max_bytes = setting(
        "settings.CACHES['default']['BACKEND'], settings.CACHES['default']['OPTIONS']['MAX_BYTES']"
    ).split()

    assert backend == "articles.file_cache.SizedFileCache"
    assert int(max_bytes) >= 10_000 * PAGE_BYTES


def test_the_file_cache_keeps_every_page_of_a_site_of_a_thousand_articles(tmp_path):
    pages = SizedFileCache(str(tmp_path), {"OPTIONS": {"MAX_BYTES": 512 * 1024**2}})
    pages.CHECK_SECONDS = 0  # look at the folder on every write

    for number in range(1_100):
        pages.set(f"page-{number}", f"page {number} ".ljust(PAGE_BYTES, "."))

    assert all(
        pages.get(f"page-{number}") == f"page {number} ".ljust(PAGE_BYTES, ".")
        for number in range(1_100)
    )


def test_the_file_cache_past_its_space_drops_the_pages_written_longest_ago(tmp_path):
    pages = SizedFileCache(str(tmp_path), {"OPTIONS": {"MAX_BYTES": 5 * PAGE_BYTES}})
    pages.CHECK_SECONDS = 0
    written = {}
    for number in range(10):
        written[number] = os.urandom(PAGE_BYTES)  # does not compress
        pages.set(f"page-{number}", written[number])
        # Each file a second older than the next, whatever the clock's resolution.
        path = pages._key_to_file(f"page-{number}")
        os.utime(path, (1_000_000 + number, 1_000_000 + number))

    kept = [number for number in range(10) if pages.get(f"page-{number}") is not None]

    assert pages.get("page-9") == written[9]
    assert 0 not in kept
    assert kept == list(range(kept[0], 10))
    assert sum(f.stat().st_size for f in tmp_path.iterdir()) <= 6 * PAGE_BYTES


def test_the_handout_qr_code_is_drawn_once_for_each_address(client, make_article, monkeypatch):
    drawn = []
    make = segno.make

    def counted(content, *args, **kwargs):
        drawn.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(segno, "make", counted)
    articles_tags._qr_svg.cache_clear()
    make_article("aftercare")
    make_article("safety")

    pages = []
    for _ in range(3):
        for slug in ("aftercare", "safety"):
            bump_version()  # every page is rendered again
            response = client.get(f"/articles/{slug}/")
            assert response["X-Page-Cache"] == "miss"
            pages.append(response.content.decode())

    assert drawn == [
        "http://127.0.0.1:8000/articles/aftercare/",
        "http://127.0.0.1:8000/articles/safety/",
    ]
    assert all(
        'class="qr-code"><title>QR code: http://127.0.0.1:8000/articles/' in p for p in pages
    )


def neighbours_read(article: Article) -> tuple[int, int, object]:
    """How many queries ``neighbours`` makes, how many rows they return, and what it finds."""
    with CaptureQueriesContext(connection) as queries:
        found = article.neighbours()
    rows = 0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(query["sql"])
            rows += len(cursor.fetchall())
    return len(queries), rows, found


def titles(articles) -> list[str]:
    return [article.title for article in articles]


def test_an_article_reads_the_same_few_rows_for_its_neighbours_whatever_the_size_of_the_site(
    make_article,
):
    neck, back = Tag.objects.create(name="neck pain"), Tag.objects.create(name="back pain")
    guide = [make_article(f"part-{n}", title=f"Part {n}", order=n) for n in range(1, 5)]
    middle = guide[1]
    middle.tags.set([neck, back])
    make_article("both", title="Both").tags.set([neck, back])
    for n in range(3):
        make_article(f"neck-{n}", title=f"Neck {n}").tags.set([neck])

    small = neighbours_read(middle)
    for n in range(60):
        make_article(f"more-{n:02d}", title=f"More {n:02d}").tags.set([back])
    draft = make_article("draft", title="Draft", status=Article.Status.DRAFT)
    draft.tags.set([neck, back])
    large = neighbours_read(middle)

    for queries, rows, found in (small, large):
        assert queries == 1
        assert rows <= RELATED_COUNT + 4
        assert (found.previous.title, found.next.title) == ("Part 1", "Part 3")
    assert titles(small[2].related) == ["Both", "Neck 0", "Neck 1"]
    assert titles(large[2].related) == ["Both", "More 00", "More 01"]


def test_the_related_articles_leave_out_the_previous_and_next_ones(make_article):
    neck = Tag.objects.create(name="neck pain")
    articles = [make_article(f"part-{n}", title=f"Part {n}", order=n) for n in range(1, 7)]
    for article in articles:
        article.tags.set([neck])

    found = articles[2].neighbours()

    assert (found.previous.title, found.next.title) == ("Part 2", "Part 4")
    assert titles(found.related) == ["Part 1", "Part 5", "Part 6"]


def test_a_load_of_many_articles_saves_each_as_a_load_of_one_would(
    db, write_article, content_dir, two_cores
):
    for n in range(45):
        write_article(
            f"note-{n:02d}",
            body=f"## Part {n}\n\nNote {n}: rest a day after needling.\n\n- Drink water.\n"
            "- Keep moving gently.\n",
            tags=["aftercare", f"topic {n % 4}"],
        )

    report = load_content(content_dir)

    assert len(report.created) == 45
    for article in Article.objects.order_by("slug"):
        fresh = render(article.body)
        assert article.body_html == fresh.html
        assert article.toc == fresh.toc
        assert (article.readability_grade, article.smog_grade) == (
            fresh.reading_grade,
            fresh.smog_grade,
        )
        versions = Version.objects.get_for_object(article)
        assert [v.revision.comment for v in versions] == [
            f"Loaded from {content_dir / article.slug}.md"
        ]


def test_each_worker_keeps_every_page_of_a_site_of_a_thousand_articles():
    worker = PageCacheMiddleware(get_response=None)
    for number in range(1_100):
        content = f"<p>Page {number}</p>".encode().ljust(PAGE_BYTES, b" ")
        page = Page("1", content, os.urandom(12_000), {}, f'"{number}"')
        worker._remember(f"page-{number}", page)

    assert len(worker.pages) == 1_100


def view_response(request):
    """The page a view gives, as the rest of the site's middleware would pass it on."""
    match = resolve(request.path_info)
    response = match.func(request, *match.args, **match.kwargs)
    return response.render() if hasattr(response, "render") else response


def test_a_run_of_new_searches_never_pushes_the_articles_out_of_a_worker(make_article, monkeypatch):
    # Limits a few pages big, so that the run of searches is many times either of them.
    monkeypatch.setattr(pagecache, "LOCAL_BYTES", 64 * 1024)
    monkeypatch.setattr(pagecache, "LOCAL_SEARCH_BYTES", 64 * 1024)
    make_article("aftercare", body="Soreness is normal.")
    worker = PageCacheMiddleware(get_response=view_response)
    requests = RequestFactory()
    worker(requests.get("/articles/aftercare/"))
    for number in range(200):
        worker(requests.get("/search/", {"q": f"soreness {number}"}))

    article_keys = [key for key in worker.pages.pages if key.startswith("pagecache:page:")]
    assert len(article_keys) == 1
    assert 0 < worker.searches.bytes <= 64 * 1024
    assert worker(requests.get("/articles/aftercare/"))["X-Page-Cache"] == "hit"


def test_a_page_a_worker_keeps_compressed_is_served_whole_to_a_browser_without_gzip(
    client, make_article
):
    make_article("aftercare")
    first = client.get("/articles/aftercare/")
    compressed = client.get("/articles/aftercare/", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get("/articles/aftercare/")

    assert (first["X-Page-Cache"], compressed["X-Page-Cache"]) == ("miss", "hit")
    assert compressed["Content-Encoding"] == "gzip"
    assert again["X-Page-Cache"] == "hit"
    assert not again.has_header("Content-Encoding")
    assert again.content == first.content
    assert again["Content-Length"] == str(len(first.content))


@pytest.mark.several_servers  # on PostgreSQL: the suite's PostgreSQL-and-Redis run
@pytest.mark.django_db(transaction=True)
def test_a_cut_connection_for_the_version_is_opened_again_and_sees_the_change_at_once():
    reader = PostgreSQLReader()
    before = reader.version()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [reader.connection.info.backend_pid])
    bump_version()

    after = reader.version()

    assert after[0] == before[0] + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, token FROM articles_contentversion WHERE id = 1")
        assert after == cursor.fetchone()
    close_readers()
