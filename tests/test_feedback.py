""" "Was this page helpful?": works without script, keeps the page cacheable, keeps no personal
data, and is protected against robots and floods."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from articles.models import Feedback
from articles.models.feedback import mask_personal_data

pytestmark = pytest.mark.django_db


def answer(client, slug="aftercare", **data):
    return client.post(f"/articles/{slug}/feedback/", {"helpful": "yes", **data})


def comment(client, page, text, slug="aftercare"):
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(f"/articles/{slug}/feedback/comment/", {"comment": text, "token": token})


def test_the_article_page_asks_and_stays_cacheable(client, make_article):
    make_article("aftercare")

    response = client.get("/articles/aftercare/")

    html = response.content.decode()
    assert '<h2 id="feedback-heading">Was this page helpful?</h2>' in html
    assert '<form method="post" action="/articles/aftercare/feedback/">' in html
    assert '<button type="submit" name="helpful" value="yes">Yes</button>' in html
    assert '<button type="submit" name="helpful" value="no">No</button>' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_an_answer_is_stored_with_nothing_about_the_reader(make_article):
    article = make_article("aftercare")
    client = Client(enforce_csrf_checks=True)

    response = answer(client, helpful="no", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert "What was missing or unclear?" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.article, feedback.helpful, feedback.comment) == (article, False, "")
    stored = " ".join(str(value) for value in Feedback.objects.values().get().values())
    assert "203.0.113.9" not in stored
    assert not response.cookies.get("sessionid")


def test_a_comment_is_added_once_with_personal_data_masked(client, make_article):
    make_article("aftercare")
    page = answer(client)

    done = comment(
        client,
        page,
        "Please call me on 07700 900123 or write to jo.bloggs@example.org about the ice advice.",
    )
    again = comment(client, page, "Second go")

    assert "Thank you for telling us." in done.content.decode()
    assert again.status_code == 200
    assert Feedback.objects.get().comment == (
        "Please call me on [phone number removed] or write to [email address removed] about "
        "the ice advice."
    )


def test_answering_and_commenting_set_no_cookie(make_article):
    make_article("aftercare")
    client = Client(enforce_csrf_checks=True)

    page = answer(client)
    done = comment(client, page, "Clear, thanks")

    assert {name: dict(cookie) for name, cookie in page.cookies.items()} == {}
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert not done.cookies
    assert "Thank you for telling us." in done.content.decode()
    assert Feedback.objects.get().comment == "Clear, thanks"


def test_a_comment_needs_the_signed_token_of_its_answer(make_article):
    make_article("aftercare")
    make_article("other")
    page = answer(Client())
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    other = re.search(
        r'name="token" value="([^"]+)"', answer(Client(), slug="other").content.decode()
    ).group(1)

    def send(token_sent):
        return Client(enforce_csrf_checks=True).post(
            "/articles/aftercare/feedback/comment/", {"comment": "spam", "token": token_sent}
        )

    answers = [
        send(token[:-1] + ("B" if token.endswith("A") else "A")),
        send(other),
        send("1"),
        Client().post("/articles/aftercare/feedback/comment/", {"comment": "spam"}),
    ]

    assert [response.status_code for response in answers] == [200] * 4
    assert list(Feedback.objects.values_list("comment", flat=True)) == ["", ""]


def test_a_long_comment_is_explained_next_to_the_box(client, make_article):
    make_article("aftercare")

    response = comment(client, answer(client), "x" * 1001)

    html = response.content.decode()
    assert 'id="feedback-comment_error"' in html
    assert "Please keep it to 1,000 characters (it has 1001)." in html
    assert Feedback.objects.get().comment == ""


def test_robots_filling_the_hidden_box_are_thanked_and_ignored(client, make_article):
    make_article("aftercare")

    response = answer(client, website="http://spam.example")

    assert response.status_code == 200
    assert Feedback.objects.count() == 0


def test_a_flood_from_one_address_is_stopped(client, make_article):
    make_article("aftercare")

    answers = [answer(client, REMOTE_ADDR="198.51.100.4").status_code for _ in range(21)]

    assert answers == [200] * 20 + [429]
    assert Feedback.objects.count() == 20
    assert not any("198.51.100.4" in str(value) for value in Feedback.objects.values_list())
    cache.clear()


@pytest.mark.parametrize("data", [{"helpful": "maybe"}, {"helpful": ""}])
def test_a_bad_answer_changes_nothing(client, make_article, data):
    make_article("aftercare")

    response = client.post("/articles/aftercare/feedback/", data)

    assert response.status_code == 302
    assert Feedback.objects.count() == 0


def test_feedback_on_a_draft_or_missing_article_is_a_404(client, make_article):
    make_article("draft", status="draft")

    assert answer(client, slug="draft").status_code == 404
    assert answer(client, slug="nothing").status_code == 404


def test_staff_see_the_share_of_yes_and_the_comments_newest_first(staff_client, make_article):
    article = make_article("aftercare", title="Aftercare")
    for helpful, text in [(True, ""), (True, ""), (False, "Too short"), (True, "Clear, thanks")]:
        Feedback.objects.create(article=article, helpful=helpful, comment=text)

    listing = staff_client.get("/admin/articles/article/").content.decode()
    page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    comments = staff_client.get(
        f"/admin/articles/feedback/?article__id__exact={article.pk}&comment=yes"
    )

    assert '<td class="field-helpfulness">75% yes (4)</td>' in listing
    assert "3 of 4 readers (75%) said this page helped, in the last 90 days." in page
    assert [f.comment for f in comments.context["cl"].result_list] == ["Clear, thanks", "Too short"]


def test_staff_tick_comments_as_dealt_with_and_export_them(staff_client, make_article):
    article = make_article("aftercare")
    feedback = Feedback.objects.create(article=article, helpful=False, comment="Too short")

    staff_client.post(
        "/admin/articles/feedback/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(feedback.pk),
            "form-0-dealt_with": "on",
            "_save": "Save",
        },
    )
    export = staff_client.post(
        "/admin/articles/feedback/",
        {"action": "export_csv", "_selected_action": [feedback.pk]},
    )

    feedback.refresh_from_db()
    assert feedback.dealt_with is True
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0] == "created_at,article__slug,helpful,comment,dealt_with"
    assert lines[1].endswith(",aftercare,False,Too short,True")


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Write to jane.doe@example.com please", "Write to [email address removed] please"),
        ("Write to jane.doe @ example.com please", "Write to [email address removed] please"),
        ("Write to jane.doe＠example.com please", "Write to [email address removed] please"),
        ("Write to jane.doe ＠ example．com please", "Write to [email address removed] please"),
        (
            "Write to jane dot doe at example dot com please",
            "Write to [email address removed] please",
        ),
        ("Write to Jane DOT Doe AT Example Dot Com", "Write to [email address removed]"),
        ("Write to jane (at) example (dot) co (dot) uk", "Write to [email address removed]"),
        ("Write to jane[at]example[dot]com", "Write to [email address removed]"),
        ("Write to janedoe at example.org", "Write to [email address removed]"),
        ("Email me at jane.doe@example.com today", "Email me at [email address removed] today"),
        ("Email me at jane.doe @ example.com", "Email me at [email address removed]"),
        ("Email me at jane dot doe at example dot com", "Email [email address removed]"),
    ],
)
def test_an_email_address_however_it_is_written_is_masked(said, kept):
    assert mask_personal_data(said) == kept


@pytest.mark.parametrize(
    "said",
    [
        "I looked at it and it helped.",
        "I was at home. Then the soreness came back at 3.30pm.",
        "Look at the part about ice; it is at odds with what my physio said.",
        "The dot on the body map at the top is hard to see.",
        "Email is fine, or just look at it again at some point.",
    ],
)
def test_ordinary_sentences_are_left_as_they_are(said):
    assert mask_personal_data(said) == said


def test_masking_a_long_awkward_comment_is_quick():
    for text in ["a dot " * 170, "a.a" * 333, "a at " * 200, "a @ " * 250, "a (dot) " * 125]:
        started = time.perf_counter()
        mask_personal_data(text[:1000])
        assert time.perf_counter() - started < 0.1, text[:20]
