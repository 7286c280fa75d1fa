import datetime as dt
import io
import os
import socket
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image

from articles import markdown, pagecache
from articles.editconflicts import version_of
from articles.importers import load_content
from articles.models import Article, Subscriber

REVIEWED = dt.date(2026, 1, 15)


def pytest_collection_modifyitems(config, items):
    """Tests that start several app servers need PostgreSQL and Redis: they run in the suite's
    PostgreSQL-and-Redis run (as CI's second run is) and are left out of the SQLite one."""
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith(("postgres://", "postgresql://")) and os.environ.get("REDIS_URL"):
        return
    kept = [item for item in items if "several_servers" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def front_matter(**fields) -> str:
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)


@pytest.fixture(scope="session", autouse=True)
def version_readers_closed(django_db_setup):
    """The page cache's connections for reading the version are closed before the test
    database is dropped."""
    yield
    pagecache.close_readers()


@pytest.fixture(autouse=True)
def fresh_markdown():
    """Each test's texts are converted by a Markdown built in that test, so a test that changes
    the renderer's limits or steps sees its change."""
    markdown._this_thread.markdown = None


@pytest.fixture
def two_cores(monkeypatch):
    """A load converts its markdown in worker processes, as on a machine of two cores or more,
    whatever this machine has."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits and cached clinic details never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def content_dir(tmp_path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


@pytest.fixture
def write_article(content_dir):
    """Write ``content/<name>.md`` with valid defaults; ``None`` drops a field."""

    def write(name: str, body: str = "Some plain words about needling.\n", **fields) -> Path:
        values = {
            "title": name.replace("-", " ").capitalize(),
            "summary": f"A short summary of {name}.",
            "reviewed": REVIEWED,
        }
        values.update(fields)
        values = {key: value for key, value in values.items() if value is not None}
        path = content_dir / f"{name}.md"
        path.write_text(f"---\n{front_matter(**values)}---\n{body}", encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_article(db):
    def make(slug: str = "an-article", **fields) -> Article:
        values = {
            "title": slug.replace("-", " ").capitalize(),
            "summary": "A summary.",
            "body": "Some words.",
            "reviewed": REVIEWED,
            "status": Article.Status.PUBLISHED,
        }
        values.update(fields)
        return Article.objects.create(slug=slug, **values)

    return make


@pytest.fixture
def staff_user(db) -> User:
    """A member of clinic staff: in the "Clinic editor" group, with what that group allows."""
    user = User.objects.create_user("editor", password="a-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinic editor"))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def started_from(row) -> dict:
    """The hidden field of ``row``'s change form opened now: the version it started from."""
    stored = type(row)._default_manager.filter(pk=row.pk).first()
    return {"started_from": version_of(stored)} if stored else {}


def article_form(article: Article, **changes) -> dict:
    """The article's admin change form as a browser posts it, with ``changes``."""
    return {
        **started_from(article),
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "reviewed": article.reviewed.isoformat(),
        "reviewer": article.reviewer,
        "review_due": article.review_due.isoformat(),
        "order": "" if article.order is None else str(article.order),
        "image_alt": article.image_alt,
        **changes,
    }


@pytest.fixture
def edit_in_admin():
    """Post an article's admin change form as staff would, with some fields changed."""

    def edit(client, article: Article, follow: bool = False, **changes):
        data = article_form(article, **changes)
        return client.post(f"/admin/articles/article/{article.pk}/change/", data, follow=follow)

    return edit


@pytest.fixture
def make_subscriber(db):
    """A subscriber with a consent record; ``status`` and any field can be given."""

    def make(email: str = "reader@example.org", status: str = "pending", **fields) -> Subscriber:
        long_ago = timezone.now() - dt.timedelta(days=30)
        values = {
            "key": email[:8],
            "consent_wording_version": "2026-11",
            "consent_given_at": long_ago,
            "consent_page": "/articles/aftercare/",
            "confirmation_sent_at": long_ago,
        }
        if status == Subscriber.Status.CONFIRMED:
            values["confirmed_at"] = long_ago
        values.update(fields)
        return Subscriber.objects.create(email=email, status=status, **values)

    return make


@pytest.fixture
def picture():
    """The bytes of a small real picture: ``picture("JPEG", size=(40, 30), exif=...)``."""

    def make(
        kind: str = "PNG", size=(40, 30), colour="teal", mode: str = "RGB", **save_options
    ) -> bytes:
        buffer = io.BytesIO()
        Image.new(mode, size, colour).save(buffer, kind, **save_options)
        return buffer.getvalue()

    return make


@pytest.fixture(scope="module")
def shipped_site(django_db_setup, django_db_blocker):
    """The shipped content/, loaded once for a module; each test still runs in a transaction of
    its own inside this one, and everything is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_content(settings.CONTENT_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def shipped(shipped_site, db) -> list[Article]:
    """The shipped articles, in the guide's reading order."""
    return list(Article.objects.published().in_guide_order())


def run_command(name: str, *args) -> str:
    """What a management command prints, as a person at a terminal would see it."""
    out = io.StringIO()
    call_command(name, *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def shipped_content() -> Path:
    return Path(settings.CONTENT_DIR)


class MailServer:
    """Switches the tests' email between a dead SMTP server and the in-memory outbox."""

    def __init__(self, settings):
        self.settings = settings

    def go_down(self) -> None:
        # Real SMTP to a local port where nothing listens: every connection is refused.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        self.settings.EMAIL_HOST, self.settings.EMAIL_PORT = closed.getsockname()
        closed.close()

    def come_back(self) -> None:
        self.settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def mail_server(settings) -> MailServer:
    return MailServer(settings)


@pytest.fixture
def give_sign_off():
    """Record a clinician's sign-off of ``article`` as it reads now, as the admin's step does."""
    from articles import patienttext

    def sign(article: Article, on: dt.date | None = None) -> Article:
        article.sign_off(
            None, "Sam Patel", "Physiotherapist", "PH123456", patienttext.of_article(article)
        )
        article.signed_off_on = on or article.signed_off_on
        article.save()
        return article

    return sign
