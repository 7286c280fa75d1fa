"""The public pages: what a patient sees, and what they must not see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import pagecache
from articles.models import Article, Tag

pytestmark = pytest.mark.django_db


def test_home_lists_the_guide_in_order_and_latest_articles(client, make_article):
    make_article("second-step", title="Second step", order=2)
    make_article("first-step", title="First step", order=1)
    make_article("news", title="Clinic news", published_at=timezone.now())

    response = client.get("/")

    assert response.status_code == 200
    assert [a.slug for a in response.context["guide"]] == ["first-step", "second-step"]
    assert [a.slug for a in response.context["latest"]] == ["news"]
    html = response.content.decode()
    assert html.index(">First step</a>") < html.index(">Second step</a>")
    # Each article once: the guide's are not listed again under the latest.
    assert (html.count("/articles/first-step/"), html.count("/articles/news/")) == (1, 1)


def test_article_page_shows_the_article(client, make_article):
    article = make_article(
        "aftercare",
        title="Aftercare",
        summary="What to do after.",
        body="## The next 48 hours\n\nMove gently.",
        reviewer="Clinical lead physiotherapist",
    )
    article.tags.add(Tag.objects.create(name="aftercare"))

    response = client.get("/articles/aftercare/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Aftercare | [Clinic name]</title>" in html
    assert '<meta name="description" content="What to do after.">' in html
    assert "<h1>Aftercare</h1>" in html
    assert '<h2 id="the-next-48-hours">The next 48 hours</h2>' in html
    assert "<p>Move gently.</p>" in html
    assert (
        '<time datetime="2026-01-15">15 January 2026</time> by Clinical lead physiotherapist'
        in html
    )
    assert '<time datetime="2027-01-15">15 January 2027</time>' in html
    assert "About 1 minute" in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/aftercare/">' in html


def test_article_list_shows_every_published_article(client, make_article):
    make_article("guide-one", title="Guide one", order=1)
    make_article("extra", title="Extra")
    make_article("draft", title="Secret draft", status=Article.Status.DRAFT)

    response = client.get("/articles/")

    assert [a.slug for a in response.context["article_list"]] == ["guide-one", "extra"]
    assert "Secret draft" not in response.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_draft_or_future_article_is_not_found_for_the_public(client, make_article, fields):
    make_article("hidden", title="Hidden article", **fields)

    detail = client.get("/articles/hidden/")
    home = client.get("/")

    assert detail.status_code == 404
    assert "Sorry, we cannot find that page" in detail.content.decode()
    assert "Hidden article" not in home.content.decode()


def test_scheduled_article_appears_once_its_time_has_come(client, make_article):
    # Later than anything computed when the site started, so no time may be frozen at import.
    make_article("soon", published_at=timezone.now())

    assert client.get("/articles/soon/").status_code == 200


def test_unknown_address_gets_the_friendly_404_page(client):
    response = client.get("/articles/no-such-thing/")

    assert response.status_code == 404
    assert "Sorry, we cannot find that page" in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_an_article_page_costs_five_queries_made_and_one_cached(client, make_article, count):
    tags = [Tag.objects.create(name=f"tag {n}") for n in range(5)]
    for number in range(count):
        article = make_article(f"article-{number}", order=number)
        article.tags.set(tags)

    with CaptureQueriesContext(connection) as made:
        first = client.get("/articles/article-0/")
    with CaptureQueriesContext(connection) as cached:
        second = client.get("/articles/article-0/")

    # The version of the public pages and the scheduled articles around now (once a version);
    # the article; previous, next and related; the clinic details.
    assert first.status_code == 200
    assert len(made) <= 5, [q["sql"] for q in made]
    # From the cache, the version alone: one row by its key.
    assert (second.status_code, second["X-Page-Cache"]) == (200, "hit")
    assert [q["sql"] for q in cached] == [pagecache._READ_VERSION]
    assert second.content == first.content


def test_server_error_page_is_friendly(client, settings):
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.urls_failing"

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.content.decode()


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_robots_txt_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert "Disallow: /admin/" in response.content.decode()


def test_escaped_user_text_never_becomes_markup(client, make_article):
    make_article("x", title="<script>alert(1)</script>", summary='"><img src=x onerror=alert(1)>')

    html = client.get("/articles/x/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("01234 567890", "tel:01234567890"),
        ("+44 (0)1234 567 890", "tel:+441234567890"),
        ("01234 567890 ext. 12", "tel:01234567890"),
        ("0800-123-4567 (free)", "tel:08001234567"),
        ("Call us: 01234 567890", ""),
        ("[Clinic phone number]", ""),
        ("+44 ١٢٣٤٥٦٧٨٩٠", ""),
    ],
)
def test_the_phone_link_dials_the_number_and_nothing_else(phone, href):
    from articles.models import ClinicDetails

    assert ClinicDetails(phone=phone).phone_href == href


def test_the_privacy_page_says_what_is_kept_and_how_to_have_it_deleted(client):
    from articles.models import ClinicDetails

    ClinicDetails(
        name="Riverside Physio", phone="01234 567890", email="hello@riverside.example"
    ).save()

    html = client.get("/privacy/").content.decode()

    assert "<h1>Privacy: what we keep about you</h1>" in html
    assert "we delete your address after 30 days" in html
    assert '<a href="mailto:hello@riverside.example">hello@riverside.example</a>' in html
    assert '<a href="tel:01234567890">01234 567890</a>' in html


def test_the_footer_and_the_sign_up_form_link_to_the_privacy_page(client):
    home = client.get("/").content.decode()
    signup = client.get("/subscribe/").content.decode()

    assert '<a href="/privacy/">Privacy: what we keep about you</a>' in home
    assert '<a href="/privacy/">How we look after your address</a>' in signup
