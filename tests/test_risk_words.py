"""Risk figures in words and pictures (articles/risks.py): the exact words for each figure, the
one denominator of a page, and the drawing, tested without the database."""

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from articles import risks


def risk(count: int, total: int, event: str = "a bruise", of: str = "treatments", upper: str = ""):
    return SimpleNamespace(event=event, count=count, total=total, of=of, upper=upper)


MILD = risk(1450, 7629, "a mild side effect such as a bruise")
FLARE = risk(69, 7629, "a flare-up of the usual pain")
MAJOR = risk(20, 20464, "a major side effect")
SERIOUS = risk(0, 7629, "a serious side effect", upper="4 in 10,000")


def words_on_a_page(*figures) -> list[str]:
    per = risks.page_denominator(figures)
    return [risks.figure(each, per).words() for each in figures]


def test_a_figure_on_its_own_is_stated_out_of_100_with_both_sides():
    assert words_on_a_page(MILD) == [
        "about 19 in 100 treatments had a mild side effect such as a bruise; about 81 in 100 "
        "did not"
    ]


@pytest.mark.parametrize(
    ("figure", "per"),
    [(MILD, 100), (FLARE, 1_000), (MAJOR, 1_000), (SERIOUS, 10_000)],
    ids=["19 in 100", "0.9 in 100 is not 1", "1 in 1,000", "upper limit 4 in 10,000"],
)
def test_each_figure_has_the_smallest_denominator_that_keeps_it_whole(figure, per):
    assert risks.smallest_denominator(figure) == per


def test_a_page_states_every_figure_out_of_one_denominator():
    assert words_on_a_page(MILD, MAJOR) == [
        "about 190 in 1,000 treatments had a mild side effect such as a bruise; about 810 in "
        "1,000 did not",
        "about 1 in 1,000 treatments had a major side effect; about 999 in 1,000 did not",
    ]


def test_the_three_main_safety_figures_together_are_out_of_10000():
    assert words_on_a_page(MILD, MAJOR, SERIOUS) == [
        "about 1,900 in 10,000 treatments had a mild side effect such as a bruise; about 8,100 "
        "in 10,000 did not",
        "about 10 in 10,000 treatments had a major side effect; about 9,990 in 10,000 did not",
        "none of the 7,629 treatments had a serious side effect; the chance is at most 4 in 10,000",
    ]


def test_a_figure_that_needs_no_rounding_says_no_about():
    assert words_on_a_page(risk(3, 100), risk(9, 1000)) == [
        "30 in 1,000 treatments had a bruise; 970 in 1,000 did not",
        "9 in 1,000 treatments had a bruise; 991 in 1,000 did not",
    ]


def test_people_are_counted_as_people():
    assert words_on_a_page(risk(13, 100, "seen a patient faint", of="people")) == [
        "13 in 100 people had seen a patient faint; 87 in 100 did not"
    ]


def test_none_without_an_upper_limit_says_how_many_were_counted():
    assert words_on_a_page(risk(0, 460, "a serious side effect")) == [
        "none of the 460 treatments had a serious side effect"
    ]


def test_an_upper_limit_is_rounded_up_so_it_stays_a_limit():
    said = risks.figure(risk(0, 7629, "a serious side effect", upper="3 in 7,629"), 10_000)

    assert said.upper == 4
    assert said.words().endswith("the chance is at most 4 in 10,000")


def test_a_figure_too_small_for_10000_says_fewer_than_1():
    assert words_on_a_page(risk(1, 1_000_000)) == [
        "fewer than 1 in 10,000 treatments had a bruise; more than 9,999 in 10,000 did not"
    ]


def test_the_words_are_never_a_percentage_or_a_vague_word():
    figures = [MILD, FLARE, MAJOR, SERIOUS, risk(1, 1_000_000), risk(999_999, 1_000_000)]
    said = " ".join(words_on_a_page(*figures) + words_on_a_page(MILD))

    assert "%" not in said
    assert not re.search(r"\b(rare|rarely|common|commonly|uncommon|often|seldom)\b", said)


def test_a_caption_is_a_sentence():
    assert risks.figure(SERIOUS, 10_000).sentence() == (
        "None of the 7,629 treatments had a serious side effect; the chance is at most 4 in 10,000."
    )


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("4 in 10,000", (4, 10_000)), ("4 in 10000", (4, 10_000)), (" 1 in 300 ", (1, 300))],
)
def test_an_upper_limit_is_written_n_in_d(text, parsed):
    assert risks.parse_upper(text) == parsed


@pytest.mark.parametrize("text", ["0.04%", "4/10000", "4 in 10,00", "in 10,000", "four in ten"])
def test_anything_else_is_not_an_upper_limit(text):
    assert risks.parse_upper(text) is None


def icons(svg: str) -> dict[str, int]:
    """How many icons of each kind the drawing shows, from its rectangles."""
    counts: dict[str, int] = {}
    for rect in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}rect"):
        fill = rect.get("fill")
        if fill.startswith("url(#"):
            kind = fill.rsplit("-", 1)[1].rstrip(")")
            cells = int(rect.get("width")) * int(rect.get("height")) // 100
            counts[kind] = counts.get(kind, 0) + cells
    return counts


@pytest.mark.parametrize(
    ("figure", "per", "shown"),
    [
        (MILD, 100, {"had": 19, "not": 81}),
        (MAJOR, 1_000, {"had": 1, "not": 999}),
        (MILD, 10_000, {"had": 1_900, "not": 8_100}),
        (SERIOUS, 10_000, {"might": 4, "not": 9_996}),
    ],
)
def test_the_drawing_has_one_icon_per_treatment_and_marks_those_who_had_it(figure, per, shown):
    said = risks.figure(figure, per)

    svg = risks.drawing(said, 1, said.sentence())

    assert icons(svg) == shown


def test_the_drawing_is_an_image_named_by_the_figure_in_words_and_holds_nothing_active():
    said = risks.figure(MILD, 100)

    svg = risks.drawing(said, 3, said.sentence())

    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "About 19 in 100 treatments had a mild side effect such as a bruise; about 81 in 100 "
        "did not."
    )
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag.split("}")[1] in {"svg", "defs", "pattern", "rect", "circle"}
        if element.get("id"):
            assert element.get("id").startswith("risk3-")


def test_marked_icons_differ_in_shape_and_fill_so_the_drawing_reads_in_black_and_white():
    had, might, other = (ET.fromstring(f"<g>{risks.SHAPES[k]}</g>")[0] for k in risks.SHAPES)

    assert (had.tag, other.tag) == ("circle", "rect")
    assert had.get("fill") != other.get("fill") == "#ffffff"
    assert might.tag == "circle" and might.get("fill") == "#ffffff" and might.get("stroke")


def test_a_few_among_many_are_found_by_their_outlined_block():
    said = risks.figure(MAJOR, 1_000)

    root = ET.fromstring(risks.drawing(said, 1, said.sentence()))

    outlines = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("fill") == "none"]
    assert [(r.get("x"), r.get("width")) for r in outlines] == [("-2", "104")]


def test_the_key_names_each_kind_of_icon_and_escapes_the_words():
    said = risks.figure(risk(19, 100, "a bruise & a <b>"), 1_000)

    key = risks.key(said)

    assert "1 treatment that had a bruise &amp; a &lt;b&gt;</li>" in key
    assert "1 treatment that did not have a bruise &amp; a &lt;b&gt;</li>" in key
    assert '<p class="risk-scale">There are 1,000 treatments here, in blocks of 100.</p>' in key
