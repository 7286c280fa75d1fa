"""/search/: finds pages as patients ask, the best first, each leading to the section that
answers; the index it reads is kept current whichever way an article changes."""

import pytest
from django.test import Client

from articles.models import Article, Block, Tag
from articles.searchwords import clean_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(make_article):
    make_article("bruising", title="Bruising after needling", summary="Marks on the skin.")
    make_article("aftercare", title="Aftercare", summary="What to do about bruising at home.")
    make_article("feel", title="What it feels like", body="A little bruising is common.")
    make_article("other", title="Other", body="Nothing relevant here.")
    make_article("draft", title="Bruising draft", status="draft")


def slugs(response) -> list[str]:
    return [result.article.slug for result in response.context["found"].results]


def test_search_ranks_title_then_summary_then_body(client, articles):
    response = client.get("/search/", {"q": "bruising"})

    assert slugs(response) == ["bruising", "aftercare", "feel"]
    assert "3 pages found for “bruising”" in response.content.decode()


def test_pages_with_every_word_come_first_then_pages_with_some(client, make_article):
    make_article("both", title="Both", body="Bruising and soreness are common after needling.")
    make_article("one", title="One", body="Bruising is common.")
    make_article("other", title="Other", body="Stiffness is common.")

    both = client.get("/search/", {"q": "bruising soreness"})
    some = client.get("/search/", {"q": "soreness stiffness"})

    assert slugs(both) == ["both"]
    assert sorted(slugs(some)) == ["both", "other"]
    assert "No page has all of these words, so these pages have some of them." in (
        some.content.decode()
    )


def test_a_word_no_page_uses_is_named_and_the_others_still_found(client, make_article):
    make_article("one", title="One", body="Bruising is common.")

    response = client.get("/search/", {"q": "BRUISING xylophone"})

    assert slugs(response) == ["one"]
    assert "No page on this site uses the word “xylophone”." in response.content.decode()


def test_search_says_plainly_when_nothing_matched_and_offers_searches_that_find_pages(
    client, make_article
):
    make_article("aftercare", title="Looking after yourself", body="Aftercare at home.")
    make_article("pain", title="Back pain", body="About back pain.")

    response = client.get("/search/", {"q": "xylophone"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No pages found for “xylophone”" in html
    assert "No page on this site uses the word “xylophone”." in html
    offered = response.context["suggested"]
    assert offered == ["aftercare", "does it hurt", "back pain"]
    for query in offered:
        assert f'href="/search/?q={query.replace(" ", "%20")}"' in html
        assert client.get("/search/", {"q": query}).context["found"].count >= 1
    assert '<h2 id="contact-heading">' in html


def test_empty_search_shows_just_the_form(client, articles):
    html = client.get("/search/", {"q": "   ?! "}).content.decode()

    assert '<input id="search-q" type="search" name="q" value=""' in html
    assert "found for" not in html


def test_other_forms_of_a_word_are_found_on_every_database(client, make_article):
    make_article("needling", title="Needling", body="Dry needling uses a thin needle.")
    make_article("stretches", title="Stretches", body="Gentle stretching helps.")

    assert slugs(client.get("/search/", {"q": "needles"})) == ["needling"]
    assert slugs(client.get("/search/", {"q": "stretch"})) == ["stretches"]


def test_question_words_do_not_drown_the_answer(client, make_article):
    make_article("feel", title="What it feels like", body="## Does it hurt?\n\nIt can be sore.")
    make_article("what", title="What is it", body="What it is and what it does, and how.")

    response = client.get("/search/", {"q": "Does it hurt?"})

    assert slugs(response) == ["feel"]
    assert response.context["found"].results[0].url == "/articles/feel/#does-it-hurt"


def test_a_slip_of_typing_is_put_right_from_the_sites_own_words(client, make_article):
    make_article("needles", title="About the needle", body="Needles are thin.")

    response = client.get("/search/", {"q": "neddle"})

    html = response.content.decode()
    assert slugs(response) == ["needles"]
    assert 'Did you mean <a href="/search/?q=needle">needle</a>?' in html
    assert "These results are for “needle”, because no page uses “neddle”" in html


def test_the_patient_vocabulary_widens_a_query_and_is_read_again_when_edited(
    client, make_article, settings, tmp_path
):
    make_article("pregnancy", title="Pregnancy", body="Tell us if you are pregnant.")
    make_article("clotting", title="Clotting", body="Anticoagulants make you bleed more.")
    words = tmp_path / "search-words.yaml"
    words.write_text("- pregnant, expecting a baby\n", encoding="utf-8")
    settings.SEARCH_WORDS_FILE = words

    assert slugs(client.get("/search/", {"q": "expecting a baby"})) == ["pregnancy"]
    assert slugs(client.get("/search/", {"q": "warfarin"})) == []

    words.write_text("- pregnant, expecting a baby\n- warfarin, anticoagulants\n", "utf-8")

    assert slugs(Client().get("/search/", {"q": "warfarin"})) == ["clotting"]


def test_a_result_leads_to_the_section_that_matched_with_the_words_in_context(client, make_article):
    make_article(
        "aftercare",
        title="Looking after yourself",
        body="Some soreness is normal.\n\n## Washing\n\nA warm bath is fine after a day."
        "\n\n## Driving\n\nDo not drive if you feel drowsy.",
    )

    response = client.get("/search/", {"q": "bath"})

    html = response.content.decode()
    assert '<a href="/articles/aftercare/#washing">Looking after yourself' in html
    assert '<span class="result-section">: Washing</span>' in html
    assert "<p>A warm <mark>bath</mark> is fine after a day.</p>" in html


def test_a_match_in_the_title_leads_to_the_top_of_the_page(client, make_article):
    make_article("bruising", title="Bruising", body="## Why\n\nBruising comes from blood.")

    result = client.get("/search/", {"q": "bruising"}).context["found"].results[0]

    assert result.url == "/articles/bruising/"


def test_text_from_a_page_is_escaped_in_the_results(client, make_article):
    make_article("code", title="Code", body="Typed as `<script>alert(1)</script>` in bruising.")

    html = client.get("/search/", {"q": "bruising"}).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_drafts_are_never_found(client, articles):
    assert "draft" not in slugs(client.get("/search/", {"q": "draft bruising"}))


def test_the_index_follows_every_change_to_an_article(client, make_article):
    article = make_article("page", title="Elbow", body="Some words.")
    Block.objects.create(name="advice", title="Advice", body="Rest the shoulder.")
    article.body = "For the knee.\n\n[[block:advice]]"
    article.save()

    assert slugs(client.get("/search/", {"q": "shoulder"})) == ["page"]

    advice = Block.objects.get(name="advice")
    advice.body = "Rest the wrist."
    advice.save()
    assert slugs(client.get("/search/", {"q": "shoulder"})) == []
    assert slugs(client.get("/search/", {"q": "wrist"})) == ["page"]

    article.title = "Hip"
    article.save()
    assert slugs(client.get("/search/", {"q": "elbow"})) == []
    assert slugs(client.get("/search/", {"q": "hip"})) == ["page"]

    article.tags.add(Tag.objects.create(name="Tennis elbow"))
    assert slugs(client.get("/search/", {"q": "tennis"})) == ["page"]
    Tag.objects.create(name="Golf").articles.add(article)
    assert slugs(client.get("/search/", {"q": "golf"})) == ["page"]
    Tag.objects.get(name="Golf").delete()
    article.tags.clear()
    assert slugs(client.get("/search/", {"q": "tennis"})) == []

    golf = Tag.objects.create(name="Golf elbow")
    golf.articles.add(article)
    golf.name = "Climbing"
    golf.save()
    assert slugs(client.get("/search/", {"q": "golf"})) == []
    assert slugs(client.get("/search/", {"q": "climbing"})) == ["page"]
    golf.articles.clear()
    assert slugs(client.get("/search/", {"q": "climbing"})) == []
    golf.articles.add(article)
    golf.delete()
    assert slugs(client.get("/search/", {"q": "climbing"})) == []

    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert slugs(client.get("/search/", {"q": "hip"})) == []

    article.delete()
    assert slugs(client.get("/search/", {"q": "hip"})) == []


def test_queries_that_read_the_same_share_one_cached_page(make_article):
    make_article("feel", title="Does it hurt", body="It can be sore.")

    first = Client().get("/search/", {"q": "Does it HURT?"})
    second = Client().get("/search/", {"q": "  does it   hurt "})

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert 'value="does it hurt"' in second.content.decode()


@pytest.mark.parametrize(
    "query",
    ["%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "a" * 5000, "\x00", "ñandú 😀"],
)
def test_odd_search_input_never_breaks_the_page(client, articles, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


# Whatever a visitor types, the page answers: the query is cleaned once, in searchwords.py.
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

    assert slugs(response) == ["bruising", "aftercare", "feel"]


def test_a_search_matching_many_articles_shows_the_best_twenty(client, make_article):
    for number in range(25):
        make_article(f"page-{number:02d}", title=f"Page {number}", body="About needling.")

    response = client.get("/search/", {"q": "needling"})

    assert len(response.context["found"].results) == 20
    assert "25 pages found for “needling”: the best 20" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        (None, "search-words.yaml is missing"),
        ("- [pregnant\n", "search-words.yaml is not written as the list should be on line 2"),
        ("pregnant: expecting\n", "search-words.yaml should be lines starting “- ”, and is not"),
        (
            "- pregnant, expecting\n- alone\n- {a: b}\n",
            "search-words.yaml has lines that are not two or more words apart by commas: "
            "alone; {'a': 'b'}",
        ),
    ],
    ids=["missing", "not yaml", "not a list", "some lines not groups"],
)
def test_a_broken_vocabulary_file_is_named_in_the_log_and_search_works_on(
    client, make_article, settings, tmp_path, caplog, text, logged
):
    make_article("pregnancy", title="Pregnancy", body="Tell us if you are pregnant.")
    words = tmp_path / "search-words.yaml"
    if text is not None:
        words.write_text(text, encoding="utf-8")
    settings.SEARCH_WORDS_FILE = words

    response = client.get("/search/", {"q": "pregnant expecting"})

    assert response.status_code == 200
    assert slugs(response) == ["pregnancy"]
    assert logged in caplog.text


def test_a_number_no_page_uses_is_named_and_left_out(client, make_article):
    make_article("help", title="Urgent help", body="Call 999 at once if you have chest pain.")

    found = client.get("/search/", {"q": "chest pain 17"})
    urgent = client.get("/search/", {"q": "999"})

    assert slugs(found) == ["help"]
    assert "No page on this site uses the word “17”." in found.content.decode()
    assert slugs(urgent) == ["help"]


def test_a_load_of_more_articles_than_one_batch_indexes_each_with_its_tags(
    client, write_article, content_dir, monkeypatch
):
    from articles import searchindex
    from articles.importers import load_content
    from articles.models import SearchPage

    monkeypatch.setattr(searchindex, "BATCH", 3)
    for number in range(8):
        write_article(f"note-{number}", title=f"Note {number}", tags=[f"topic{number}", "shared"])
    load_content(content_dir)

    keywords = dict(SearchPage.objects.values_list("article__slug", "keywords"))
    assert keywords == {f"note-{n}": f"note {n} shared topic{n}" for n in range(8)}
    assert slugs(client.get("/search/", {"q": "topic7"})) == ["note-7"]

    write_article("note-3", title="Note 3", tags=["elbow"])
    write_article("note-4", title="Note 4", tags=["elbow", "shared"])
    load_content(content_dir)

    assert SearchPage.objects.get(article__slug="note-3").keywords == "note 3 elbow"
    assert slugs(client.get("/search/", {"q": "elbow"})) == ["note-3", "note-4"]
    assert SearchPage.objects.count() == 8
