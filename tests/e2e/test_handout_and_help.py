"""Help comes first on an article page, and a printed article is a handout that fits: checked in
Chromium at phone and desktop widths, and in the PDF that Chromium prints."""

import io

import pytest
from pypdf import PdfReader

from articles.models import Article, ClinicDetails

WIDTHS = [375, 1280]
PHONE = "01234 567 890"
SHIPPED = [
    "what-is-dry-needling",
    "dry-needling-vs-acupuncture",
    "how-dry-needling-works",
    "conditions-treated",
    "what-it-feels-like",
    "safety-and-side-effects",
    "aftercare",
    "your-first-appointment",
]


@pytest.fixture
def clinic_site(site) -> str:
    """The live site with a clinic's real-looking details (a longer address and opening hours
    than the placeholders, so the printed end of a page is as long as a clinic's will be)."""
    ClinicDetails(
        name="Riverside Physiotherapy Clinic",
        phone=PHONE,
        email="hello@riverside.example.org",
        address="Riverside Physiotherapy Clinic\n1 High Street\nRiverside RS1 2AB",
        opening_hours="Monday to Friday, 8am to 6pm\nSaturday, 9am to 1pm",
        booking_url="https://book.example.org/riverside",
    ).save()
    return site


def printed(page, site: str, slug: str) -> list[str]:
    """The text of each A4 page Chromium prints of the article, as pypdf reads it."""
    page.goto(f"{site}/articles/{slug}/")
    pdf = page.pdf(format="A4", print_background=True)
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_help_boxes_offer_the_clinic_number_as_a_link_to_call(clinic_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(clinic_site + "/articles/aftercare/")

    in_text = page.locator(".admonition.note", has_text="Contact the clinic if you have")
    in_contact_box = page.locator("section.contact")
    for box in (in_text, in_contact_box):
        link = box.get_by_role("link", name=PHONE)
        assert link.get_attribute("href") == "tel:01234567890"
        link.scroll_into_view_if_needed()
        assert link.is_visible()
    assert in_contact_box.get_by_role("heading").inner_text() == (
        "Contact Riverside Physiotherapy Clinic"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_text_comes_first_and_the_review_line_after_it(clinic_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for slug in SHIPPED:
        page.goto(f"{clinic_site}/articles/{slug}/")
        found = page.evaluate(
            """() => {
              const q = s => document.querySelector(s);
              const prose = q('.prose'), review = q('.review'), lead = q('.lead');
              const top = el => el.getBoundingClientRect().top + scrollY;
              const bottom = el => el.getBoundingClientRect().bottom + scrollY;
              const next = lead.parentElement.nextElementSibling;
              return {
                reviewFollowsText: !!(prose.compareDocumentPosition(review)
                  & Node.DOCUMENT_POSITION_FOLLOWING),
                reviewBelowText: top(review) >= bottom(prose),
                reviewBelowNotice: top(review) >= bottom(q('.notice')),
                afterHeader: next.matches('.toc') ? 'contents' : next.className,
                metaLines: Math.round(q('.article-meta').getBoundingClientRect().height
                  / parseFloat(getComputedStyle(q('.article-meta')).lineHeight)),
                metaSmaller: parseFloat(getComputedStyle(q('.article-meta')).fontSize)
                  < parseFloat(getComputedStyle(q('.prose p')).fontSize),
                datesBeforeText: [...document.querySelectorAll('main time')]
                  .filter(t => top(t) < top(prose)).length,
              };
            }"""
        )
        assert found == {
            "reviewFollowsText": True,
            "reviewBelowText": True,
            "reviewBelowNotice": True,
            "afterHeader": "contents" if page.locator("nav.toc").count() else "prose",
            "metaLines": 1,
            "metaSmaller": True,
            "datesBeforeText": 0,
        }, slug
    # One line: what the eye sees, and what a screen reader says (the dot is not read out).
    seen, heard = page.evaluate(
        """() => {
          const meta = document.querySelector('.article-meta');
          const text = (skip) => [...meta.childNodes].map(node =>
            node.nodeType === Node.TEXT_NODE ? node.textContent
              : node.matches(skip) ? '' : node.textContent).join('');
          return [text('.visually-hidden'), text('[aria-hidden="true"]')];
        }"""
    )
    assert seen == "Guide, part 8 · About 9 minutes to read"
    assert heard == "Guide, part 8. About 9 minutes to read"
    assert (
        page.locator(".review")
        .inner_text()
        .startswith(
            "Clinical review\nNot yet reviewed by a clinician at this clinic. This page was written "
            "from published research."
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_aftercare_shows_when_to_get_help_before_what_is_normal(clinic_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(clinic_site + "/articles/aftercare/")

    urgent = page.locator(".admonition.danger")
    normal = page.locator("#what-is-normal")
    assert urgent.bounding_box()["y"] < normal.bounding_box()["y"]
    assert urgent.locator(".admonition-title").inner_text() == (
        "Call 999 or go to A&E now if you have:"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_aftercare_prints_on_two_pages_with_help_on_the_first(clinic_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sheets = [flat(text) for text in printed(page, clinic_site, "aftercare")]

    assert len(sheets) <= 2
    first = sheets[0]
    assert "Urgent: Call 999 or go to A&E now if you have:" in first
    assert "Chest pain, or breathlessness that comes on suddenly." in first
    assert f"Questions or worries? Call Riverside Physiotherapy Clinic on {PHONE}." in first
    assert f"Call Riverside Physiotherapy Clinic on {PHONE}." in first
    assert first.index("Looking after yourself after dry needling") < first.index("Urgent:")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_article_prints_on_at_most_three_pages_ending_with_where_it_came_from(
    clinic_site, page, width
):
    page.set_viewport_size({"width": width, "height": 900})
    assert sorted(a.slug for a in Article.objects.published()) == sorted(SHIPPED)
    counts = {}
    for slug in SHIPPED:
        sheets = [flat(text) for text in printed(page, clinic_site, slug)]
        counts[slug] = len(sheets)
        whole = " ".join(sheets)

        # The address may wrap at a hyphen, so it is compared without spaces.
        last = "".join(sheets[-1].split())
        assert f"Printedfromhttp://127.0.0.1:8000/articles/{slug}/(scanthecode" in last, slug
        assert all("Printed from" not in sheet for sheet in sheets[:-1]), slug
        assert "Not yet reviewed by a clinician at this clinic" in sheets[-1], slug
        assert f"Phone {PHONE}" in whole, slug
        for web_only in ("to read", "Guide, part", "Reading time", "On this page"):
            assert web_only not in whole, (slug, web_only)
        for web_only in ("Was this page helpful?", "Related articles", "Get new articles"):
            assert web_only not in whole, (slug, web_only)
        # References in short form: no web addresses.
        assert "References" in whole and "pubmed.ncbi.nlm.nih.gov" not in whole, slug

    assert max(counts.values()) <= 3, counts


def test_printed_page_ends_with_the_qr_code_and_hides_the_web_parts(clinic_site, page):
    page.goto(clinic_site + "/articles/aftercare/")
    page.emulate_media(media="print")

    found = page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const handout = document.querySelector('.handout');
          const shown = el => el.getClientRects().length > 0
            && getComputedStyle(el).visibility !== 'hidden';
          const seen = [...main.querySelectorAll('*')].filter(shown);
          const lowest = Math.max(...seen.filter(el => !handout.contains(el)
            && !el.closest('.contact, .notice')).map(el => el.getBoundingClientRect().bottom));
          return {
            last: main.lastElementChild === handout,
            qrShown: shown(handout.querySelector('svg.qr-code')),
            belowEverythingElse: handout.getBoundingClientRect().top >= lowest,
            hidden: ['.article-meta', '.review', '.toc', '.pager', '.related', '.feedback',
                     '.site-header nav', '.site-footer', '.footnote-backref']
              .filter(s => [...document.querySelectorAll(s)].some(shown)),
            bodyFont: getComputedStyle(document.body).fontSize,
            referencesFont: getComputedStyle(document.querySelector('.footnote')).fontSize,
            boxesKeptWhole: [...document.querySelectorAll('.admonition')]
              .every(box => getComputedStyle(box).breakInside === 'avoid'),
          };
        }"""
    )

    assert found == {
        "last": True,
        "qrShown": True,
        "belowEverythingElse": True,
        "hidden": [],
        "bodyFont": "14px",
        "referencesFont": "10px",
        "boxesKeptWhole": True,
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_body_map_labels_are_at_least_16_pixels(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", "/articles/conditions-treated/"):
        page.goto(site + path)
        labels = page.evaluate(
            """() => {
              const svg = document.querySelector('figure.figure-body-map svg');
              const box = svg.getBoundingClientRect();
              const scale = box.width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('text')].map(text => {
                const r = text.getBoundingClientRect();
                return {
                  name: text.textContent,
                  px: parseFloat(getComputedStyle(text).fontSize) * scale,
                  inside: r.left >= box.left && r.right <= box.right
                    && r.top >= box.top && r.bottom <= box.bottom,
                  rect: [r.left, r.top, r.right, r.bottom],
                };
              });
            }"""
        )

        assert len(labels) == 8, path
        for label in labels:
            assert label["px"] >= 16, (path, label)
            assert label["inside"], (path, label)
        for index, one in enumerate(labels):
            for other in labels[index + 1 :]:
                a, b = one["rect"], other["rect"]
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                assert not overlap, (path, one["name"], other["name"])
