"""The articles shipped in content/ load cleanly, every page renders, and the text keeps the
promises the evidence sheet asks of it: easy to read, no overclaims, no review it has not had."""

import html
import re

import pytest
import yaml
from django.utils.html import escape

from articles import markdown
from articles.importers import load_content
from articles.models import Article, Block
from articles.writing import MAX_SMOG, PLAIN_LANGUAGE_CHECKS, check_writing
from tests.copied_text import copied_runs, known_hashes

pytestmark = pytest.mark.django_db
MAX_AVERAGE_SENTENCE = 18
MIN_AVERAGE_SENTENCE = 12
MAX_SHORT_SHARE = 0.2

MAX_READING_GRADE = 8

# Wording the evidence sheet rules out, whatever page or block it turns up in.
BANNED = {
    "This page explains": re.compile(r"this page explains", re.I),
    "up to two days": re.compile(r"up to two days", re.I),
    "Authors not recorded": re.compile(r"authors not recorded", re.I),
    "(no date)": re.compile(r"\(no date\)", re.I),
    "low to moderate (without 'very')": re.compile(r"(?<!very )\blow[- ]+to[- ]+moderate", re.I),
    "limited evidence": re.compile(r"limited evidence", re.I),
    "Next in the guide": re.compile(r"next in the guide", re.I),
    # Chest pain or breathlessness is a 999 or A&E matter, never a lower level of care.
    "urgent care": re.compile(r"urgent care", re.I),
    "a softened serious-risk figure": re.compile(
        r"not all of them serious|(does not|doesn't) always mean serious", re.I
    ),
}
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def banned_in(text: str) -> list[str]:
    return [name for name, pattern in BANNED.items() if pattern.search(text)]


def shipped_files(folder) -> list:
    return sorted(folder.rglob("*.md")) + sorted(folder.glob("*.yaml"))


def test_shipped_content_loads_and_every_article_page_renders(client, shipped_content):
    report = load_content(shipped_content)

    assert report.created
    assert report.counts().endswith("updated 0, unchanged 0, kept 0")
    for article in Article.objects.published():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, article.slug
        assert f"<h1>{escape(article.title)}</h1>" in response.content.decode()
    assert load_content(shipped_content).counts() == (
        f"created 0, updated 0, unchanged {len(report.created)}, kept 0"
    )


def test_shipped_guide_is_in_reading_order(shipped, client, shipped_content):
    guide = client.get("/").context["guide"]

    assert [a.order for a in guide] == sorted(a.order for a in guide)
    assert len(guide) == Article.objects.published().filter(order__isnull=False).count()


def test_every_shipped_article_reads_at_grade_8_or_below(shipped, shipped_content):
    articles = list(Article.objects.published())
    assert articles
    for article in articles:
        assert article.readability_grade is not None, article.slug
        assert article.readability_grade <= MAX_READING_GRADE, (
            article.slug,
            article.readability_grade,
        )


def test_no_shipped_page_uses_wording_the_evidence_rules_out(shipped, shipped_content):
    for article in Article.objects.published():
        # The page as patients read it: blocks put in place and the reference list added.
        shown = html.unescape(re.sub(r"<[^>]+>", " ", article.body_html))
        assert banned_in(shown) == [], article.slug
    # Blocks and references that no page uses yet are held to the same bar.
    for path in shipped_files(shipped_content):
        assert banned_in(path.read_text(encoding="utf-8")) == [], path.name


def test_no_shipped_article_claims_a_review_it_has_not_had(shipped, shipped_content):
    for path in sorted(shipped_content.glob("*.md")):
        front = yaml.safe_load(FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1))
        assert "reviewer" not in front, path.name
        assert not [key for key in front if "sign" in key], path.name
    for article in Article.objects.published():
        assert not article.reviewer, article.slug


def test_every_block_and_citation_in_the_shipped_articles_is_filled_in(shipped, shipped_content):
    # The loader refuses a block or a source that does not exist, so loading it all is the test;
    # what is left to check is that the pages show them filled in.
    for article in Article.objects.published():
        assert "[[block:" not in article.body_html, article.slug
        assert "[^" not in article.body_html, article.slug
        cited = re.findall(r'<a class="footnote-ref" href="#fn:([^"]+)"', article.body_html)
        assert cited, article.slug
        for key in cited:
            assert f'id="fn:{key}"' in article.body_html, (article.slug, key)


def test_every_shipped_article_passes_the_editors_writing_checks(shipped):
    for article in shipped:
        report = check_writing(article.body)
        # The checks that keep the text numerate and plain are held by the test below.
        older = [
            warning
            for name, warnings in report.by_check.items()
            if name not in PLAIN_LANGUAGE_CHECKS
            for warning in warnings
        ]

        assert older == [], article.slug
        assert MIN_AVERAGE_SENTENCE <= report.average_sentence_words <= MAX_AVERAGE_SENTENCE, (
            article.slug,
            report.average_sentence_words,
        )
        assert report.short_sentence_share <= MAX_SHORT_SHARE, (
            article.slug,
            report.short_sentence_share,
        )


def test_every_shipped_article_is_numerate_and_plain(shipped):
    """Each page as patients read it, its blocks in place: a SMOG grade of 9 or below, a reading
    grade of 8 or below, no percentages or decimals, no "rare" or "common" without the number,
    and none of the words of content/plain-words.yaml."""
    problems = {}
    for article in shipped:
        report = check_writing(article.body, article.rendered())
        assert (report.grade, report.smog) == (article.readability_grade, article.smog_grade)
        found = [f"reading grade {report.grade}, SMOG {report.smog}"]
        found += [w for name in PLAIN_LANGUAGE_CHECKS for w in report.by_check.get(name, [])]
        if report.grade is not None and report.grade > MAX_READING_GRADE:
            found.append(f"The reading grade is over {MAX_READING_GRADE}.")
        if report.smog is None:
            found.append("There is no SMOG grade: the text has fewer than three sentences.")
        if len(found) > 1 or report.smog > MAX_SMOG:
            problems[article.slug] = found

    assert not problems, "\n".join(
        f"{slug}:\n  " + "\n  ".join(found) for slug, found in problems.items()
    )


def test_no_shipped_article_or_block_copies_the_old_marketing_pages(shipped):
    """No run of eight words patients read (title, summary, text with its blocks, picture
    description; each block on its own too) is one of the clinic's old marketing pages'; see
    tests/copied_text.py."""
    hashes = known_hashes()
    texts = {
        f"article {article.slug}": " \n ".join(
            [article.title, article.summary, article.rendered().text, article.image_alt]
        )
        for article in Article.objects.all()
    }
    texts |= {f"block {b.name}": markdown.render(b.body).text for b in Block.objects.all()}
    assert len(texts) >= len(shipped) + 6

    copied = {name: copied_runs(text, hashes) for name, text in texts.items()}

    assert {name: found for name, found in copied.items() if found} == {}
