"""Every shipped article page carries what a patient needs, for people and for search engines."""

import datetime as dt
import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article, ClinicDetails

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 30 * 1024
READABILITY_TARGET = 9.0


class Outline(HTMLParser):
    """Headings, landmarks, links and JSON-LD of a page, as a screen reader would meet them."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[tuple[str, dict]] = []
        self.ld_json: list[str] = []
        self._in_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.ld_json.append(data)
            self._in_ld = False

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def test_guide_covers_the_topics_patients_ask_about(shipped):
    assert [a.slug for a in shipped] == [
        "what-is-dry-needling",
        "dry-needling-vs-acupuncture",
        "how-dry-needling-works",
        "conditions-treated",
        "what-it-feels-like",
        "safety-and-side-effects",
        "aftercare",
        "your-first-appointment",
    ]


def test_every_article_page_has_the_required_parts(client, shipped):
    for number, article in enumerate(shipped):
        html = client.get(article.get_absolute_url()).content.decode()
        page = Outline(html)
        where = article.slug

        assert page.headings.count(1) == 1, where
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), (
            where
        )
        assert page.find("main", id="main") and page.find("a", href="#main"), where
        assert page.find("nav", **{"aria-label": "Main"}), where
        assert page.find("meta", name="description", content=article.summary), where
        assert "Sources checked" in html and "Next review due" in html, where
        assert article.reviewed.strftime("%-d %B %Y") in html, where
        assert f"by {article.reviewer}" in html, where
        assert f"About {article.reading_minutes} minute" in html, where
        assert '<h2 id="references">References</h2>' in html, where
        assert "General information, not a diagnosis." in html, where
        assert '<h2 id="contact-heading">Contact [Clinic name]</h2>' in html, where
        assert "To book an appointment, please phone the clinic." in html, where
        assert page.find("link", rel="canonical", href=f"http://127.0.0.1:8000/articles/{where}/")
        assert page.find("meta", property="og:title", content=article.title), where
        previous = shipped[number - 1] if number else None
        following = shipped[number + 1] if number + 1 < len(shipped) else None
        assert bool(page.find("a", rel="prev", href=previous and previous.get_absolute_url())) == (
            previous is not None
        ), where
        assert bool(
            page.find("a", rel="next", href=following and following.get_absolute_url())
        ) == (following is not None), where


def test_long_pages_get_a_table_of_contents(client, shipped):
    for article in shipped:
        html = client.get(article.get_absolute_url()).content.decode()
        has_toc = '<h2 id="toc-heading">On this page</h2>' in html
        assert has_toc == (len(article.toc) >= 4), article.slug
        for item in article.toc if has_toc else []:
            assert f'<li><a href="#{item["id"]}">' in html
            assert f'id="{item["id"]}"' in article.body_html


def test_a_shipped_article_claims_no_clinical_review(client, shipped):
    for article in shipped:
        html = client.get(article.get_absolute_url()).content.decode()
        data = json.loads(Outline(html).ld_json[0])

        assert data["@type"] == "MedicalWebPage", article.slug
        assert "lastReviewed" not in data and "reviewedBy" not in data, article.slug
        assert data["url"] == f"http://127.0.0.1:8000/articles/{article.slug}/"
        assert (
            "<dt>Clinical review</dt><dd>Not yet reviewed by a clinician at this clinic. This "
            "page was written from published research.</dd>"
        ) in html


def test_a_signed_off_article_names_its_clinician_on_the_page_and_to_search_engines(
    client, make_article, give_sign_off
):
    article = give_sign_off(make_article("signed-off"), on=dt.date(2026, 11, 2))

    html = client.get(article.get_absolute_url()).content.decode()
    data = json.loads(Outline(html).ld_json[0])

    assert data["lastReviewed"] == "2026-11-02"
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Sam Patel",
        "jobTitle": "Physiotherapist",
    }
    assert (
        "<dt>Clinical review</dt><dd>Signed off by Sam Patel, Physiotherapist (registration number "
        'PH123456), on <time datetime="2026-11-02">2 November 2026</time></dd>'
    ) in html


def test_structured_data_cannot_break_out_of_its_script_block(client, make_article):
    make_article("x", title="</script><script>alert(1)</script>")

    html = client.get("/articles/x/").content.decode()

    assert "</script><script>alert(1)" not in html
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in html


def test_every_shipped_article_reads_easily(shipped):
    for article in shipped:
        assert article.readability_grade is not None
        assert article.readability_grade <= READABILITY_TARGET, (
            article.slug,
            article.readability_grade,
        )


def test_every_shipped_article_cites_references(shipped):
    for article in shipped:
        assert '<div class="footnote">' in article.body_html, article.slug
        assert '<a class="footnote-ref"' in article.body_html, article.slug


def test_links_between_articles_lead_to_real_pages_and_sections(client, shipped):
    pages = {a.get_absolute_url(): a for a in shipped}
    for article in shipped:
        for href in re.findall(r'href="(/articles/[^"#]*)(?:#([^"]*))?"', article.body_html):
            path, anchor = href
            assert path in pages, (article.slug, path)
            if anchor:
                assert f'id="{anchor}"' in pages[path].body_html, (article.slug, anchor)


def test_body_map_links_each_area_to_its_section(client, shipped):
    conditions = Article.objects.get(slug="conditions-treated")
    home = client.get("/").content.decode()

    anchors = [
        a["href"].removeprefix("/articles/conditions-treated/#")
        for a in Outline(home).find("a", **{"class": "area"})
    ]

    assert len(anchors) == 7
    assert len(set(anchors)) == 7
    for anchor in anchors:
        assert f'<h2 id="{anchor}">' in conditions.body_html


def test_page_weight_stays_within_budget(client, shipped):
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_bytes()
    for article in shipped:
        html = client.get(article.get_absolute_url()).content
        total = len(gzip.compress(html)) + len(gzip.compress(css))
        assert total < PAGE_BUDGET_BYTES, (article.slug, total)


def test_page_asks_no_other_host_for_anything(client, shipped):
    for article in shipped:
        page = Outline(client.get(article.get_absolute_url()).content.decode())
        for tag, attrs in page.tags:
            for name in ("src", "srcset"):
                assert not attrs.get(name, "").startswith(("http:", "https:", "//")), (tag, attrs)
            if tag == "link" and attrs.get("rel") in {"stylesheet", "icon", "preload"}:
                assert attrs["href"].startswith("/"), attrs
        scripts = [attrs for tag, attrs in page.tags if tag == "script"]
        assert scripts == [{"type": "application/ld+json"}], article.slug


def test_images_carry_their_size(client, shipped):
    for article in shipped:
        page = Outline(client.get(article.get_absolute_url()).content.decode())
        for image in page.find("img"):
            assert image.get("width") and image.get("height"), (article.slug, image)
            assert image.get("alt") is not None


def test_clinic_details_come_from_the_database(client, shipped):
    ClinicDetails(
        name="Riverside Physio",
        phone="01234 567 890",
        address="1 High Street",
        opening_hours="Mon-Fri 8am-6pm",
        booking_url="https://book.example.org/riverside",
    ).save()

    html = client.get(shipped[0].get_absolute_url()).content.decode()

    assert '<h2 id="contact-heading">Contact Riverside Physio</h2>' in html
    assert '<a href="tel:01234567890">01234 567 890</a>' in html
    assert (
        '<a class="button" href="https://book.example.org/riverside">Book an appointment</a>'
        in html
    )
    assert "Mon-Fri 8am-6pm" in html


def test_printed_page_says_where_it_came_from(client, shipped):
    # What the printed page shows and hides is checked in a real browser (tests/e2e).
    html = client.get("/articles/aftercare/").content.decode()

    assert (
        "Printed from http://127.0.0.1:8000/articles/aftercare/ (scan the code to open it). "
        "Not yet reviewed by a clinician at this clinic: written from published research, "
        "sources checked "
    ) in html
    assert (
        '<svg role="img" width="' in html
        and 'class="qr-code"><title>QR code: http://127.0.0.1:8000/articles/aftercare/</title>'
        in html
    )
    assert (
        '<p class="print-only print-phone">Questions or worries? Call [Clinic name] on '
        "[Clinic phone number].</p>"
    ) in html


def main_content(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_article_text_comes_before_who_checked_it(client, shipped):
    # A worried reader meets the title, the summary and then the text (with its urgent box),
    # and the dates of the review after it, as NHS pages do.
    for article in shipped:
        html = main_content(client.get(article.get_absolute_url()).content.decode())
        where = article.slug

        order = [
            html.index("<h1>"),
            html.index('<p class="lead">'),
            html.index('<div class="prose">'),
            html.index('<h2 id="references">References</h2>'),
            html.index("General information, not a diagnosis."),
            html.index('<dl class="review">'),
            html.index('<section class="contact"'),
            html.index("Printed from "),
        ]
        assert order == sorted(order), where
        assert html.count('<dl class="review">') == 1, where
        assert "<time" not in html[: html.index('<div class="prose">')], where
        assert "Reading time" not in html, where
        if '<div class="admonition danger">' in html:
            assert html.index('<div class="admonition danger">') < html.index('<dl class="review">')


def test_aftercare_starts_with_when_to_get_help(client, shipped):
    html = main_content(client.get("/articles/aftercare/").content.decode())
    prose = html[html.index('<div class="prose">') :]

    headings = re.findall(r'<h2 id="([a-z0-9-]+)">', prose)
    assert headings[:2] == ["when-to-get-help", "what-is-normal"]
    assert prose.index('<div class="admonition danger">') < prose.index('id="what-is-normal"')


def test_guide_part_and_reading_time_share_one_small_line(client, shipped):
    aftercare = Article.objects.get(slug="aftercare")
    html = main_content(client.get("/articles/aftercare/").content.decode())

    line = (
        '<p class="article-meta">Guide, part 7<span aria-hidden="true"> · </span>'
        f'<span class="visually-hidden">. </span>About {aftercare.reading_minutes} minutes to '
        "read</p>"
    )
    assert line in html
    assert html.index(line) < html.index("<h1>")
    assert html.count("Guide, part") == 1
    assert html.count("to read") == 1


def test_an_article_outside_the_guide_shows_only_its_reading_time(client, make_article):
    article = make_article("one-off", body="A few words.")

    html = main_content(client.get(article.get_absolute_url()).content.decode())

    assert '<p class="article-meta">About 1 minute to read</p>' in html
    assert "Guide, part" not in html


def test_a_signed_off_review_line_also_follows_the_text(client, make_article, give_sign_off):
    article = give_sign_off(make_article("signed-off"), on=dt.date(2026, 11, 2))

    html = main_content(client.get(article.get_absolute_url()).content.decode())

    signed = "<dt>Clinical review</dt><dd>Signed off by Sam Patel, Physiotherapist"
    assert html.index('<div class="prose">') < html.index(signed)
    assert html.index("General information, not a diagnosis.") < html.index(signed)
