"""Risk figures as data: written once (the admin's *Risks*, or content/risks.yaml), stated in
words with [[risk:key]] and drawn with [[risk-picture:key]] on every page that names them,
kept while pages use them, and covered by the clinical sign-off."""

import re
import shutil
import xml.etree.ElementTree as ET

import pytest
import yaml
from django.core.exceptions import ValidationError
from reversion.models import Version

from articles.importers import ContentError, export_content, load_content
from articles.markdown import render
from articles.models import Article, Block, Reference, Risk
from tests.browserform import BrowserForm
from tests.conftest import run_command, started_from

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
MILD_WORDS = (
    "about 19 in 100 treatments had a mild side effect such as a bruise; about 81 in 100 did not"
)
REFERENCES = """\
brady2014:
  authors: Brady S, McEvoy J, Dommerholt J, Doody C
  year: 2014
  title: Adverse events following trigger point dry needling
  source: J Man Manip Ther 22:134
boyce2020:
  authors: Boyce D, Wempe H
  year: 2020
  title: Adverse events associated with therapeutic dry needling
"""
RISKS = """\
ireland-mild:
  event: a mild side effect such as a bruise
  count: 1450
  total: 7629
  of: treatments
  source: brady2014
  note: Worked out from the 19% the study gives.
usa-major:
  event: a major side effect
  count: 20
  total: 20464
  of: treatments
  source: boyce2020
"""


@pytest.fixture
def sources():
    brady = Reference.objects.create(key="brady2014", authors="Brady S", year=2014, title="Adverse")
    boyce = Reference.objects.create(key="boyce2020", authors="Boyce D", year=2020, title="Events")
    return brady, boyce


@pytest.fixture
def mild(sources):
    return Risk.objects.create(
        key="ireland-mild",
        event="a mild side effect such as a bruise",
        count=1450,
        total=7629,
        source=sources[0],
    )


@pytest.fixture
def serious(sources):
    return Risk.objects.create(
        key="ireland-serious",
        event="a serious side effect",
        count=0,
        total=7629,
        upper="4 in 10,000",
        source=sources[0],
    )


@pytest.fixture
def major(sources):
    return Risk.objects.create(
        key="usa-major", event="a major side effect", count=20, total=20464, source=sources[1]
    )


@pytest.fixture
def folder(content_dir):
    (content_dir / "references.yaml").write_text(REFERENCES)
    (content_dir / "risks.yaml").write_text(RISKS)
    return content_dir


def paragraph(html: str, start: str) -> str:
    return re.search(rf"<p>{re.escape(start)}.*?</p>", html, re.S).group(0)


def test_the_words_go_anywhere_in_a_sentence_and_cite_the_source(mild):
    html = render("In a study in Ireland, [[risk:ireland-mild]].\n").html

    assert paragraph(html, "In a study") == (
        f"<p>In a study in Ireland, {MILD_WORDS}."
        '<sup id="fnref:brady2014"><a class="footnote-ref" href="#fn:brady2014">1</a></sup></p>'
    )
    assert '<li id="fn:brady2014">' in html


@pytest.mark.parametrize(
    "text",
    [
        "[[risk:ireland-mild]].",
        "Here is a figure. [[risk:ireland-mild]].",
        "- [[risk:ireland-mild]].",
        "1. [[risk:ireland-mild]].",
    ],
    ids=["line start", "after a sentence", "list item", "numbered item"],
)
def test_words_that_start_a_sentence_start_with_a_capital(mild, text):
    assert "About 19 in 100 treatments" in render(text).html


def test_words_within_a_sentence_cite_before_a_comma(mild):
    html = render("So [[risk:ireland-mild]], in one study.\n").html

    assert f"So {MILD_WORDS}<sup" in html
    assert "</sup>, in one study." in html


def test_a_page_states_every_figure_out_of_one_denominator_blocks_included(mild, major):
    Block.objects.create(name="in-brief", title="In brief", body="In the USA, [[risk:usa-major]].")

    html = render("In Ireland, [[risk:ireland-mild]].\n\n[[block:in-brief]]\n").html

    assert (
        "In Ireland, about 190 in 1,000 treatments had a mild side effect such as a bruise; "
        "about 810 in 1,000 did not." in html
    )
    assert (
        "In the USA, about 1 in 1,000 treatments had a major side effect; about 999 in 1,000 "
        "did not." in html
    )


def figures(html: str) -> list[ET.Element]:
    return [
        ET.fromstring(found)
        for found in re.findall(r'<figure class="risk-picture">.*?</figure>', html, re.S)
    ]


def test_a_picture_is_drawn_with_its_figure_in_words_as_label_and_caption(mild):
    html = render("Intro.\r\n\r\n[[risk-picture:ireland-mild]]\r\n\r\nAfter.\r\n").html

    (figure,) = figures(html)
    svg, caption = figure
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == f"A{MILD_WORDS[1:]}."
    assert "".join(caption[0].itertext()) == f"A{MILD_WORDS[1:]}.1"
    assert caption[0][0].get("id") == "fnref:brady2014"
    assert "style=" not in html
    assert "<p>After.</p>" in html
    assert "risk-picture" not in render("Intro.\n\n[[risk-picture:ireland-mild]]\n").text


def test_the_three_main_safety_figures_are_drawn_from_the_shipped_list(
    shipped_content, content_dir, write_article
):
    for name in ("references.yaml", "risks.yaml"):
        shutil.copy(shipped_content / name, content_dir / name)
    pictures = ["ireland-mild", "usa-major", "ireland-serious"]
    write_article("safety", body="".join(f"[[risk-picture:{key}]]\n\n" for key in pictures))

    load_content(content_dir)

    drawn = figures(Article.objects.get().body_html)
    assert [figure[0].get("aria-label") for figure in drawn] == [
        "About 1,900 in 10,000 treatments had a mild side effect such as a bruise; about 8,100 "
        "in 10,000 did not.",
        "About 10 in 10,000 treatments had a major side effect; about 9,990 in 10,000 did not.",
        "None of the 7,629 treatments had a serious side effect; the chance is at most 4 in "
        "10,000.",
    ]
    ids = [pattern.get("id") for figure in drawn for pattern in figure.iter(f"{SVG}pattern")]
    assert len(ids) == len(set(ids)) == 9


def test_the_page_shows_the_words_and_the_drawing(mild, make_article, client):
    make_article(
        "safety", body="In Ireland, [[risk:ireland-mild]].\n\n[[risk-picture:ireland-mild]]"
    )

    page = client.get("/articles/safety/").content.decode()

    assert f"In Ireland, {MILD_WORDS}." in page
    assert f'role="img" aria-label="A{MILD_WORDS[1:]}."' in page
    assert "style=" not in page.split('<main id="main"')[1].split("</main>")[0]


def test_an_article_written_in_a_browser_states_and_draws_its_risk(mild, staff_client, client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Safety",
            "slug": "safety",
            "summary": "Risks.",
            "body": "## Side effects\r\n\r\nIn Ireland, [[risk:ireland-mild]].\r\n"
            "[[risk-picture:ireland-mild]]\r\nAfter the picture.\r\n",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
    )

    assert response.status_code == 302
    page = client.get("/articles/safety/").content.decode()
    assert f"<p>In Ireland, {MILD_WORDS}.<sup" in page
    assert f'role="img" aria-label="A{MILD_WORDS[1:]}."' in page
    assert "<p>After the picture.</p>" in page


def test_no_text_can_draw_a_picture_that_is_not_a_risks(mild):
    forged = "[[risk-picture-0123456789abcdef:7b7d]]\nA caption.\n"

    assert "<svg" not in render(forged).html


NO_RISK = "There is no risk called 'ireland-mlid'. Add it under Risks first, or check the name."


def test_a_published_article_naming_a_missing_risk_is_refused_in_the_admin(mild, staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Safety",
            "slug": "safety",
            "summary": "Risks.",
            "body": "In Ireland, [[risk:ireland-mlid]].\r\n\r\n[[risk-picture:ireland-mild]]\r\n",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"body": [NO_RISK]}
    assert not Article.objects.exists()


def test_a_draft_naming_a_missing_risk_saves_with_a_warning(mild, staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Safety",
            "slug": "safety",
            "summary": "Risks.",
            "body": "In Ireland, [[risk:ireland-mlid]].\r\n",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "reviewed": "2026-01-15",
        },
        follow=True,
    )

    assert f"Before patients read it: {NO_RISK}" in [str(m) for m in response.context["messages"]]
    assert Article.objects.get().status == "draft"


def test_a_content_file_or_block_naming_a_missing_risk_is_refused(folder, write_article):
    (folder / "blocks").mkdir()
    block = folder / "blocks" / "in-brief.md"
    block.write_text("---\ntitle: In brief\n---\nIn short, [[risk:ireland-mlid]].\n")
    path = write_article("safety", body="[[risk-picture:ireland-mlid]]\n")

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    assert raised.value.problems == [f"{block}: body: {NO_RISK}", f"{path}: body: {NO_RISK}"]


def test_a_picture_must_have_a_line_of_its_own(mild, make_article):
    article = make_article("safety", status="draft", body="See [[risk-picture:ireland-mild]].")
    article.status = Article.Status.PUBLISHED

    with pytest.raises(ValidationError) as refused:
        article.full_clean()

    assert refused.value.message_dict["body"] == [
        "Put [[risk-picture:ireland-mild]] on a line of its own, with nothing else on the line."
    ]


def test_risks_load_from_their_file_and_a_second_load_changes_nothing(folder, write_article):
    write_article("safety", body="[[risk:ireland-mild]].\n")

    first = run_command("load_content", folder).splitlines()
    second = run_command("load_content", folder).splitlines()

    assert first[:3] == [
        "created 1, updated 0, unchanged 0, kept 0",
        "references: created 2, updated 0, unchanged 0, kept 0",
        "risks: created 2, updated 0, unchanged 0, kept 0",
    ]
    assert second[:3] == [
        "created 0, updated 0, unchanged 1, kept 0",
        "references: created 0, updated 0, unchanged 2, kept 0",
        "risks: created 0, updated 0, unchanged 2, kept 0",
    ]
    assert MILD_WORDS[1:] in Article.objects.get().body_html
    risk = Risk.objects.get(key="ireland-mild")
    assert (risk.count, risk.total, risk.source.key) == (1450, 7629, "brady2014")
    version = Version.objects.get_for_object(risk).get()
    assert version.revision.comment == f"Loaded from {folder / 'risks.yaml'}"
    assert list(version.revision.version_set.all()) == [version]


@pytest.mark.parametrize(
    ("entry", "problems"),
    [
        (
            {"count": "19%"},
            ["count: Enter a whole number, such as 1450: no % sign, no commas. (the file says "
             "'19%')"],
        ),
        ({"count": 9000}, ["count: The count cannot be more than the total it is out of."]),
        (
            {"source": "smith1999"},
            ["source: There is no source with this key in the reference list. Add it under "
             "References, or check the key. (the file says 'smith1999')"],
        ),
        (
            {"upper": "4 in 10,000"},
            ["upper: Give an upper limit only when the count is 0: otherwise the count says it."],
        ),
        (
            {"count": 0, "upper": "0.04%"},
            ["upper: Write the upper limit as “N in D”, for example “4 in 10,000”. (the file "
             "says '0.04%')"],
        ),
        (
            {"event": "19% had a bruise"},
            ["event: Write plain words: no brackets, markdown or % sign. The figure is written "
             "from the numbers."],
        ),
        ({"of": "patients"}, ["of: Choose treatments or people. (the file says 'patients')"]),
        (
            {"percent": 19},
            ["percent: unknown field (allowed: event, count, total, of, source, upper, note)"],
        ),
    ],
    ids=["percentage", "more than total", "unknown source", "upper with a count",
         "upper as percentage", "event with a figure", "unknown unit", "unknown field"],
)  # fmt: skip
def test_a_slip_in_the_risk_list_names_the_file_risk_and_field(folder, entry, problems):
    listed = yaml.safe_load(RISKS)
    listed["ireland-mild"].update(entry)
    (folder / "risks.yaml").write_text(yaml.safe_dump(listed, sort_keys=False))

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    path = folder / "risks.yaml"
    assert raised.value.problems == [f"{path}: ireland-mild.{problem}" for problem in problems]
    assert not Risk.objects.exists()


def test_an_entry_without_fields_is_reported(folder):
    (folder / "risks.yaml").write_text(RISKS + "bare: 19\n")

    with pytest.raises(ContentError) as raised:
        load_content(folder)

    assert raised.value.problems == [
        f"{folder / 'risks.yaml'}: bare.event: each risk needs its fields indented below its key"
    ]


def test_export_writes_risks_that_load_back_unchanged(folder, tmp_path, write_article):
    write_article("safety", body="[[risk:ireland-mild]].\n")
    load_content(folder)

    export_content(tmp_path / "out")

    assert yaml.safe_load((tmp_path / "out" / "risks.yaml").read_text()) == {
        key: {**fields} for key, fields in sorted(yaml.safe_load(RISKS).items())
    }
    assert run_command("load_content", tmp_path / "out").splitlines()[2] == (
        "risks: created 0, updated 0, unchanged 2, kept 0"
    )


def test_a_risk_edited_in_the_admin_is_kept_on_the_next_load(folder, staff_client):
    load_content(folder)
    risk = Risk.objects.get(key="usa-major")

    response = staff_client.post(
        f"/admin/articles/risk/{risk.pk}/change/",
        {
            **started_from(risk),
            "key": "usa-major",
            "event": "a major side effect",
            "count": "21",
            "total": "20464",
            "of": "treatments",
            "source": "boyce2020",
            "upper": "",
            "note": "Corrected from the paper.",
        },
    )

    assert response.status_code == 302
    out = run_command("load_content", folder)
    assert "risks: created 0, updated 0, unchanged 1, kept 1" in out
    assert "kept risk usa-major: edited in the admin since its last load" in out
    assert Risk.objects.get(key="usa-major").count == 21


@pytest.fixture
def stated(mild, make_article):
    Block.objects.create(name="in-brief", title="In brief", body="In short, [[risk:ireland-mild]].")
    direct = make_article("safety", title="Safety", body="[[risk-picture:ireland-mild]]")
    through = make_article("aftercare", title="Aftercare", body="[[block:in-brief]]")
    return direct, through


def test_a_risk_in_use_directly_or_through_a_block_cannot_be_deleted(stated, staff_client, mild):
    response = staff_client.post(f"/admin/articles/risk/{mild.pk}/delete/", {"post": "yes"})

    assert Risk.objects.filter(pk=mild.pk).exists()
    assert (
        "“Aftercare”, “Safety” state it, as [[risk:ireland-mild]] or "
        "[[risk-picture:ireland-mild]], in the text or in a block included there. Take it out "
        "of those articles first" in response.content.decode()
    )


def test_a_risk_used_only_through_a_block_cannot_be_renamed(mild, make_article, staff_client):
    Block.objects.create(name="in-brief", title="In brief", body="In short, [[risk:ireland-mild]].")
    make_article("aftercare", title="Aftercare", body="[[block:in-brief]]")

    response = staff_client.post(
        f"/admin/articles/risk/{mild.pk}/change/",
        {
            **started_from(mild),
            "key": "mild",
            "event": mild.event,
            "count": "1450",
            "total": "7629",
            "of": "treatments",
            "source": "brady2014",
        },
    )

    assert response.context["adminform"].form.errors["key"] == [
        "“Aftercare” states it, as [[risk:ireland-mild]] or [[risk-picture:ireland-mild]], in "
        "the text or in a block included there. Take it out of those articles first, so that no "
        "page loses it without anyone noticing."
    ]
    mild.refresh_from_db()
    assert mild.key == "ireland-mild"


def test_a_source_a_risk_cites_cannot_be_deleted(mild, staff_client):
    source = mild.source

    response = staff_client.post(f"/admin/articles/reference/{source.pk}/delete/", {"post": "yes"})

    assert Reference.objects.filter(pk=source.pk).exists()
    assert (
        f'<li>Risk: <a href="/admin/articles/risk/{mild.pk}/change/">ireland-mild</a></li>'
        in response.content.decode()
    )


def test_changing_a_risk_changes_every_page_that_states_it_and_ends_their_sign_off(
    stated, staff_client, mild, client, give_sign_off
):
    for article in stated:
        give_sign_off(article)

    response = staff_client.post(
        f"/admin/articles/risk/{mild.pk}/change/",
        {
            **started_from(mild),
            "key": "ireland-mild",
            "event": "a mild side effect such as a bruise",
            "count": "2000",
            "total": "7629",
            "of": "treatments",
            "source": "brady2014",
        },
    )

    assert response.status_code == 302
    for article in stated:
        article.refresh_from_db()
        assert not article.is_signed_off
        assert article.sign_off_ended.startswith("The risk “ireland-mild” changed on ")
        assert article.sign_off_ended.endswith(", by editor.")
        page = client.get(article.get_absolute_url()).content.decode()
        assert "26 in 100 treatments had a mild side effect" in page


def test_a_change_patients_do_not_read_keeps_the_sign_off(stated, mild, give_sign_off):
    for article in stated:
        give_sign_off(article)

    mild.note = "Checked against the paper again."
    mild.full_clean()
    mild.save()

    assert Article.objects.signed_off().count() == 2


def test_changing_the_source_changes_the_pages_that_state_its_risks(stated, sources, client):
    brady = sources[0]
    brady.title = "Adverse events, retitled"
    brady.full_clean()
    brady.save()

    for article in stated:
        assert "Adverse events, retitled" in client.get(article.get_absolute_url()).content.decode()


def test_the_sign_off_shows_each_risk_in_the_words_the_page_states_it(stated, staff_client):
    response = staff_client.get(f"/admin/articles/article/{stated[1].pk}/sign-off/")

    assert ["Risk “ireland-mild”", f"{MILD_WORDS}[^brady2014]"] in response.context["text"]


def test_the_risks_admin_shows_how_pages_state_a_figure(mild, staff_client):
    page = staff_client.get(f"/admin/articles/risk/{mild.pk}/change/").content.decode()

    assert (
        "Where a page counts out of 1,000: “About 190 in 1,000 treatments had a mild side "
        "effect such as a bruise; about 810 in 1,000 did not.”" in page
    )


def test_a_risks_form_shows_its_source_chosen_and_saves_as_it_was_opened(mild, staff_client):
    address = f"/admin/articles/risk/{mild.pk}/change/"
    form = BrowserForm(staff_client.get(address).content.decode())

    assert form.post_data()["source"] == mild.source.key
    assert staff_client.post(address, form.post_data(count="2")).status_code == 302
    mild.refresh_from_db()
    assert mild.count == 2
