"""Public pages come from the cache for anonymous visitors; every change shows at once."""

import datetime as dt
import gzip
import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.utils import timezone

from articles import pagecache
from articles.importers import load_content
from articles.models import Article, Block, ClinicDetails, Reference
from articles.redis_cache import ResilientRedisCache
from tests.conftest import article_form

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


@pytest.mark.parametrize("path", ["/subscribe/", "/articles/aftercare/?x=1"])
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


class PageStore:
    """The page cache's store, taken away and brought back on demand. Away, it is the site's
    Redis backend with nothing listening (it fails soft: reads find nothing, writes and deletes
    are lost) or a store that raises on every call; back, it is the store it was, with every page
    it held before."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.real = pagecache.cache

    def away(self, how: str) -> None:
        if how == "fails soft":
            closed = socket.socket()
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            closed.close()
            store = ResilientRedisCache(
                f"redis://127.0.0.1:{port}/0",
                {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
            )
        else:
            store = Unreachable()
        self.monkeypatch.setattr(pagecache, "cache", store)

    def back(self) -> None:
        self.monkeypatch.setattr(pagecache, "cache", self.real)


class Unreachable:
    def __getattr__(self, name):
        raise ConnectionError("cache unreachable")


@pytest.fixture
def page_store(monkeypatch) -> PageStore:
    return PageStore(monkeypatch)


def unpublish_in_admin(client, article):
    return client.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": str(article.pk)}
    )


UNPUBLISHING = {
    "unpublish action": unpublish_in_admin,
    "article form": lambda client, article: client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, status="draft"),
    ),
}


@pytest.mark.parametrize("how", ["fails soft", "raises"])
@pytest.mark.parametrize("door", UNPUBLISHING.values(), ids=UNPUBLISHING.keys())
def test_an_article_unpublished_while_the_cache_is_away_stays_unpublished_when_it_returns(
    make_article, staff_client, page_store, door, how
):
    article = make_article("aftercare", title="Aftercare")
    for path in ("/articles/aftercare/", "/"):
        visit(path)
        assert visit(path)["X-Page-Cache"] == "hit"

    page_store.away(how)
    assert door(staff_client, article).status_code == 302
    during = visit()
    page_store.back()
    after, home = visit(), visit("/")

    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    assert (during.status_code, after.status_code) == (404, 404)
    assert "Aftercare" not in home.content.decode()


def sqlite_file(path, number: int, token: str):
    with closing(sqlite3.connect(path)) as database, database:
        database.execute(
            "CREATE TABLE articles_contentversion (id integer PRIMARY KEY, number int, token text)"
        )
        database.execute("INSERT INTO articles_contentversion VALUES (1, ?, ?)", [number, token])
    return path


def test_on_sqlite_the_version_is_read_as_committed_and_from_the_file_as_it_is_now(tmp_path):
    """Outside a transaction, a worker thread reads the version through a connection of its
    own, kept open: it sees each change once committed, and a file put in its place (a backup)."""
    path = sqlite_file(tmp_path / "db.sqlite3", 1, "a")
    reader = pagecache.SQLiteReader(path)
    first = reader.version()
    with closing(sqlite3.connect(path)) as database, database:
        database.execute("UPDATE articles_contentversion SET number = 2, token = 'b'")
    second = reader.version()
    os.replace(sqlite_file(tmp_path / "restored.sqlite3", 7, "c"), path)

    assert (first, second) == ((1, "a"), (2, "b"))
    assert not reader.reads(path)
    assert pagecache.SQLiteReader(path).version() == (7, "c")


def published_aftercare() -> Article:
    """A published article, for tests that run outside a transaction (as a worker does), where
    the make_article fixture cannot be used."""
    return Article.objects.create(
        slug="aftercare",
        title="Aftercare",
        summary="A summary.",
        body="Some words.",
        reviewed=dt.date(2026, 1, 15),
        status=Article.Status.PUBLISHED,
    )


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_elsewhere_is_seen_at_once_by_a_worker_that_holds_the_page():
    """As a gunicorn worker does: one handler (and page cache) for many requests, no
    transaction around them, the change committed by another process."""
    published_aftercare()
    worker = Client()
    assert worker.get("/articles/aftercare/").status_code == 200
    assert worker.get("/articles/aftercare/")["X-Page-Cache"] == "hit"

    Article.objects.filter(slug="aftercare").update(status=Article.Status.DRAFT)
    unseen = worker.get("/articles/aftercare/")
    pagecache.bump_version()
    seen = worker.get("/articles/aftercare/")

    assert (unseen.status_code, seen.status_code) == (200, 404)


def test_while_the_database_is_away_pages_of_the_last_version_seen_are_served(
    make_article, monkeypatch
):
    make_article("aftercare", title="Aftercare")
    worker = Client()
    worker.get("/articles/aftercare/")

    def away():
        raise OperationalError("the database is away")

    monkeypatch.setattr(pagecache, "stored_version", away)
    same_worker = worker.get("/articles/aftercare/")
    new_worker = Client().get("/articles/aftercare/")  # knows the version through the cache

    assert (same_worker.status_code, same_worker["X-Page-Cache"]) == (200, "hit")
    assert (new_worker.status_code, new_worker["X-Page-Cache"]) == (200, "hit")
    assert "Aftercare" in new_worker.content.decode()


def test_two_databases_never_name_the_same_version(make_article):
    """A cache shared by two databases (a restored backup, another copy of the site) never
    serves one's pages for the other, though both have moved on as many times."""
    make_article("aftercare")
    ours = pagecache.stored_version()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_contentversion")
    make_article("elsewhere")

    theirs = pagecache.stored_version()

    assert ours[0] == theirs[0]
    assert ours[1] != theirs[1]


def another_server(code: str) -> None:
    """Run ``code`` in ``manage.py shell`` on the test database, as another app server would."""
    database = connection.settings_dict
    address = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **os.environ,
            "DATABASE_URL": f"{address}/{database['NAME']}",
            "DJANGO_SETTINGS_MODULE": "clinic_site.test_settings",
        },
        check=True,
        capture_output=True,
    )


def saved_elsewhere(slug: str, **fields: str) -> None:
    """Staff save the article through another app server."""
    changes = "; ".join(f"a.{name} = {value!r}" for name, value in fields.items())
    another_server(
        f"from articles.models import Article; a = Article.objects.get(slug={slug!r}); "
        f"{changes}; a.save()"
    )


def reads_of_the_version() -> tuple:
    """When this thread's connection for the version last finished a query, as the database
    itself records it, and its process: a hit that asks nothing leaves both as they were."""
    reader = pagecache._readers.postgresql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state_change FROM pg_stat_activity WHERE pid = %s",
            [reader.connection.info.backend_pid],
        )
        return cursor.fetchone()


@pytest.mark.several_servers  # on PostgreSQL: the suite's PostgreSQL-and-Redis run
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_on_another_server_is_seen_on_the_next_request_without_asking_each_time(
    monkeypatch,
):
    """Only the database's announcement can tell this worker: its own process changed nothing,
    and it would not read the version again for a minute."""
    monkeypatch.setattr(pagecache, "CONFIRM_SECONDS", 60)
    published_aftercare()
    pagecache.close_readers()  # listening again from now: the article's own change is not heard
    worker = Client()
    assert worker.get("/articles/aftercare/")["X-Page-Cache"] == "miss"
    read = reads_of_the_version()
    hits = [worker.get("/articles/aftercare/")["X-Page-Cache"] for _ in range(3)]
    unasked = reads_of_the_version()

    saved_elsewhere("aftercare", status="draft")
    after = worker.get("/articles/aftercare/")

    assert hits == ["hit"] * 3
    assert unasked == read
    assert after.status_code == 404
    assert reads_of_the_version()[0] == read[0]
    assert reads_of_the_version()[1] > read[1]


@pytest.mark.several_servers  # on PostgreSQL: the suite's PostgreSQL-and-Redis run
@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_announces_nothing_and_one_committed_announces_its_version():
    article = published_aftercare()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as listener:
        listener.execute(f"LISTEN {pagecache.CHANNEL}")
        with suppress(RuntimeError), transaction.atomic():
            article.title = "Never saved"
            article.save()
            raise RuntimeError("the change is given up")
        article.refresh_from_db()
        article.title = "Aftercare and after"
        article.save()
        number, token = pagecache.stored_version()

        heard = [note.payload for note in listener.notifies(timeout=0.5)]

    assert heard == [f"{number}:{token}"]


@pytest.mark.several_servers  # on PostgreSQL: the suite's PostgreSQL-and-Redis run
@pytest.mark.django_db(transaction=True)
def test_a_listening_connection_that_broke_is_opened_again_and_the_change_is_read(monkeypatch):
    """The database cut the connection (a restart): the announcement of the change made
    meanwhile never reached it, so the version is read afresh."""
    monkeypatch.setattr(pagecache, "CONFIRM_SECONDS", 60)
    published_aftercare()
    worker = Client()
    worker.get("/articles/aftercare/")
    assert worker.get("/articles/aftercare/")["X-Page-Cache"] == "hit"
    cut, _ = reads_of_the_version()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [cut])

    saved_elsewhere("aftercare", title="Aftercare, day one")
    after_the_cut = worker.get("/articles/aftercare/").content.decode()
    listening_again, _ = reads_of_the_version()
    cached = worker.get("/articles/aftercare/")
    saved_elsewhere("aftercare", title="Aftercare, day two")  # heard on the new connection
    next_change = worker.get("/articles/aftercare/").content.decode()

    assert "Aftercare, day one" in after_the_cut
    assert listening_again != cut
    assert cached["X-Page-Cache"] == "hit"
    assert "Aftercare, day two" in next_change
