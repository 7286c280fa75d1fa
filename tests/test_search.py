"""/search/: finds articles by words in the title, summary or body, best matches first."""

import pytest

from articles.search import clean_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(make_article):
    make_article("bruising", title="Bruising after needling", summary="Marks on the skin.")
    make_article("aftercare", title="Aftercare", summary="What to do about bruising at home.")
    make_article("feel", title="What it feels like", body="A little bruising is common.")
    make_article("other", title="Other", body="Nothing relevant here.")
    make_article("draft", title="Bruising draft", status="draft")


def test_search_ranks_title_then_summary_then_body(client, articles):
    response = client.get("/search/", {"q": "bruising"})

    assert [a.slug for a in response.context["results"]] == ["bruising", "aftercare", "feel"]
    assert "3 articles found for “bruising”" in response.content.decode()


def test_search_is_case_insensitive_and_uses_every_word(client, articles):
    response = client.get("/search/", {"q": "SKIN Relevant"})

    assert [a.slug for a in response.context["results"]] == ["bruising", "other"]


def test_search_says_plainly_when_nothing_matched(client, articles):
    response = client.get("/search/", {"q": "xylophone"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No articles found for “xylophone”" in html
    assert "Try a different or simpler word" in html


def test_empty_search_shows_just_the_form(client, articles):
    html = client.get("/search/", {"q": "   "}).content.decode()

    assert '<input id="search-q" type="search" name="q" value=""' in html
    assert "found for" not in html


@pytest.mark.parametrize(
    "query",
    ["%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "a" * 5000, "\x00", "ñandú 😀"],
)
def test_odd_search_input_never_breaks_the_page(client, articles, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_postgresql_finds_other_forms_of_a_word_and_sqlite_plain_words(client, make_article):
    from django.db import connection

    make_article("needling", title="Needling", body="Dry needling uses a thin needle.")
    make_article("stretches", title="Stretches", body="Gentle stretching helps.")

    found = [a.slug for a in client.get("/search/", {"q": "needles stretch"}).context["results"]]

    # Full-text search stems words ("needles" and "needling" share a stem); plain word matching
    # finds only the letters typed ("stretch" inside "Stretches").
    assert found == (
        ["needling", "stretches"] if connection.vendor == "postgresql" else ["stretches"]
    )


# Whatever a visitor types, the page answers: the query is cleaned once, in articles/search.py.
HOSTILE_QUERIES = {
    "nul inside a word": "pain\x00x",
    "only a nul": "\x00",
    "nul at the end": "bruising\x00",
    "escape sequence": "\x1b[31mbruising",
    "delete and c1 controls": "bru\x7fising \x85 \x9b",
    "right-to-left marks": "\u202ebruising\u200f \u200e",
    "zero-width and byte order marks": "bru\u200bising\ufeff",
    "100,000 characters": "bruising " * 11_111,
    "one 100,000-character word": "a" * 100_000,
    "only punctuation": "!!! ??? ... ---",
    "percent and underscore": "% _ %% __ 5%",
    "quotes and operators": "'bruising' & | ! <-> :* (",
    "backslashes": "\\ \\\\ \\x00",
    "unicode": "ñandú 😀 出血 خون",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_no_query_a_visitor_types_breaks_the_page(client, articles, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "cleaned"),
    [
        ("pain\x00x", "pain x"),
        ("\x1b[31mbruising", "[31mbruising"),
        ("\u202ebruising\u200f", "bruising"),
        ("bru\u200bising", "bruising"),
        ("  many   spaces\t\nand\r\nlines ", "many spaces and lines"),
        ("a" * 500, "a" * 200),
    ],
)
def test_a_query_is_cleaned_of_control_characters_and_cut_to_length(query, cleaned):
    assert clean_query(query) == cleaned


@pytest.mark.parametrize(
    "raw", ["%00", "pain%00x", "%ED%A0%80", "%FF%FE", "bruising%C0%80", "%E2%80%AE%00%1B"]
)
def test_bytes_that_are_not_text_never_break_the_page(client, articles, raw):
    assert client.get(f"/search/?q={raw}").status_code == 200


def test_a_query_with_a_nul_still_finds_its_words(client, articles):
    response = client.get("/search/", {"q": "bruising\x00"})

    assert [a.slug for a in response.context["results"]] == ["bruising", "aftercare", "feel"]


def test_a_search_matching_many_articles_shows_the_best_twenty(client, make_article):
    for number in range(25):
        make_article(f"page-{number:02d}", title=f"Page {number}", body="About needling.")

    response = client.get("/search/", {"q": "needling"})

    assert len(response.context["results"]) == 20
    assert "25 articles found for “needling”: the best 20" in response.content.decode()
