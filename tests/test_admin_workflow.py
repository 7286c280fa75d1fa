"""Clinic staff write, check and publish articles in the admin."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from articles.importers import load_content
from articles.models import Article

from .conftest import started_from

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def article_form(**changes) -> dict:
    data = {
        "title": "Pain after needling",
        "slug": "pain-after-needling",
        "summary": "What is normal.",
        "body": "## Normal\r\n\r\nSome soreness is common.\r\n",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "reviewed": "2026-01-15",
        "reviewer": "Clinical lead physiotherapist",
        "review_due": "",
        "order": "",
        "image_alt": "",
    }
    data.update(changes)
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def test_staff_write_an_article_and_it_is_rendered_once(staff_client, client):
    response = staff_client.post("/admin/articles/article/add/", article_form(status="published"))

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body == "## Normal\n\nSome soreness is common.\n"
    assert article.body_html == '<h2 id="normal">Normal</h2>\n<p>Some soreness is common.</p>'
    assert article.review_due == dt.date(2027, 1, 15)
    assert client.get("/articles/pain-after-needling/").status_code == 200


def test_hostile_markdown_saved_in_the_admin_is_made_safe(staff_client):
    body = (
        "<script>alert(1)</script>\r\n\r\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    staff_client.post("/admin/articles/article/add/", article_form(body=body))

    html = Article.objects.get().body_html
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"body": "See ![Describe the picture here](/media/uploads/a.png)"},
            "body",
            "Every picture in the text needs a description between the square brackets before it is published: replace 'Describe the picture here' (or an empty ![]) with what the picture shows.",
        ),
        (
            {"body": "See ![](/media/uploads/a.png)"},
            "body",
            "Every picture in the text needs a description between the square brackets before it is published: replace 'Describe the picture here' (or an empty ![]) with what the picture shows.",
        ),
        (
            {"reviewed": (TODAY + dt.timedelta(days=3)).isoformat()},
            "reviewed",
            "The review date cannot be in the future.",
        ),
    ],
    ids=["placeholder-alt", "empty-alt", "future-review"],
)
def test_publishing_needs_a_review_and_described_pictures(staff_client, changes, field, message):
    response = staff_client.post(
        "/admin/articles/article/add/", article_form(status="published", **changes)
    )

    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert Article.objects.count() == 0


def test_a_draft_may_keep_an_undescribed_picture_while_staff_work_on_it(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/", article_form(body="![Describe the picture here](/x.png)")
    )

    assert response.status_code == 302


def test_next_review_must_come_after_the_last(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/", article_form(review_due="2025-01-01")
    )

    assert form_errors(response) == {
        "review_due": ["The next review must come after the last one."]
    }


def test_list_shows_status_and_overdue_reviews_and_filters_them(staff_client, make_article):
    make_article("old", title="Old", reviewed=dt.date(2024, 1, 1), review_due=dt.date(2025, 1, 1))
    make_article("fresh", title="Fresh", reviewed=TODAY)
    make_article("later", title="Later", published_at=timezone.now() + dt.timedelta(days=2))
    make_article("draft", title="Draft", status="draft", reviewed=TODAY)

    listing = staff_client.get("/admin/articles/article/").content.decode()
    overdue = (
        staff_client.get("/admin/articles/article/", {"review": "overdue"})
        .context["cl"]
        .result_list
    )
    scheduled = (
        staff_client.get("/admin/articles/article/", {"state": "scheduled"})
        .context["cl"]
        .result_list
    )
    drafts = (
        staff_client.get("/admin/articles/article/", {"state": "draft"}).context["cl"].result_list
    )
    live = (
        staff_client.get("/admin/articles/article/", {"state": "published"})
        .context["cl"]
        .result_list
    )

    assert '<strong class="overdue">Overdue since 1 Jan 2025</strong>' in listing
    assert "Scheduled for " in listing
    assert [a.slug for a in overdue] == ["old"]
    assert [a.slug for a in scheduled] == ["later"]
    assert [a.slug for a in drafts] == ["draft"]
    assert sorted(a.slug for a in live) == ["fresh", "old"]


def test_actions_publish_unpublish_and_mark_reviewed(staff_client, make_article):
    ready = make_article("ready", status="draft")
    unready = make_article("unready", title="Unready", status="draft", body="![](/x.png)")

    response = staff_client.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [ready.pk, unready.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == "Published 1 article(s)."
    assert messages[1].startswith("Not published. Unready: Every picture in the text needs")
    assert Article.objects.get(slug="ready").status == "published"
    assert Article.objects.get(slug="unready").status == "draft"

    staff_client.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": [ready.pk]}
    )
    assert Article.objects.get(slug="ready").status == "draft"

    staff_client.post(
        "/admin/articles/article/",
        {"action": "mark_reviewed_today", "_selected_action": [ready.pk]},
    )
    ready.refresh_from_db()
    assert ready.reviewed == TODAY
    assert ready.review_due > TODAY


def test_staff_preview_a_draft_that_the_public_cannot_see(staff_client, client, make_article):
    make_article("secret", title="Secret", status="draft")

    preview = staff_client.get("/articles/secret/preview/")
    staff_client.logout()
    public = client.get("/articles/secret/")
    visitor_preview = client.get("/articles/secret/preview/")

    assert preview.status_code == 200
    assert "This article is a draft: patients cannot see it." in preview.content.decode()
    assert '<meta name="robots" content="noindex">' in preview.content.decode()
    assert public.status_code == 404
    assert visitor_preview.status_code == 302
    assert visitor_preview["Location"].startswith("/admin/login/")


def test_edit_in_the_admin_survives_the_next_content_load(staff_client, write_article, content_dir):
    write_article("aftercare", body="From the file.\n")
    load_content(content_dir)
    article = Article.objects.get()
    form = article_form(
        **started_from(article),
        title="Aftercare",
        slug="aftercare",
        summary="Staff summary.",
        body="Edited by staff.",
        status="published",
        reviewed="2026-01-15",
    )

    response = staff_client.post(f"/admin/articles/article/{article.pk}/change/", form)

    assert response.status_code == 302
    assert load_content(content_dir).counts() == "created 0, updated 0, unchanged 0, kept 1"
    assert Article.objects.get().body == "Edited by staff.\n"


def test_clinic_editor_group_can_do_the_job_and_no_more(staff_client):
    client = staff_client

    allowed = [
        "/admin/articles/article/add/",
        "/admin/articles/article/",
        "/admin/articles/tag/add/",
        "/admin/articles/clinicdetails/add/",
        "/admin/articles/subscriber/",
    ]
    refused = ["/admin/auth/user/", "/admin/auth/group/", "/admin/articles/subscriber/add/"]

    assert {path: client.get(path).status_code for path in allowed} == dict.fromkeys(allowed, 200)
    assert {path: client.get(path).status_code for path in refused} == dict.fromkeys(refused, 403)
    response = client.post("/admin/articles/article/add/", article_form())
    assert response.status_code == 302
    assert Article.objects.get().title == "Pain after needling"


def test_saving_shows_the_editors_writing_checks(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        article_form(body="## Aftercare\r\n\r\nFor more, [click here](/articles/safety/).\r\n"),
        follow=True,
    )

    assert Article.objects.count() == 1
    warning, saved = [str(m) for m in response.context["messages"]]
    assert warning == (
        "Before patients read it: The link “click here” does not say where it goes. Use words "
        "that name the page instead."
    )
    assert saved.endswith("was added successfully.")


def test_saving_stores_both_grades_and_the_article_page_shows_them_read_only(staff_client):
    body = (
        "## After needling\r\n\r\nYou may feel sore for a day or two after needling. Drink "
        "some water and go for a short walk. Call the clinic if the pain gets worse.\r\n"
    )
    staff_client.post("/admin/articles/article/add/", article_form(body=body))

    article = Article.objects.get()
    assert (article.readability_grade, article.smog_grade) == (1.3, 3.1)
    page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    shown = re.findall(
        r'<div class="form-row field-(\w+)">.*?<label>([^<]*)</label>\s*<div class="readonly">'
        r"([^<]*)</div>",
        page[page.index("How it reads</h2>") :],
        re.S,
    )
    assert shown[:2] == [
        ("readability_grade", "Reading grade:", "1.3"),
        ("smog_grade", "SMOG grade:", "3.1"),
    ]


def test_rendering_an_article_again_works_its_smog_grade_out_again(make_article):
    article = make_article(
        body="You may feel sore for a day or two. Drink some water. Call the clinic if it hurts.\n"
    )
    Article.objects.filter(pk=article.pk).update(smog_grade=None)

    Article.objects.get(pk=article.pk).rerender()

    assert Article.objects.get(pk=article.pk).smog_grade == article.smog_grade == 3.1
