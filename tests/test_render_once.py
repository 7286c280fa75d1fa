"""Saving renders a text once: what the check made of it is what is saved and what the writing
checks read. And an edit to a block or source that would leave a page using it unable to be
shown is refused in the form, naming the page, rather than failing after it is saved."""

import pytest

from articles import markdown
from articles.importers import load_content
from articles.models import Article, Block, Reference

from .conftest import started_from

pytestmark = pytest.mark.django_db

TOO_LONG = (
    "With its blocks and sources filled in, the text is longer than 60,000 characters. Include "
    "fewer blocks."
)


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    """The markdown of every conversion Python-Markdown makes from here on."""
    converted = []
    convert = markdown._convert

    def counted(source: str):
        converted.append(source)
        return convert(source)

    monkeypatch.setattr(markdown, "_convert", counted)
    return converted


def test_one_admin_save_converts_the_body_once(staff_client, conversions):
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.\n")
    conversions.clear()

    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Aftercare",
            "slug": "aftercare",
            "summary": "What to do.",
            "body": "## Aftercare\r\n\r\nFor more, [click here](/a/).\r\n\r\n[[block:urgent-help]]\r\n",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
        follow=True,
    )

    assert conversions == ["## Aftercare\n\nFor more, [click here](/a/).\n\nCall 999.\n"]
    assert Article.objects.get().body_html == (
        '<h2 id="aftercare">Aftercare</h2>\n<p>For more, <a href="/a/">click here</a>.</p>\n'
        "<p>Call 999.</p>"
    )
    warning, saved = [str(m) for m in response.context["messages"]]
    assert saved.endswith("was added successfully.")
    assert warning == (
        "Before patients read it: The link “click here” does not say where it goes. Use words "
        "that name the page instead."
    )


def test_load_content_converts_each_file_once(write_article, content_dir, conversions):
    for name in ("aftercare", "safety", "first-visit"):
        write_article(name, body=f"About {name}.\n")

    load_content(content_dir)

    assert sorted(conversions) == ["About aftercare.\n", "About first-visit.\n", "About safety.\n"]


def test_a_changed_block_converts_itself_and_each_page_using_it_once(
    staff_client, make_article, conversions
):
    block = Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.\n")
    make_article("aftercare", body="Rest.\n\n[[block:urgent-help]]\n")
    make_article("safety", body="Be safe.\n\n[[block:urgent-help]]\n")
    conversions.clear()

    response = staff_client.post(
        f"/admin/articles/block/{block.pk}/change/",
        {**started_from(block), "title": block.title, "name": block.name, "body": "Call 111.\r\n"},
    )

    assert response.status_code == 302
    assert sorted(conversions) == ["Be safe.\n\nCall 111.\n", "Call 111.\n", "Rest.\n\nCall 111.\n"]
    assert [a.body_html for a in Article.objects.order_by("slug")] == [
        "<p>Rest.</p>\n<p>Call 111.</p>",
        "<p>Be safe.</p>\n<p>Call 111.</p>",
    ]


PARAGRAPH = ("Some plain words. " * 200).strip()


def text_of(length: int) -> str:
    """Plain paragraphs, each shorter than a paragraph may be, about ``length`` characters in all."""
    return "\n\n".join([PARAGRAPH] * (length // len(PARAGRAPH) + 1))[:length].strip()


@pytest.fixture
def long_guide(make_article):
    """A published article that, with its block filled in, is close to the longest allowed."""
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.\n")
    return make_article(
        "long-guide",
        title="Long guide",
        body=f"{text_of(46_000)}\n\n[[block:urgent-help]]\n\nSee the guide.[^nhs]\n",
    )


def test_a_block_edit_that_would_make_a_page_too_long_is_refused_naming_it(
    staff_client, long_guide
):
    block = Block.objects.get()

    response = staff_client.post(
        f"/admin/articles/block/{block.pk}/change/",
        {**started_from(block), "title": block.title, "name": block.name, "body": text_of(15_000)},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "body": [
            f"The article “Long guide” uses this block, and could not be shown with this change: "
            f"{TOO_LONG}"
        ]
    }
    assert Block.objects.get().body == "Call 999.\n"
    assert "<p>Call 999.</p>" in Article.objects.get().body_html


def test_a_source_edit_that_would_make_a_page_too_long_is_refused_naming_it(
    staff_client, long_guide
):
    # With this block and a short entry for the source, the page is just short enough.
    Block.objects.filter(name="urgent-help").update(body=text_of(13_500))
    Reference.objects.create(key="nhs", title="Dry needling")
    long_guide.rerender()
    source = Reference.objects.get()

    response = staff_client.post(
        f"/admin/articles/reference/{source.pk}/change/",
        {
            **started_from(source),
            "key": "nhs",
            "title": "Dry needling",
            "authors": "A" * 300,
            "source": "S" * 300,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        f"The article “Long guide” cites this source, and could not be shown with this change: "
        f"{TOO_LONG}"
    ]
    assert Reference.objects.get().authors == ""
