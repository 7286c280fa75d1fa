"""A published article never loses a block, figure or source silently: one that names what does
not exist cannot be published, at any door; a draft may name one while staff work on it."""

import pytest

from articles.importers import ContentError, load_content
from articles.models import Article, Block
from tests.conftest import run_command

pytestmark = pytest.mark.django_db

NO_BLOCK = "There is no block called 'urgent-hepl'. Add it under Blocks first, or check the name."
NO_FIGURE = "There is no figure called 'leg-map' (there are: body-map, needle)."
NO_SOURCE = (
    "There is no source called 'smith1999' in the reference list. Add it under References, or "
    "check the key."
)
BODY = (
    "## After needling\n\nRest for a day, then take a short walk.[^smith1999]\n\n"
    "[[block:urgent-hepl]]\n\n[[figure:leg-map]]\n"
)


@pytest.fixture(autouse=True)
def urgent_help():
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.\n")


def add_in_admin(client, status: str, follow: bool = False):
    return client.post(
        "/admin/articles/article/add/",
        {
            "title": "After needling",
            "slug": "after-needling",
            "summary": "What to expect.",
            "body": BODY.replace("\n", "\r\n"),
            "status": status,
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
        follow=follow,
    )


def test_an_article_naming_what_is_not_there_is_not_published_from_the_admin(staff_client):
    response = add_in_admin(staff_client, "published")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"body": [NO_FIGURE, NO_BLOCK, NO_SOURCE]}
    assert not Article.objects.exists()


def test_a_draft_naming_what_is_not_there_saves_with_a_warning_for_each(staff_client):
    response = add_in_admin(staff_client, "draft", follow=True)

    assert response.status_code == 200
    draft = Article.objects.get()
    assert draft.status == "draft"
    assert [str(m) for m in response.context["messages"]] == [
        f"Before patients read it: {NO_FIGURE}",
        f"Before patients read it: {NO_BLOCK}",
        f"Before patients read it: {NO_SOURCE}",
        f'The article “<a href="/admin/articles/article/{draft.pk}/change/">After needling</a>” '
        "was added successfully.",
    ]


def test_the_publish_action_refuses_a_draft_naming_what_is_not_there(staff_client, make_article):
    draft = make_article("after-needling", title="After needling", status="draft", body=BODY)

    response = staff_client.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Published 0 article(s).",
        f"Not published. After needling: {NO_FIGURE} {NO_BLOCK} {NO_SOURCE}",
    ]
    assert Article.objects.get().status == "draft"


def test_a_published_content_file_naming_a_missing_block_is_refused(write_article, content_dir):
    path = write_article("after-needling", body="Rest.\n\n[[block:urgent-hepl]]\n")

    with pytest.raises(ContentError) as refused:
        load_content(content_dir)

    assert refused.value.problems == [f"{path}: body: {NO_BLOCK}"]


def test_a_draft_content_file_naming_a_missing_block_loads(write_article, content_dir):
    write_article("after-needling", body="Rest.\n\n[[block:urgent-hepl]]\n", status="draft")

    assert run_command("load_content", content_dir).splitlines()[0] == (
        "created 1, updated 0, unchanged 0, kept 0"
    )
    assert Article.objects.get().status == "draft"
