"""The editor's checks and preview frame answer only staff who may edit articles."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from articles.models import Article
from articles.writing import check_writing

pytestmark = pytest.mark.django_db

CHECKS = "/editor/checks/"
FRAME = "/editor/frame/"


def staff(*codenames: str, **fields) -> User:
    user = User.objects.create_user("editor", password="pw", is_staff=True, **fields)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(staff("change_article"))
    return client


def test_anonymous_visitors_are_refused_not_sent_to_log_in(client):
    assert client.post(CHECKS, {"content": "Hello."}).status_code == 403
    assert client.get(FRAME).status_code == 403


@pytest.mark.parametrize(
    "user",
    [
        lambda: User.objects.create_user("patient", password="pw"),
        lambda: staff("view_article", "change_subscriber"),
        lambda: staff("change_article", is_active=False),
    ],
    ids=["not staff", "staff who may not edit articles", "inactive"],
)
def test_staff_who_may_not_edit_articles_are_refused(client, user):
    client.force_login(user())

    assert client.post(CHECKS, {"content": "Hello."}).status_code == 403
    assert client.get(FRAME).status_code == 403


@pytest.mark.parametrize("codename", ["add_article", "change_article"])
def test_staff_who_may_add_or_change_articles_get_the_checks(client, codename):
    client.force_login(staff(codename))

    response = client.post(
        CHECKS,
        {"content": "## Aftercare\n\nRest for a day. [Click here](/articles/safety/).\n"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "html": '<h2 id="aftercare">Aftercare</h2>\n'
        '<p>Rest for a day. <a href="/articles/safety/">Click here</a>.</p>',
        "grade": 2.5,
        "smog": None,
        "words": 7,
        "minutes": 1,
        "warnings": [
            "The link “Click here” does not say where it goes. Use words that name the page "
            "instead."
        ],
    }


def test_checks_answer_post_only(editor_client):
    assert editor_client.get(CHECKS, {"content": "Hello."}).status_code == 405


def test_checks_need_the_csrf_token(editor_client):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = editor_client.cookies
    assert strict.get(FRAME).status_code == 200  # the same logged-in editor

    assert strict.post(CHECKS, {"content": "Hello."}).status_code == 403


def test_hostile_markdown_comes_back_neutralised(editor_client):
    body = (
        "<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1))\n\n"
        "After the attack.\n"
    )

    html = editor_client.post(CHECKS, {"content": body}).json()["html"]

    assert html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"
        "<p><a>x</a></p>\n"
        "<p>After the attack.</p>"
    )


def test_frame_is_an_empty_article_page_with_the_site_stylesheet(editor_client):
    response = editor_client.get(FRAME)

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "script-src 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<main id="main" class="wrap">\n<article class="article">' in html
    assert '<div class="prose"></div>' in html
    assert "<script" not in html


def test_the_live_checks_and_the_saved_article_agree(staff_client):
    """The same functions judge the text as staff type it and when it is saved, whatever line
    ends the browser sends."""
    body = (
        "## Side effects\r\n\r\n"
        "Soreness after needling is common. About 19% of people get a small bruise where a "
        "needle went in.\r\n\r\n"
        "| Effect | Ireland |\r\n| --- | --- |\r\n| Bleeding | 4.7% |\r\n\r\n"
        "Your clinician will explain the risks prior to treatment. A collapsed lung is very "
        "rare, but it needs urgent care.\r\n"
    )

    live = staff_client.post(CHECKS, {"content": body}).json()
    saved = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Side effects",
            "slug": "side-effects",
            "summary": "What may happen after needling.",
            "body": body,
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
        follow=True,
    )

    article = Article.objects.get(slug="side-effects")
    assert "\r" not in article.body
    assert (live["grade"], live["smog"], live["words"], live["minutes"]) == (
        article.readability_grade,
        article.smog_grade,
        article.word_count,
        article.reading_minutes,
    )
    assert live["smog"] is not None
    assert live["html"] == article.body_html
    shown = [str(m) for m in saved.context["messages"]][:-1]
    assert shown == [f"Before patients read it: {warning}" for warning in live["warnings"]]
    assert live["warnings"] == check_writing(article.body, article.rendered()).warnings
    assert [w[:12] for w in live["warnings"]] == [
        "“19%” is a p",
        "“4.7%” is a ",
        "“common” doe",
        "“very rare” ",
        "Write “docto",
        "Write “befor",
    ]
