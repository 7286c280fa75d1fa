"""The one renderer: what markdown becomes, and what hostile input cannot become."""

from html.parser import HTMLParser

import pytest

from articles.markdown import markdownify, render, sanitise


def test_markdown_features_render():
    html = render(
        "## Before you come\n\nText with a claim.[^gattie]\n\n"
        '!!! warning "Get help straight away"\n    Chest pain after needling.\n\n'
        "| Effect | How often |\n|---|---|\n| Bruising | 7.6% |\n\n"
        "[^gattie]: Gattie E et al. (2017).\n"
    ).html
    assert '<h2 id="before-you-come">Before you come</h2>' in html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Get help straight away</p>' in html
    assert '<th scope="col">Effect</th>' in html
    assert (
        '<div aria-label="Table (scroll sideways to see all of it)" class="table-wrap" role="region" tabindex="0"><table>'
        in html
    )
    assert '<sup id="fnref:gattie"><a class="footnote-ref" href="#fn:gattie">1</a></sup>' in html
    assert '<h2 id="references">References</h2>' in html
    assert '<li id="fn:gattie">' in html


def test_table_of_contents_lists_second_level_headings():
    rendered = render("## One\n\ntext\n\n### Detail\n\nmore\n\n## Two\n\nend\n")
    assert rendered.toc == [{"id": "one", "name": "One"}, {"id": "two", "name": "Two"}]


def test_plain_text_leaves_out_references_and_markup():
    rendered = render("A **bold** claim.[^1]\n\n[^1]: Author (2020). Title.\n")
    assert rendered.text == "A bold claim."


def test_unknown_callout_kind_becomes_a_note():
    html = render("!!! shouty\n    Hello\n").html
    assert '<div class="admonition note">' in html


class _Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    return _Elements(html).found


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)></svg>",
        '<p onclick="steal()">Hi</p>',
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(hostile):
    html = render(f"Before.\n\n{hostile}\n\nAfter.\n").html
    assert [tag for tag, _ in elements(html)] == ["p", "p", "p"]
    assert "<p>After.</p>" in html
    assert html.count("&lt;") >= 1


def test_sanitiser_strips_dangerous_markup_the_parser_could_produce():
    html = sanitise(
        '<p onclick="x()">a</p><script>bad()</script><img src="x" onerror="y()">'
        '<a href="javascript:z()">b</a><a href="data:text/html,c">c</a><div class="evil">d</div>'
    )
    assert html == '<p>a</p><img src="x"><a>b</a><a>c</a><div class="">d</div>'


def test_javascript_and_data_links_lose_their_address():
    html = render(
        "[one](javascript:alert(1)) [two](JaVaScRiPt:alert(1)) [three](data:text/html,hi) "
        "![pic](data:image/png;base64,AAAA)"
    ).html
    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "<a>one</a>" in html
    assert "<a>three</a>" in html


def test_unclosed_hostile_block_does_not_swallow_the_rest():
    html = render("<style>\nbody { display: none }\n\n<math>\n\nStill here.\n\n## Later\n").html
    assert "<style" not in html
    assert "<math" not in html
    assert "<p>Still here.</p>" in html
    assert '<h2 id="later">Later</h2>' in html


def test_external_links_get_noopener_and_internal_links_do_not():
    html = render("[out](https://example.org/page) and [in](/articles/aftercare/)").html
    assert '<a href="https://example.org/page" rel="noopener noreferrer">out</a>' in html
    assert '<a href="/articles/aftercare/">in</a>' in html


def test_broken_markdown_still_renders_safely():
    html = render("**unclosed bold\n\n[link without end(\n\n| a |\n|--\n\n!!! \n").html
    assert "unclosed bold" in html
    assert "<script" not in html


def test_markdownx_preview_uses_the_same_renderer():
    text = "## Hi\n\n<script>alert(1)</script>"
    assert markdownify(text) == render(text).html
    assert "<script" not in markdownify(text)
