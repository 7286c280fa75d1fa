"""Public pages come from the cache for anonymous visitors; every change shows at once."""

import datetime as dt
import gzip
import time
from contextlib import suppress

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from articles import pagecache
from articles.importers import load_content
from articles.models import Article, Block, ClinicDetails, Reference

pytestmark = pytest.mark.django_db


def visit(path="/articles/aftercare/", **headers):
    return Client().get(path, **headers)


def test_an_anonymous_visitor_gets_the_cached_page_with_no_cookie(make_article):
    make_article("aftercare", title="Aftercare")

    first, second = visit(), visit()

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert not second.cookies
    assert "Cookie" not in second.get("Vary", "")
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/",
        "/articles/aftercare/",
        "/search/",
        "/feed/",
        "/sitemap.xml",
        "/robots.txt",
    ],
)
def test_every_public_page_is_cached(make_article, path):
    make_article("aftercare")
    visit(path)

    assert visit(path)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("path", ["/search/?q=needle", "/subscribe/", "/articles/aftercare/?x=1"])
def test_pages_that_answer_a_visitor_are_not_cached(make_article, path):
    make_article("aftercare")
    visit(path)

    assert "X-Page-Cache" not in visit(path)


def test_staff_edit_shows_at_once_to_visitors_and_staff(make_article, staff_client, edit_in_admin):
    article = make_article("aftercare", title="Aftercare", status="published")
    visit()

    edit_in_admin(staff_client, article, title="Aftercare, updated")

    assert "Aftercare, updated" in visit().content.decode()
    staffs_view = staff_client.get("/articles/aftercare/")
    assert "X-Page-Cache" not in staffs_view
    assert "Aftercare, updated" in staffs_view.content.decode()


def rename(tag):
    tag.name = "renamed"
    tag.save()


CHANGES = {
    "article saved": lambda a: Article.objects.filter(pk=a.pk).first().save(),
    "article deleted": lambda a: Article.objects.filter(pk=a.pk).delete(),
    "tag renamed": lambda a: rename(a.tags.first()),
    "tag removed": lambda a: a.tags.clear(),
    "block saved": lambda a: Block.objects.create(name="b", title="B", body="Text."),
    "source saved": lambda a: Reference.objects.create(key="r", title="A source"),
    "clinic details saved": lambda a: ClinicDetails(name="Riverside Physio").save(),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_each_kind_of_change_makes_cached_pages_stale(make_article, change):
    article = make_article("aftercare")
    article.tags.create(name="aftercare")
    visit()
    visit("/")

    change(article)

    assert visit("/")["X-Page-Cache"] == "miss"


def test_saves_in_one_transaction_make_the_pages_stale_once_when_it_commits(
    make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for number in range(3):
            make_article(f"article-{number}").tags.create(name=f"topic {number}")

    assert callbacks == [pagecache.forget_version]


def test_a_save_after_a_rolled_back_one_still_makes_the_pages_stale_on_commit(
    make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with suppress(RuntimeError), transaction.atomic():
            make_article("lost")
            raise RuntimeError
        make_article("kept")

    assert callbacks == [pagecache.forget_version]


def test_load_content_makes_cached_pages_stale(make_article, write_article, content_dir):
    write_article("aftercare", title="From the file")
    visit("/")

    load_content(content_dir)

    assert "From the file" in visit("/").content.decode()


def test_a_scheduled_article_appears_on_time_without_anyone_saving(make_article):
    make_article(
        "later", title="Arrives later", published_at=timezone.now() + dt.timedelta(seconds=0.3)
    )

    before = visit("/").content.decode()
    time.sleep(0.35)
    after = visit("/")

    assert "Arrives later" not in before
    assert "Arrives later" in after.content.decode()


def test_pages_are_compressed_for_clients_that_accept_it(make_article):
    make_article("aftercare", title="Aftercare")
    plain = visit()

    for _ in range(2):
        packed = visit(HTTP_ACCEPT_ENCODING="gzip, br")
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert "Accept-Encoding" in packed["Vary"]


def test_pages_carrying_a_token_or_for_staff_are_never_compressed(staff_client):
    signup = Client().get("/subscribe/", HTTP_ACCEPT_ENCODING="gzip")
    admin = staff_client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")

    assert "csrfmiddlewaretoken" in signup.content.decode()
    assert not signup.has_header("Content-Encoding")
    assert not admin.has_header("Content-Encoding")


def test_an_unchanged_page_is_a_304_for_a_browser_that_has_it(make_article):
    make_article("aftercare")
    etag = visit()["ETag"]

    again = visit(HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""


def test_a_page_cache_that_is_down_serves_pages_uncached(make_article, monkeypatch):
    make_article("aftercare", title="Aftercare")

    class Unreachable:
        def __getattr__(self, name):
            raise ConnectionError("cache unreachable")

    # Only the page cache's own calls fail (the rest of the site has its soft-failing backend).
    monkeypatch.setattr(pagecache, "cache", Unreachable())
    response = visit()

    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "Aftercare" in response.content.decode()


def test_the_compressed_page_has_a_tag_of_its_own(make_article):
    make_article("aftercare")
    plain = visit()["ETag"]
    packed = visit(HTTP_ACCEPT_ENCODING="gzip")["ETag"]

    assert plain != packed
    assert visit(HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed).status_code == 304
    assert visit(HTTP_IF_NONE_MATCH=packed).status_code == 200


@pytest.mark.parametrize(
    "environ",
    [
        # What gunicorn hands the WSGI application for GET /articles/aftercare/ with the header
        # "SCRIPT_NAME: /articles/aftercare" from a trusted address: the name taken off the path.
        {"SCRIPT_NAME": "/articles/aftercare", "PATH_INFO": "/"},
        # A server that passes the script name and leaves the path whole.
        {"SCRIPT_NAME": "/elsewhere", "PATH_INFO": "/articles/aftercare/"},
    ],
    ids=["taken off the path", "path left whole"],
)
def test_a_script_name_never_changes_what_is_stored_under_an_address(make_article, environ):
    """Whatever script name a request carries, the page stored for an address is that
    address's page, with links from the site's root (right after a save, with nothing cached)."""
    make_article("aftercare", title="Aftercare")

    Client().get(environ["PATH_INFO"], **environ)
    article, home = visit().content.decode(), visit("/").content.decode()

    assert "<h1>Aftercare</h1>" in article
    assert "<h1>Dry needling: a patient guide</h1>" in home
    for page in (article, home):
        assert 'href="/articles/aftercare/articles/' not in page
        assert 'href="/elsewhere/' not in page
