"""The admin at 1280 px, as clinic staff see it: the article list without sideways scrolling,
wide title and summary boxes, and History and its Compare page readable in the admin's light
and dark colours (the admin follows the computer's setting)."""

import pytest
import reversion
from django.contrib.auth.models import User
from reversion.models import Version

from articles.models import Article

# The contrast of every piece of text against what is drawn behind it, where it is drawn:
# the backgrounds of the elements at that point, top to bottom (so a background that only
# overlaps the text, without being its parent's, counts too), over the page's own.
CONTRASTS = """(root) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const page = parse(getComputedStyle(document.documentElement).backgroundColor);
  const canvas = page[3] ? page : [255, 255, 255, 1];
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const style = getComputedStyle(node.parentElement);
    if (style.visibility === "hidden" || node.parentElement.closest("select")) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width < 1 || rect.height < 1) continue;
      const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
      let behind = canvas;
      for (const el of document.elementsFromPoint(x, y).reverse()) {
        const bg = parse(getComputedStyle(el).backgroundColor);
        if (bg[3] > 0) behind = over(bg, behind);
      }
      const text = over(parse(style.color), behind);
      const [a, b] = [lum(text), lum(behind)].sort((p, q) => q - p);
      found.push({text: node.textContent.trim().slice(0, 50), ratio: Math.round(100 * (a + 0.05) / (b + 0.05)) / 100});
    }
  }
  return found;
}"""


def log_in(site, page):
    User.objects.create_superuser("boss", "boss@clinic.example", "a-long-password-1")
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def staff_page(browser, site, request):
    """A logged-in member of staff's browser at 1280 px, in the colours asked for."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=getattr(request, "param", "light")
    )
    page = context.new_page()
    log_in(site, page)
    yield page
    context.close()


def test_article_list_shows_every_column_without_scrolling_sideways(site, staff_page):
    staff_page.goto(site + "/admin/articles/article/")

    widths = staff_page.evaluate(
        """() => {
          const results = document.querySelector("#changelist .results");
          const titles = [...document.querySelectorAll("#result_list th.field-title")];
          return {
            results: [results.scrollWidth, results.clientWidth],
            page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            columns: document.querySelectorAll("#result_list thead th").length,
            narrowestTitle: Math.min(...titles.map(t => t.getBoundingClientRect().width)),
            rows: titles.length,
          };
        }"""
    )

    assert widths["results"][0] <= widths["results"][1], widths
    assert widths["page"][0] <= widths["page"][1], widths
    assert widths["columns"] == 7  # the tick box and six columns
    assert widths["rows"] == Article.objects.count() > 5
    # A title reads a few words to a line, not one.
    assert widths["narrowestTitle"] >= 180, widths


def test_title_and_summary_boxes_are_at_least_600_px_wide(site, staff_page):
    article = Article.objects.get(slug="aftercare")
    staff_page.goto(site + f"/admin/articles/article/{article.pk}/change/")

    title = staff_page.locator("#id_title").bounding_box()["width"]
    summary = staff_page.locator("#id_summary").bounding_box()["width"]

    assert (title, summary) == (624, 624)


@pytest.mark.parametrize("staff_page", ["light", "dark"], indirect=True)
def test_history_and_compare_text_has_contrast_of_at_least_4_5(site, staff_page):
    article = Article.objects.get(slug="aftercare")
    with reversion.create_revision():
        article.summary = "What is normal after dry needling, and what to do."
        article.save()
    versions = list(Version.objects.get_for_object(article))
    history = site + f"/admin/articles/article/{article.pk}/history/"

    staff_page.goto(history)
    on_history = staff_page.evaluate(CONTRASTS, staff_page.locator("#content").element_handle())
    staff_page.goto(f"{history}compare/?from={versions[1].pk}&to={versions[0].pk}")
    on_compare = staff_page.evaluate(CONTRASTS, staff_page.locator("#content").element_handle())

    texts = [found["text"] for found in on_history + on_compare]
    assert texts[1] == "Choose a date from the list below to revert to a p"
    assert any(text.startswith("+ What is normal after dry needling") for text in texts)
    assert [found for found in on_history + on_compare if found["ratio"] < 4.5] == []
