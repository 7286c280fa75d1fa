"""The one renderer: what markdown becomes, and what hostile input cannot become."""

from html.parser import HTMLParser

import pytest

from articles import renderlimits as limits
from articles.markdown import RenderError, markdownify, render, sanitise
from articles.models import Block


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


# Pictures only from this site; links to other sites are plainly external.


@pytest.mark.parametrize(
    "address",
    [
        "https://elsewhere.example/pixel.png",
        "http://elsewhere.example/pixel.png",
        "//elsewhere.example/pixel.png",
        "/\\elsewhere.example/pixel.png",
        "HTTPS://elsewhere.example/pixel.png",
        "pixel.png",
        "../media/pixel.png",
    ],
)
def test_a_picture_from_anywhere_but_this_site_is_left_out(address):
    rendered = render(f"Before ![A pixel]({address}) after.")

    assert rendered.html == "<p>Before  after.</p>"
    assert rendered.offsite_pictures == [(address, "A pixel")]


def test_a_picture_from_another_site_by_reference_is_left_out_too():
    rendered = render("See ![map][m].\n\n[m]: https://elsewhere.example/map.png\n")

    assert "<img" not in rendered.html
    assert rendered.offsite_pictures == [("https://elsewhere.example/map.png", "map")]


def test_a_picture_on_this_site_is_kept():
    rendered = render("![A body map](/media/uploads/map.png)")

    assert rendered.html == (
        '<p><img alt="A body map" loading="lazy" src="/media/uploads/map.png"></p>'
    )
    assert rendered.offsite_pictures == []


def test_a_block_follows_the_same_rule(db):
    Block.objects.create(
        name="pixel", title="Pixel", body="![x](https://elsewhere.example/p.png)\n\nShared."
    )

    html = render("Intro.\n\n[[block:pixel]]\n").html

    assert html == "<p>Intro.</p>\n\n<p>Shared.</p>"


@pytest.mark.parametrize(
    ("link", "address"),
    [
        ("//evil.example/", "https://evil.example/"),
        ("/\\evil.example/page", "https://evil.example/page"),
        ("\\\\\\\\evil.example/page", "https://evil.example/page"),
    ],
)
def test_a_link_without_a_scheme_to_another_site_is_an_external_https_link(link, address):
    html = render(f"[x]({link})").html

    assert html == f'<p><a href="{address}" rel="noopener noreferrer">x</a></p>'


def test_backslashes_do_not_hide_another_site():
    rendered = render("![x](\\/\\/elsewhere.example/p.png) [y](\\/\\/elsewhere.example/)")

    assert rendered.html == (
        '<p> <a href="https://elsewhere.example/" rel="noopener noreferrer">y</a></p>'
    )
    assert rendered.offsite_pictures == [("\\/\\/elsewhere.example/p.png", "x")]


def test_the_writing_checks_say_a_picture_from_another_site_is_not_shown(staff_client):
    response = staff_client.post(
        "/editor/checks/",
        {"content": "Some words here.\n\n![Our clinic](https://elsewhere.example/clinic.jpg)\n"},
    )

    assert (
        "The picture “Our clinic” (https://elsewhere.example/clinic.jpg) is on another site, "
        "so patients will not see it: their browser would ask that site for it. Add it with "
        "“Add a picture…” instead."
    ) in response.json()["warnings"]


def test_a_heading_with_an_ampersand_reads_the_same_in_the_contents_box(client, make_article):
    make_article(
        "risks",
        body="## Risks & benefits\n\nText.\n\n## Before\n\nText.\n\n## During\n\nText.\n\n"
        "## After <a day>\n\nText.\n",
    )

    html = client.get("/articles/risks/").content.decode()

    assert '<li><a href="#risks-benefits">Risks &amp; benefits</a></li>' in html
    assert '<li><a href="#after-a-day">After &lt;a day&gt;</a></li>' in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html


def test_the_contents_hold_plain_text():
    toc = render('## Risks & benefits\n\n## 5 > 3 "quoted" *and* `code`\n').toc

    assert [item["name"] for item in toc] == ["Risks & benefits", '5 > 3 "quoted" and code']


def test_a_single_footnote_number_has_no_comma_before_it():
    html = render("Sore for three days.[^a] Then fine.\n\n[^a]: A.\n").html
    assert (
        '<p>Sore for three days.<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a>'
        "</sup> Then fine.</p>"
    ) in html


def test_a_comma_comes_only_between_footnote_numbers_side_by_side():
    html = render(
        "Bruising is common.[^a][^b] It fades.[^c] So does aching.\n\n[^a]: A.\n[^b]: B.\n[^c]: C.\n"
    ).html
    assert (
        '<p>Bruising is common.<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup>'
        '<sup id="fnref:b">,<a class="footnote-ref" href="#fn:b">2</a></sup> It fades.'
        '<sup id="fnref:c"><a class="footnote-ref" href="#fn:c">3</a></sup> So does aching.</p>'
    ) in html


def test_back_links_from_references_say_where_they_go():
    html = render("One.[^a] Two.[^b] Again.[^a]\n\n[^a]: Author A.\n[^b]: Author B.\n").html
    assert (
        '<a class="footnote-backref" href="#fnref:a">Back to text (1)</a> '
        '<a class="footnote-backref" href="#fnref2:a">Back to text (2)</a>'
    ) in html
    assert '<a class="footnote-backref" href="#fnref:b">Back to text</a>' in html
    assert "↩" not in html


def test_tables_are_captioned_with_their_section_heading():
    html = render("## A quick comparison\n\n| A | B |\n|---|---|\n| 1 | 2 |\n").html
    assert (
        '<div aria-label="Table (scroll sideways to see all of it)" class="table-wrap" '
        'role="region" tabindex="0"><table>\n<caption>A quick comparison</caption><thead>'
    ) in html


@pytest.mark.django_db
def test_one_text_leaves_nothing_behind_for_the_next():
    """Each thread converts every text with the same Markdown, reset in between."""
    first = render(
        "## First\n\nA claim.[^only-here]\n\n![map](https://elsewhere.example/map.png)\n\n"
        "[^only-here]: A source only the first text gives.\n"
    )
    second = render("## Second\n\nA claim citing the same name.[^only-here]\n")

    assert first.offsite_pictures == [("https://elsewhere.example/map.png", "map")]
    assert "A source only the first text gives." in first.html
    assert second.html == (
        '<h2 id="second">Second</h2>\n<p>A claim citing the same name.[^only-here]</p>'
    )
    assert second.offsite_pictures == []
    assert second.toc == [{"id": "second", "name": "Second"}]


def test_a_text_refused_half_way_leaves_the_next_one_whole():
    with pytest.raises(RenderError):
        render("> " * 40 + "Too deep.")

    assert render("- one\n- two\n").html == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


def test_each_text_has_its_own_time(monkeypatch):
    """The time allowed runs from the start of each text, not from the first one a thread
    converted."""
    render("Converted at the start.")
    # A thread that has used a great deal of processor time since.
    monkeypatch.setattr(limits.time, "thread_time", lambda: 1e9)
    monkeypatch.setattr(limits, "RENDER_SECONDS", 1.0)

    assert render("Converted much later.").html == "<p>Converted much later.</p>"


MARKED_TEXTS = [
    "Plain words only, with no marks at all.",
    "An escaped \\*star\\* and a backslash \\\\ before `code` and ``two `ticks` ``.",
    "A line that ends in two spaces  \nand goes on. Also a\\\nbackslash break.",
    "Entities: &amp; &#169; &#xA9; & a lone ampersand; &notanentity",
    "Links: <https://www.nhs.uk/>, <someone@example.org>, <not a link>, [text](/a/ 'title').",
    "A reference [link][ref], a [short one], ![a picture][pic] and ![alt](/media/x.png).\n\n"
    "[ref]: https://example.org/\n[short one]: /b/\n[pic]: /media/p.png",
    "Emphasis: *one*, **two**, ***three***, _under_, __double__, snake_case_name, 2*3*4, * a *",
    "A footnote.[^a] Another[^missing] and [^a] again.\n\n[^a]: The note, with *emphasis*.",
    "Brackets [[block:left-as-is]] [unclosed ( ] ) ![ !] ]][[ and <b>html</b> <!-- comment -->",
    "- a list with *marks* and [a link](https://example.org/)\n- `code` &amp; <x@y.z>\n",
    "> A quote with **bold** and a break  \n> carried on.",
]


@pytest.mark.django_db
def test_passing_over_unmarked_text_changes_no_page(shipped_content):
    """The inline step that skips text without a pattern's marks makes exactly the page that
    Python-Markdown's own inline step makes."""
    from markdown.treeprocessors import InlineProcessor

    from articles import markdown as renderer

    texts = MARKED_TEXTS + [
        path.read_text(encoding="utf-8").split("---\n", 2)[2]
        for path in sorted(shipped_content.rglob("*.md"))
    ]
    for text in texts:
        source = renderer._expanded(text)
        marked = renderer._new_markdown()
        plain = renderer._new_markdown()
        plain.treeprocessors.register(InlineProcessor(plain), "inline", 20)
        assert type(marked.treeprocessors["inline"]).__name__ == "_MarkedInlineProcessor"
        assert marked.convert(source) == plain.convert(source), text[:60]
