"""How an article's parts look on a phone and a desktop: footnote numbers, the contents box,
tables, the references' ways back, and nothing wider than the screen."""

import io

import pytest
from PIL import Image

from articles.models import Article

from .conftest import axe_violations

WIDTHS = [375, 1280]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_comma_shows_only_between_footnote_numbers_side_by_side(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/articles/what-it-feels-like/")
    paragraph = page.locator(".prose p", has_text="in about 3 to 6 in every 100 treatments")

    text = paragraph.inner_text()

    assert "treatments.1,2 Feeling sore" in text
    assert text.endswith("which is three days.3")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_footnote_number_on_any_article_has_a_stray_comma(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for article in Article.objects.published():
        page.goto(site + article.get_absolute_url())
        stray = page.evaluate(
            """() => [...document.querySelectorAll('sup:has(> a.footnote-ref)')].filter(sup => {
                const before = sup.previousSibling;
                const besideAnother = before && before.nodeType === 1
                    && before.matches('sup:has(> a.footnote-ref)');
                // A comma drawn by the stylesheet would not be in the text: there must be none.
                const drawn = getComputedStyle(sup, '::before').content !== 'none';
                return drawn || sup.innerText.startsWith(',') !== Boolean(besideAnother);
            }).map(sup => sup.parentElement.innerText.slice(0, 80))"""
        )
        assert stray == [], article.slug


def _dark_rows(png: bytes) -> list[int]:
    """The rows of a screenshot with any dark (text) pixel in them."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    width, height = picture.size
    pixels = picture.load()
    return [y for y in range(height) if any(pixels[x, y] < 128 for x in range(width))]


@pytest.mark.parametrize("width", WIDTHS)
def test_contents_numbers_sit_on_the_first_line_of_each_entry(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/articles/safety-and-side-effects/")
    # Narrow the box so that every entry wraps, whatever the screen.
    page.evaluate("document.querySelector('.toc').style.width = '9rem'")
    entries = page.locator(".toc li")
    assert entries.count() >= 4

    for n in range(entries.count()):
        entry = entries.nth(n)
        entry.scroll_into_view_if_needed()
        lines = entry.locator("a").evaluate(
            """link => { const range = document.createRange(); range.selectNodeContents(link);
                return [...range.getClientRects()].map(r => ({top: r.top, bottom: r.bottom})); }"""
        )
        tops = sorted({round(line["top"]) for line in lines})
        assert len(tops) >= 2, f"entry {n + 1} should wrap"
        box = entry.bounding_box()
        # The number is drawn in the space to the left of the entry's text.
        marker = page.screenshot(
            clip={"x": box["x"] - 22, "y": box["y"], "width": 20, "height": box["height"]}
        )
        rows = _dark_rows(marker)
        assert rows, f"entry {n + 1} has no number"
        first_line = min(lines, key=lambda line: line["top"])
        number_top = box["y"] + rows[0]
        number_bottom = box["y"] + rows[-1]
        assert first_line["top"] - 1 <= number_top, n + 1
        assert number_bottom <= first_line["bottom"] + 1, n + 1


@pytest.mark.parametrize("width", WIDTHS)
def test_a_wide_table_scrolls_in_its_own_captioned_box(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/articles/dry-needling-vs-acupuncture/")
    region = page.get_by_role("region", name="Table (scroll sideways to see all of it)")

    assert region.locator("caption").inner_text() == "A quick comparison"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    fits = region.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits == (width == 1280)
    assert region.evaluate("box => getComputedStyle(box).overflowX") == "auto"


def test_nothing_on_any_article_is_wider_than_a_320_pixel_screen(site, page):
    page.set_viewport_size({"width": 320, "height": 640})
    wider = {}
    for article in Article.objects.published():
        page.goto(site + article.get_absolute_url())
        sizes = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if sizes[0] > sizes[1]:
            wider[article.slug] = sizes

    assert wider == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_references_link_back_to_the_text_in_words(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/articles/what-it-feels-like/")
    back = page.locator(".footnote a.footnote-backref")

    assert back.count() >= 1
    names = [link.evaluate("a => a.textContent") for link in back.all()]
    assert all(name == "Back to text" or name.startswith("Back to text (") for name in names)
    first = back.first
    assert first.is_visible()
    assert first.bounding_box()["width"] > 60
    assert axe_violations(page) == []

    first.click()
    assert page.evaluate("location.hash").startswith("#fnref")
