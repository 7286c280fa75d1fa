"""Text written once: blocks that articles include by name, and the reference list they cite."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from articles.importers import ContentError, export_content, load_content
from articles.models import Article, Block, Reference

from .conftest import started_from

pytestmark = pytest.mark.django_db

URGENT = """\
---
title: When to get help
---
!!! danger "Call 999 now if you have:"
    - a sudden, very bad headache[^csp2024]
"""
REFERENCES = """\
csp2024:
  authors: Chartered Society of Physiotherapy
  title: "Learning from litigation: pneumothorax after acupuncture and/or dry needling"
  url: https://csp.org.uk/publications/learning-litigation-pneumothorax-acupuncture-andor-dry-needling
gattie2017:
  authors: Gattie E, Cleland JA, Snodgrass S
  year: 2017
  title: The effectiveness of trigger point dry needling
  source: J Orthop Sports Phys Ther 47(3):133–149
"""


@pytest.fixture
def folder(content_dir, write_article):
    (content_dir / "blocks").mkdir()
    (content_dir / "blocks" / "urgent-help.md").write_text(URGENT)
    (content_dir / "references.yaml").write_text(REFERENCES)
    write_article("aftercare", body="Rest.[^gattie2017]\n\n[[block:urgent-help]]\n")
    write_article("safety", body="## Get help\n\n[[block:urgent-help]]\n")
    return content_dir


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_content", *map(str, args), stdout=out)
    return out.getvalue()


def test_block_and_sources_are_filled_in_where_articles_name_them(folder):
    assert run(folder).splitlines()[:3] == [
        "created 2, updated 0, unchanged 0, kept 0",
        "references: created 2, updated 0, unchanged 0, kept 0",
        "blocks: created 1, updated 0, unchanged 0, kept 0",
    ]

    html = Article.objects.get(slug="aftercare").body_html
    assert '<div class="admonition danger">' in html
    assert '<p class="admonition-title">Call 999 now if you have:</p>' in html
    assert (
        "Gattie E, Cleland JA, Snodgrass S (2017). The effectiveness of trigger point dry " in html
    )
    assert "<em>J Orthop Sports Phys Ther 47(3):133–149</em>." in html
    assert (
        "Chartered Society of Physiotherapy. Learning from litigation: pneumothorax after "
        "acupuncture and/or dry needling. "
        '<a href="https://csp.org.uk/publications/learning-litigation-pneumothorax-acupuncture-'
        'andor-dry-needling" rel="noopener noreferrer">csp.org.uk</a>'
    ) in html
    assert "(None)" not in html and "no date" not in html


def test_second_load_changes_nothing(folder):
    load_content(folder)

    with CaptureQueriesContext(connection) as queries:
        out = run(folder)

    assert out.splitlines()[:3] == [
        "created 0, updated 0, unchanged 2, kept 0",
        "references: created 0, updated 0, unchanged 2, kept 0",
        "blocks: created 0, updated 0, unchanged 1, kept 0",
    ]
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_changing_a_block_in_the_admin_changes_every_page_at_once(folder, staff_client, client):
    load_content(folder)
    block = Block.objects.get(name="urgent-help")

    response = staff_client.post(
        f"/admin/articles/block/{block.pk}/change/",
        {
            **started_from(block),
            "title": block.title,
            "name": block.name,
            "body": '!!! danger "Call 999 now if you have:"\r\n    - sudden breathlessness\r\n',
        },
    )

    assert response.status_code == 302
    for slug in ("aftercare", "safety"):
        page = client.get(f"/articles/{slug}/").content.decode()
        assert "sudden breathlessness" in page
        assert "very bad headache" not in page


def test_staff_edits_to_a_block_or_source_are_kept_on_the_next_load(folder):
    load_content(folder)
    Block.objects.filter(name="urgent-help").update(body="Edited by staff.\n")
    Reference.objects.filter(key="gattie2017").update(year=2018)

    out = run(folder)

    assert "references: created 0, updated 0, unchanged 1, kept 1" in out
    assert "blocks: created 0, updated 0, unchanged 0, kept 1" in out
    assert "kept block urgent-help: edited in the admin since its last load" in out
    assert "kept reference gattie2017: edited in the admin since its last load" in out
    assert Block.objects.get().body == "Edited by staff.\n"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "[[block:urgnet-help]]\n",
            "body: There is no block called 'urgnet-help'. Add it under Blocks first, or check "
            "the name.",
        ),
        (
            "Claim.[^smith1999]\n",
            "body: There is no source called 'smith1999' in the reference list. Add it under "
            "References, or check the key.",
        ),
        (
            "Claim.[^gattie2017]\n\n[^gattie2017]: Gattie, described another way.\n",
            "body: 'gattie2017' is in the reference list already: cite it as [^gattie2017] and "
            "remove the line '[^gattie2017]: ...' so the source is described once.",
        ),
    ],
    ids=["unknown-block", "unknown-source", "source-described-twice"],
)
def test_an_article_naming_what_is_not_there_is_refused(folder, write_article, body, problem):
    path = write_article("broken", body=body)

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    assert raised.value.problems == [f"{path}: {problem}"]
    assert Article.objects.count() == 0


def test_a_block_cannot_include_a_block_and_a_source_needs_a_title(folder):
    (folder / "blocks" / "nested.md").write_text("---\ntitle: Nested\n---\n[[block:urgent-help]]\n")
    (folder / "references.yaml").write_text(REFERENCES + "nameless:\n  year: 2020\n")

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    assert raised.value.problems == [
        f"{folder / 'references.yaml'}: nameless.title: This field is required.",
        f"{folder / 'blocks' / 'nested.md'}: body: A block cannot include another block.",
    ]
    assert Block.objects.count() == Reference.objects.count() == 0


def test_a_slip_in_a_block_or_source_is_reported_once_alongside_every_other_problem(
    folder, write_article
):
    (folder / "blocks" / "urgent-help.md").write_text(
        URGENT.replace("title:", "colour: red\ntitle:")
    )
    (folder / "references.yaml").write_text(REFERENCES + "nameless:\n  year: 2020\n")
    # This article uses both, and has a problem of its own.
    path = write_article("uses-both", title=None, body="A.[^nameless]\n\n[[block:urgent-help]]\n")

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    assert raised.value.problems == [
        f"{folder / 'references.yaml'}: nameless.title: This field is required.",
        f"{folder / 'blocks' / 'urgent-help.md'}: colour: unknown field (allowed: title, name)",
        f"{path}: title: This field is required.",
    ]
    assert Article.objects.count() == Block.objects.count() == Reference.objects.count() == 0


def test_each_block_and_source_a_load_writes_gets_a_revision_of_its_own(folder):
    load_content(folder)

    for row, file in [
        (Block.objects.get(), folder / "blocks" / "urgent-help.md"),
        *((source, folder / "references.yaml") for source in Reference.objects.all()),
    ]:
        version = Version.objects.get_for_object(row).get()
        assert version.revision.comment == f"Loaded from {file}"
        assert list(version.revision.version_set.all()) == [version]


def test_export_writes_blocks_and_sources_that_load_back_unchanged(folder, tmp_path):
    load_content(folder)

    export_content(tmp_path / "out")

    assert (tmp_path / "out" / "blocks" / "urgent-help.md").read_text() == URGENT
    out = run(tmp_path / "out")
    assert out.splitlines()[:3] == [
        "created 0, updated 0, unchanged 2, kept 0",
        "references: created 0, updated 0, unchanged 2, kept 0",
        "blocks: created 0, updated 0, unchanged 1, kept 0",
    ]


def test_staff_can_write_blocks_and_sources_in_the_admin(staff_client):
    assert staff_client.get("/admin/articles/block/add/").status_code == 200
    assert staff_client.get("/admin/articles/reference/add/").status_code == 200

    response = staff_client.post(
        "/admin/articles/reference/add/",
        {
            "key": "nice-ng59",
            "authors": "NICE",
            "year": "2016",
            "title": "Low back pain",
            "url": "www.nice.org.uk/guidance/ng59",
        },
    )

    assert response.status_code == 302
    assert Reference.objects.get().url == "https://www.nice.org.uk/guidance/ng59"


def test_sources_are_numbered_in_the_order_the_text_cites_them(folder, write_article):
    write_article("order", body="First.[^gattie2017] Second.[^csp2024]\n")
    load_content(folder)

    html = Article.objects.get(slug="order").body_html

    assert html.index("Gattie E") < html.index("Chartered Society")
    assert 'href="#fn:gattie2017">1</a>' in html
    assert 'href="#fn:csp2024">2</a>' in html


def test_an_author_list_ending_in_a_full_stop_reads_with_one():
    entry = Reference(key="x", authors="Brady D, et al.", title="Review of soreness")

    assert entry.as_markdown() == "Brady D, et al. Review of soreness."


@pytest.fixture
def in_use(make_article):
    block = Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.")
    source = Reference.objects.create(key="nice2021", title="Chronic pain")
    make_article("aftercare", title="Aftercare", body="Advice.[^nice2021]\n\n[[block:urgent-help]]")
    return block, source


@pytest.mark.parametrize("kind", ["block", "reference"])
def test_a_block_or_source_in_use_cannot_be_deleted(staff_client, in_use, client, kind):
    row = in_use[0] if kind == "block" else in_use[1]

    one = staff_client.post(f"/admin/articles/{kind}/{row.pk}/delete/", {"post": "yes"})
    several = staff_client.post(
        f"/admin/articles/{kind}/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert type(row).objects.filter(pk=row.pk).exists()
    for response in (one, several):
        assert response.status_code == 200
        assert (
            f"“Aftercare” uses it as {row.marker}. Take it out of those articles first, so that "
            "no page loses it without anyone noticing." in response.content.decode()
        )
    assert "Call 999." in client.get("/articles/aftercare/").content.decode()


def test_a_block_nobody_uses_can_be_deleted(staff_client, in_use):
    spare = Block.objects.create(name="spare", title="Spare", body="Unused.")

    staff_client.post(f"/admin/articles/block/{spare.pk}/delete/", {"post": "yes"})

    assert not Block.objects.filter(name="spare").exists()


def test_a_block_in_use_cannot_be_renamed(staff_client, in_use):
    block = in_use[0]

    response = staff_client.post(
        f"/admin/articles/block/{block.pk}/change/",
        {**started_from(block), "title": block.title, "name": "get-help", "body": block.body},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "“Aftercare” uses it as [[block:urgent-help]]. Take it out of those articles first, so "
        "that no page loses it without anyone noticing."
    ]
    block.refresh_from_db()
    assert block.name == "urgent-help"


def test_a_source_cited_only_in_an_included_block_is_kept_and_its_pages_follow_it(
    make_article, staff_client, client
):
    source = Reference.objects.create(key="nice2021", title="Chronic pain")
    Block.objects.create(name="evidence", title="Evidence", body="Modest relief.[^nice2021]")
    make_article("aftercare", title="Aftercare", body="Advice.\n\n[[block:evidence]]")

    staff_client.post(f"/admin/articles/reference/{source.pk}/delete/", {"post": "yes"})
    staff_client.post(
        f"/admin/articles/reference/{source.pk}/change/",
        {
            **started_from(source),
            "key": "nice2021",
            "title": "Chronic pain in over 16s",
            "authors": "NICE",
            "year": "",
        },
    )

    assert Reference.objects.filter(pk=source.pk).exists()
    assert "NICE. Chronic pain in over 16s." in client.get("/articles/aftercare/").content.decode()


def test_while_rows_are_held_a_text_is_filled_in_once_and_its_limit_still_holds():
    from articles import includes

    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.")
    text = "Before.\n\n[[block:urgent-help]]\n"
    with includes.rows_held():
        first = includes.expand(text, max_length=1000)
        with CaptureQueriesContext(connection) as queries:
            again = includes.expand(text, max_length=1000)
        assert again == first == "Before.\n\nCall 999.\n"
        assert len(queries) == 0
        with pytest.raises(includes.TooLongError):
            includes.expand(text, max_length=len(text))
        with pytest.raises(includes.TooLongError):
            includes.expand(text, max_length=len(text))
