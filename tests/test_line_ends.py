"""One text, however it arrives: a browser sends a box's line breaks as "\r\n", a file saved on
Windows holds them too, and every door reads them as the "\n" the test client sends."""

import pytest

from articles.importers import load_content
from articles.markdown import render
from articles.models import Article, Block, ClinicDetails
from tests.conftest import run_command

pytestmark = pytest.mark.django_db

URGENT_BODY = '!!! danger "Call 999 now"\n    Chest pain or trouble breathing.\n'
URGENT_BOX = (
    '<div class="admonition danger">\n<p class="admonition-title">Call 999 now</p>\n'
    "<p>Chest pain or trouble breathing.</p>\n</div>"
)
BODY = "## After needling\n\nRest for a day.\n\n[[block:urgent-help]]\n"


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.fixture
def urgent_help():
    return Block.objects.create(name="urgent-help", title="When to get help", body=URGENT_BODY)


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["windows", "old-mac"])
def test_the_renderer_reads_any_line_break_as_a_new_line(urgent_help, line_end):
    rendered = render(BODY.replace("\n", line_end))

    assert rendered == render(BODY)
    assert rendered.html == (
        f'<h2 id="after-needling">After needling</h2>\n<p>Rest for a day.</p>\n{URGENT_BOX}'
    )


def post_article(client, body: str):
    return client.post(
        "/admin/articles/article/add/",
        {
            "title": "After needling",
            "slug": "after-needling",
            "summary": "What to expect.",
            "body": body,
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
    )


def test_an_article_written_in_a_browser_shows_its_block(urgent_help, staff_client, client):
    response = post_article(staff_client, crlf(BODY))

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body == BODY
    assert URGENT_BOX in client.get("/articles/after-needling/").content.decode()


def test_a_mistyped_block_written_in_a_browser_is_not_published(urgent_help, staff_client):
    response = post_article(staff_client, crlf(BODY.replace("urgent-help", "urgent-hepl")))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "body": [
            "There is no block called 'urgent-hepl'. Add it under Blocks first, or check the name."
        ]
    }
    assert not Article.objects.exists()


def test_a_block_written_in_a_browser_cannot_include_another_block(urgent_help, staff_client):
    response = staff_client.post(
        "/admin/articles/block/add/",
        {"title": "Safety", "name": "safety", "body": crlf("Be safe.\n\n[[block:urgent-help]]\n")},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "body": ["A block cannot include another block."]
    }


def test_a_block_written_in_a_browser_is_stored_with_plain_line_breaks(staff_client):
    response = staff_client.post(
        "/admin/articles/block/add/",
        {"title": "When to get help", "name": "urgent-help", "body": crlf(URGENT_BODY)},
    )

    assert response.status_code == 302
    assert Block.objects.get().body == URGENT_BODY


def test_the_clinic_address_is_stored_with_plain_line_breaks(admin_client):
    response = admin_client.post(
        "/admin/articles/clinicdetails/add/",
        {
            "name": "Riverside Physio",
            "phone": "01234 567890",
            "address": "1 High Street\r\nTown\r\nAB1 2CD",
            "opening_hours": "Monday to Friday\r\n8am to 6pm",
        },
    )

    assert response.status_code == 302
    details = ClinicDetails.objects.get()
    assert (details.address, details.opening_hours) == (
        "1 High Street\nTown\nAB1 2CD",
        "Monday to Friday\n8am to 6pm",
    )


def test_the_live_preview_shows_the_block(urgent_help, staff_client):
    response = staff_client.post("/markdownx/markdownify/", {"content": crlf(BODY)})

    assert response.status_code == 200
    assert response.content.decode() == (
        f'<h2 id="after-needling">After needling</h2>\n<p>Rest for a day.</p>\n{URGENT_BOX}'
    )


def test_the_live_checks_name_a_mistyped_block(urgent_help, staff_client):
    response = staff_client.post(
        "/editor/checks/", {"content": crlf(BODY.replace("urgent-help", "urgent-hepl"))}
    )

    assert response.status_code == 200
    assert response.json()["warnings"] == [
        "There is no block called 'urgent-hepl'. Add it under Blocks first, or check the name."
    ]


def test_a_content_folder_saved_on_windows_loads_as_it_does_saved_on_unix(content_dir):
    article = (
        "---\ntitle: After needling\nsummary: What to expect.\nreviewed: 2026-01-15\n---\n" + BODY
    )
    block = f"---\ntitle: When to get help\n---\n{URGENT_BODY}"
    (content_dir / "blocks").mkdir()
    (content_dir / "blocks" / "urgent-help.md").write_bytes(crlf(block).encode())
    (content_dir / "after-needling.md").write_bytes(crlf(article).encode())

    load_content(content_dir)

    loaded = Article.objects.get()
    assert (loaded.title, loaded.body) == ("After needling", BODY)
    assert Block.objects.get().body == URGENT_BODY
    assert URGENT_BOX in loaded.body_html
    # The same files with Unix line ends are the same article and block.
    (content_dir / "blocks" / "urgent-help.md").write_text(block)
    (content_dir / "after-needling.md").write_text(article)
    assert run_command("load_content", content_dir).splitlines()[:2] == [
        "created 0, updated 0, unchanged 1, kept 0",
        "blocks: created 0, updated 0, unchanged 1, kept 0",
    ]
