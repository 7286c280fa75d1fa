"""The editor's Insert menus: what they offer, who may ask for it, and that what they write is
what the renderer reads. And the one count of words and reading time."""

import re

import pytest
from django.contrib.auth.models import Permission, User

from articles.markdown import CALLOUT_TYPES, render, unknown_includes
from articles.models import Article, Block, Reference, Risk
from articles.writing import BOX_PLACEHOLDER, check_writing

pytestmark = pytest.mark.django_db

CHOICES = "/editor/choices/"
CHECKS = "/editor/checks/"


@pytest.fixture
def listed(make_article):
    """One of each thing the menus offer."""
    source = Reference.objects.create(key="brady2014", title="A study of needling in Ireland")
    Risk.objects.create(key="bruising", event="a bruise", count=580, total=7629, source=source)
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999 now.")
    make_article("aftercare", title="Aftercare")
    make_article("needle-fear", title="Fear of needles [new]", status=Article.Status.DRAFT)


def test_the_menus_offer_blocks_boxes_articles_risks_and_drawings(staff_client, listed):
    response = staff_client.get(CHOICES)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "blocks": [{"label": "When to get help (urgent-help)", "text": "[[block:urgent-help]]"}],
        "callouts": [
            {
                "label": "Information",
                "text": f'!!! note "Good to know"\n    {BOX_PLACEHOLDER}',
                "select": BOX_PLACEHOLDER,
            },
            {
                "label": "Warning",
                "text": f'!!! warning "Before your treatment"\n    {BOX_PLACEHOLDER}',
                "select": BOX_PLACEHOLDER,
            },
            {
                "label": "Urgent",
                "text": f'!!! danger "Get help now"\n    {BOX_PLACEHOLDER}',
                "select": BOX_PLACEHOLDER,
            },
        ],
        "articles": [
            {
                "label": "Aftercare",
                "text": "[Aftercare](/articles/aftercare/)",
                "select": "Aftercare",
            },
            {
                "label": "Fear of needles [new] (draft: patients cannot see it yet)",
                "text": r"[Fear of needles \[new\]](/articles/needle-fear/)",
                "select": r"Fear of needles \[new\]",
            },
        ],
        "risks": [
            {
                "label": "bruising: a bruise (580 in 7,629 treatments)",
                "words": "[[risk:bruising]]",
                "picture": "[[risk-picture:bruising]]",
            }
        ],
        "drawings": [
            {"label": "Body map", "text": "[[figure:body-map]]"},
            {"label": "Needle", "text": "[[figure:needle]]"},
        ],
    }


def test_an_empty_site_offers_empty_lists_and_the_boxes(staff_client):
    choices = staff_client.get(CHOICES).json()

    assert (choices["blocks"], choices["articles"], choices["risks"]) == ([], [], [])
    assert [box["label"] for box in choices["callouts"]] == ["Information", "Warning", "Urgent"]


def test_what_the_menus_write_renders_as_it_says(staff_client, listed):
    """Every insert, put in a body the way the editor puts it (on lines of its own, or in a
    sentence), names nothing unknown and renders as the thing it offered."""
    choices = staff_client.get(CHOICES).json()
    own_lines = [
        choices["blocks"][0]["text"],
        *(box["text"] for box in choices["callouts"]),
        choices["risks"][0]["picture"],
        *(drawing["text"] for drawing in choices["drawings"]),
    ]
    sentence = (
        f"Read {choices['articles'][0]['text']} and {choices['articles'][1]['text']}. "
        f"In a study, {choices['risks'][0]['words']}."
    )
    body = "\r\n\r\n".join([sentence, *own_lines]) + "\r\n"

    html = render(body).html

    assert unknown_includes(body) == []
    assert "<p>Call 999 now.</p>" in html
    kinds = re.findall(r'<div class="admonition (\w+)">', html)
    assert kinds == ["note", "warning", "danger"]
    assert set(kinds) <= set(CALLOUT_TYPES)
    assert html.count(f"<p>{BOX_PLACEHOLDER}</p>") == 3
    assert '<p class="admonition-title">Before your treatment</p>' in html
    assert '<a href="/articles/aftercare/">Aftercare</a>' in html
    assert '<a href="/articles/needle-fear/">Fear of needles [new]</a>' in html
    assert "In a study, about 8 in 100 treatments had a bruise; about 92 in 100 did not." in html
    assert html.count('<figure class="risk-picture">') == 1
    assert '<figure class="figure figure-body-map">' in html
    assert '<figure class="figure figure-needle">' in html


def test_a_box_still_saying_its_placeholder_is_a_warning(staff_client):
    box = staff_client.get(CHOICES).json()["callouts"][1]["text"]

    live = staff_client.post(CHECKS, {"content": f"Before you come.\r\n\r\n{box}\r\n"}).json()

    assert live["warnings"] == [
        "A box still says “Write what the box says here.” Replace that with what patients need "
        "to know."
    ]
    written = box.replace(BOX_PLACEHOLDER, "Tell us if you are pregnant.")
    assert check_writing(f"Before you come.\n\n{written}\n").warnings == []


@pytest.mark.parametrize(
    "user",
    [
        lambda: User.objects.create_user("patient", password="pw"),
        lambda: User.objects.create_user("receptionist", password="pw", is_staff=True),
    ],
    ids=["not staff", "staff who may not edit articles"],
)
def test_only_article_editors_get_the_lists(client, listed, user):
    assert client.get(CHOICES).status_code == 403
    client.force_login(user())

    response = client.get(CHOICES)

    assert response.status_code == 403
    assert b"urgent-help" not in response.content


def test_a_member_of_staff_who_may_only_write_articles_gets_the_lists(client, listed):
    writer = User.objects.create_user("writer", password="pw", is_staff=True)
    writer.user_permissions.set(Permission.objects.filter(codename="change_article"))
    client.force_login(writer)

    assert client.get(CHOICES).json()["blocks"][0]["text"] == "[[block:urgent-help]]"


def test_the_lists_are_read_not_posted_to(staff_client):
    assert staff_client.post(CHOICES).status_code == 405


# A body with a block, a list, a callout, a table, a risk, a source, a link, emphasis and a
# heading, as a browser sends it (\r\n): over 200 words, so the reading time is 2 minutes.
BLOCK_TEXT = (
    "Call 999 or go to A&E now if you have chest pain, or breathlessness that comes on "
    "suddenly. Call NHS 111 if a needle spot gets red, hot and swollen.\n\n"
    "- Bleeding that does not stop when you press on it.\n"
    "- A fever with a spreading redness.\n"
)
COUNTED_BODY = "\r\n".join(
    [
        "## After your treatment",
        "",
        "Most people feel a little **sore** for a day or two. This is *normal* and it settles "
        "by itself. Drink water, keep moving gently, and rest the area if it aches.[^brady2014]",
        "",
        "1. Use a warm pack for ten minutes.",
        "2. Walk or stretch gently the same day.",
        "3. Take the pain relief you usually take, if you need it.",
        "",
        "[[block:urgent-help]]",
        "",
        '!!! warning "Before your next visit"',
        "    Tell your physiotherapist how you felt after the last session, and whether the "
        "soreness lasted longer than two days.",
        "",
        "In a study in Ireland, [[risk:bruising]]. Most bruises fade within a week. Read "
        "[our aftercare page](/articles/aftercare/) for more about what to expect.",
        "",
        "| What you feel | What to do |",
        "| --- | --- |",
        "| Soreness | Keep moving gently |",
        "| A bruise | Nothing: it fades by itself |",
        "",
        "### Questions people ask",
        "",
        "Can I exercise after needling? Yes: light exercise the same day is fine, and most "
        "people go back to their usual sport the next day. Can I go to work? Yes, most people "
        "go back to work straight away. Will it hurt the next day? It may feel like you have "
        "had a hard workout, and that feeling goes within a day or two for most people. If it "
        "does not, or if it gets worse instead of better, call the clinic and we will talk it "
        "through with you. We would always rather hear from you than have you worry at home "
        "about how your body feels after a treatment, however small the worry seems to you.",
        "",
    ]
)


def test_the_live_panel_counts_what_the_saved_article_and_its_page_show(
    staff_client, client, listed
):
    Block.objects.filter(name="urgent-help").update(body=BLOCK_TEXT)

    live = staff_client.post(CHECKS, {"content": COUNTED_BODY}).json()
    staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "After needling",
            "slug": "after-needling",
            "summary": "What to expect after needling.",
            "body": COUNTED_BODY,
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
    )

    article = Article.objects.get(slug="after-needling")
    assert (live["words"], live["minutes"]) == (article.word_count, article.reading_minutes)
    assert (live["words"], live["minutes"]) == (304, 2)
    change_page = staff_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert '<div class="readonly">304</div>' in change_page.content.decode()
    assert '<div class="readonly">About 2 minute(s)</div>' in change_page.content.decode()
    page = client.get("/articles/after-needling/").content.decode()
    assert "About 2 minutes to read</p>" in page
