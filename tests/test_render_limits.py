"""No text a member of staff types can hold a worker or end in a 500: the renderer refuses, in
plain words, a body too long, nested too deeply or too slow to render, and it is quick on runs
of symbols that Python-Markdown once took minutes over."""

import time

import pytest
from django.core.exceptions import ValidationError

from articles import renderlimits as limits
from articles.importers import ContentError, load_content
from articles.markdown import RenderError, render
from articles.models import Article, Block

pytestmark = pytest.mark.django_db

# Each took more than 30 seconds before (a run of "[" took 4 s at 5,000 characters); now they
# render, or are refused with a reason, in well under a second of processor time. That is what
# the renderer bounds and what is measured here (time.thread_time): a machine busy with other
# work stretches the clock, not the work. The bound leaves room for a slow test machine.
SECONDS = 3
LIMIT = limits.MAX_BODY_CHARACTERS
BLOCK = limits.MAX_BLOCK_CHARACTERS - 10


def blocks(unit: str) -> str:
    """``unit`` repeated into paragraphs just under the block limit, to the body limit."""
    block = (unit * (BLOCK // len(unit))).strip("\n")
    return "\n\n".join([block] * (LIMIT // (len(block) + 2)))


def one_run(unit: str) -> str:
    """``unit`` repeated into one paragraph just under the block limit."""
    return unit * (BLOCK // len(unit))


# Python-Markdown's slow paths work paragraph by paragraph, so each symbol is tried as one
# paragraph at the longest a paragraph may be; a few are also tried as a whole body of such
# paragraphs, which the time bound covers.
UNITS = [
    "[",
    "![",
    "[^",
    "[a",
    "[]",
    "[a](",
    "[a](<",
    '[a](b "',
    "*",
    "_",
    "`",
    "<",
    "*a",
    "*a* ",
    "`a` ",
    "*_",
    "\\",
    "[a](b) ",
    "a  \n",
    "&amp;",
    "[^a] ",
    "## a\n",
    "a\n===\n",
    "* * *\n",
    "- a\n",
    "| a |\n",
    "!!! note\n    x\n",
]
PATHOLOGICAL = {
    **{f"a paragraph of {unit!r}": one_run(unit) for unit in [*UNITS, "("]},
    "a body of paragraphs of '['": blocks("["),
    "many short paragraphs": "a\n\n" * (LIMIT // 3),
    "backticks and pipes in a table": "| a | b |\n|---|---|\n| " + "`a` " * 500 + "|" * 2000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_runs_of_symbols_render_quickly_or_are_refused_with_a_reason(text):
    started = time.thread_time()
    try:
        html = render(text).html
    except RenderError as error:
        html = None
        assert error.messages
    assert time.thread_time() - started < SECONDS
    assert html is None or "<script" not in html


def test_a_run_of_brackets_is_plain_text():
    assert render("[" * 4000).html == f"<p>{'[' * 4000}</p>"


@pytest.mark.parametrize(
    "text",
    [
        "\n".join("    " * level + "- item" for level in range(40)),
        "- " * 1000 + "x",
        ">" * 1000 + " x",
        "\n".join(">" * level + " x" for level in range(1, 60)),
        "\n".join(
            "    " * level + "!!! note\n" + "    " * (level + 1) + "x" for level in range(20)
        ),
    ],
    ids=["indented lists", "list markers", "quote marks", "quote lines", "callouts"],
)
def test_deep_nesting_is_refused_not_a_recursion_error(text):
    with pytest.raises(RenderError) as refused:
        render(text)

    assert refused.value.messages == [
        "Lists, quotes or callouts are put inside one another more than 8 deep. Bring the "
        "inner ones out a level or two."
    ]


def test_nesting_as_deep_as_allowed_renders():
    text = "\n".join("    " * level + "- item" for level in range(limits.MAX_NESTING))

    assert render(text).html.count("<ul>") == limits.MAX_NESTING


def test_emphasis_inside_emphasis_without_end_is_refused():
    with pytest.raises(RenderError) as refused:
        render("*a _b " * 400 + "c_ d*" * 400)

    assert refused.value.messages == [
        "Bold, italic or link marks (* _ [) are put inside one another too deeply. Close each "
        "one before the next one starts."
    ]


def test_a_body_over_the_limit_is_refused_with_its_length():
    with pytest.raises(RenderError) as refused:
        render("Words. " * 10_000)

    assert refused.value.messages == [
        "The text is 70,000 characters long. An article can have at most 50,000: split it into "
        "two articles."
    ]


def test_a_long_stretch_without_a_blank_line_is_refused_saying_where():
    with pytest.raises(RenderError) as refused:
        render("Intro.\n\n" + "- a list item\n" * 500)

    assert refused.value.messages == [
        "The part that starts “- a list item - a list item - a list ite” runs to 7,000 "
        "characters without a blank line. Put a blank line between paragraphs; a list or a "
        "table can be at most 5,000 characters."
    ]


def test_blocks_filled_in_count_towards_the_limit():
    Block.objects.create(name="long", title="Long", body="Shared words. " * 300)

    with pytest.raises(RenderError) as refused:
        render("[[block:long]]\n\n" * 20)

    assert refused.value.messages == [
        "With its blocks and sources filled in, the text is longer than 60,000 characters. "
        "Include fewer blocks."
    ]


def test_a_text_too_slow_to_render_is_refused_not_left_running(monkeypatch):
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0)

    with pytest.raises(RenderError) as refused:
        render("Some *plain* words.")

    assert refused.value.messages == [
        "This text takes too long to turn into a page. Look for long runs of the same symbol "
        "(such as [ ( * _ ` or >), or a great many very short lines, and take them out."
    ]


def test_a_render_that_waits_on_a_busy_machine_is_not_refused(monkeypatch, staff_client):
    # Sleeping uses no processor time, as a thread waiting for a machine busy with other work
    # uses none: each paragraph waits, and all of them wait four times the time allowed.
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.05)
    table_test = limits._table_test

    def waiting(*args):
        time.sleep(0.02)
        return table_test(*args)

    monkeypatch.setattr(limits, "_table_test", waiting)
    body = "\n\n".join(f"Paragraph {n}." for n in range(10))

    response = staff_client.post("/admin/articles/article/add/", article_form(body=body))

    assert response.status_code == 302
    assert Article.objects.get().body_html == "\n".join(f"<p>Paragraph {n}.</p>" for n in range(10))


def test_a_long_real_article_renders_well_within_the_time_allowed(shipped_content):
    bodies = [path.read_text().split("---\n", 2)[2] for path in shipped_content.glob("*.md")]
    text = ("\n\n".join(bodies) * 3)[: LIMIT - 100]

    started = time.thread_time()
    rendered = render(text)

    assert time.thread_time() - started < limits.RENDER_SECONDS / 2
    assert rendered.html.count("<h2") > 20


def test_links_and_footnotes_still_work():
    html = render(
        'See [the [NHS] page](https://www.nhs.uk/ "NHS") and a note.[^n]\n\n[^n]: The note.'
    ).html

    assert (
        '<a href="https://www.nhs.uk/" rel="noopener noreferrer" title="NHS">the [NHS] page</a>'
        in html
    )
    assert 'class="footnote-ref"' in html


# Each door staff use says why, next to the text.
TOO_DEEP = (
    "Lists, quotes or callouts are put inside one another more than 8 deep. Bring the inner "
    "ones out a level or two."
)
DEEP_BODY = ">" * 30 + " x\n"


TOO_SLOW = (
    "This text takes too long to turn into a page. Look for long runs of the same symbol "
    "(such as [ ( * _ ` or >), or a great many very short lines, and take them out."
)


def article_form(**changes) -> dict:
    return {
        "title": "Deep",
        "slug": "deep",
        "summary": "A summary.",
        "body": DEEP_BODY,
        "status": "draft",
        "reviewed": "2026-01-15",
        **changes,
    }


def test_the_admin_form_refuses_the_body_next_to_the_field(staff_client):
    response = staff_client.post("/admin/articles/article/add/", article_form())

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [TOO_DEEP]


def test_a_text_too_slow_to_render_is_a_message_next_to_the_body(monkeypatch, staff_client):
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0)

    article = staff_client.post("/admin/articles/article/add/", article_form(body="Words."))
    block = staff_client.post(
        "/admin/articles/block/add/", {"title": "Help", "name": "help", "body": "Words."}
    )

    assert (article.status_code, block.status_code) == (200, 200)
    assert article.context["adminform"].form.errors == {"body": [TOO_SLOW]}
    assert block.context["adminform"].form.errors == {"body": [TOO_SLOW]}
    assert not Article.objects.exists() and not Block.objects.exists()


@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/editor/checks/"])
def test_the_preview_and_checks_answer_a_text_too_slow_with_400(monkeypatch, staff_client, path):
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0)

    response = staff_client.post(path, {"content": "Words."})

    assert response.status_code == 400
    assert TOO_SLOW in response.content.decode()


def test_load_content_names_the_file_and_the_body(write_article, content_dir):
    write_article("deep", body=DEEP_BODY)

    with pytest.raises(ContentError) as refused:
        load_content(content_dir)

    assert refused.value.problems == [f"{content_dir / 'deep.md'}: body: {TOO_DEEP}"]


def test_the_live_preview_answers_400_with_the_reason(staff_client):
    response = staff_client.post("/markdownx/markdownify/", {"content": DEEP_BODY})

    assert response.status_code == 400
    assert response.content.decode() == TOO_DEEP


def test_the_writing_checks_answer_400_with_the_reason(staff_client):
    response = staff_client.post("/editor/checks/", {"content": "[" * (LIMIT + 1)})

    assert response.status_code == 400
    assert response.json() == {
        "content": [
            "The text is 50,001 characters long. An article can have at most 50,000: split it "
            "into two articles."
        ]
    }


@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/editor/checks/"])
def test_the_preview_and_checks_stay_quick_on_the_worst_text(staff_client, path):
    started = time.thread_time()
    response = staff_client.post(path, {"content": blocks("[a](")})

    assert response.status_code in (200, 400)
    assert time.thread_time() - started < SECONDS


def test_an_undescribed_picture_check_is_quick_on_a_flood_of_spaces(make_article):
    started = time.monotonic()
    article = Article(body="![" + " " * 100_000, status=Article.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        article.full_clean()

    assert time.monotonic() - started < SECONDS


def test_a_refused_preview_says_why_and_a_missing_text_is_a_400(staff_client):
    refused = staff_client.post("/markdownx/markdownify/", {"content": "[" * 60_000})
    missing = staff_client.post("/markdownx/markdownify/", {})

    assert refused.status_code == 400
    assert "50,000" in refused.content.decode()
    assert missing.status_code == 400


@pytest.mark.parametrize("action", ["unpublish", "mark_reviewed_today", "publish"])
def test_an_action_on_a_stored_text_that_no_longer_renders_names_it_instead_of_failing(
    staff_client, make_article, action
):
    """A text stored before today's limits (here: written straight to the database) meets the
    rules again when an action saves it, and is left as it was."""
    article = make_article("too-long", title="Too long")
    Article.objects.filter(pk=article.pk).update(body="Word " * (limits.MAX_BODY_CHARACTERS // 4))

    response = staff_client.post(
        "/admin/articles/article/",
        {"action": action, "_selected_action": [article.pk]},
        follow=True,
    )

    refusal = [str(m) for m in response.context["messages"]][-1]
    assert response.status_code == 200
    assert refusal.split(". Too long: ")[1] == (
        "The text is 62,501 characters long. An article can have at most 50,000: split it into "
        "two articles."
    )
    fresh = Article.objects.get(pk=article.pk)
    assert (fresh.status, fresh.reviewed) == (article.status, article.reviewed)
