"""The editor's writing checks: how an article reads, and what in it would hurt patients."""

import pytest

from articles.markdown import render
from articles.plainlanguage import plain_words
from articles.writing import (
    ReadingLength,
    WritingReport,
    check_writing,
    reading_grade,
    reading_length,
    reading_minutes,
    smog_grade,
)

# Rendering looks up the blocks and sources an article names.
pytestmark = pytest.mark.django_db

CLEAN = """\
## What to expect

The needle is very thin. Most people feel a small twitch in the muscle.

### After your visit

Rest for the rest of the day. Read our [aftercare advice](/articles/aftercare/).

![A physiotherapist holds a thin needle](/media/uploads/needle.png)

!!! warning "Call us"
    Call the clinic if the pain gets worse.

[[figure:needle]]

Most people feel better within a day.[^1]

[^1]: Smith J, Jones K, Brown L, et al. A long reference with many words in it that nobody \
reads as a sentence, because it is a list of authors, a title, a journal and a year, 2020.
"""

SHORT = "Rest for a day and drink water. Then take a short walk."
LONG_SENTENCE = (
    "Dry needling is a treatment in which a physiotherapist places very thin needles into tight "
    "bands of muscle so that the muscle can relax and move more freely again after weeks of "
    "pain and stiffness."
)


def test_a_clean_body_has_no_warnings():
    report = check_writing(CLEAN)

    assert report.warnings == []


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            f"# Aftercare\n\n{SHORT}\n",
            "The heading “Aftercare” starts with one #, which is kept for the page title. "
            "Start it with ## instead.",
        ),
        (
            f"## Aftercare\n\n{SHORT}\n\n#### Ice\n\nUse ice on the sore spot.\n",
            "The heading “Ice” skips a level: it follows a ## heading but starts with ####. "
            "Start it with ### instead.",
        ),
        (
            f"### Aftercare\n\n{SHORT}\n",
            "The heading “Aftercare” skips a level: it follows the page title but starts with "
            "###. Start it with ## instead.",
        ),
        (
            f"{SHORT}\n\n![](/media/uploads/ice.png)\n",
            "A picture (/media/uploads/ice.png) has no description. Describe what it shows, for "
            "patients who cannot see it.",
        ),
        (
            f"{SHORT}\n\n![Describe the picture here](/media/uploads/ice.png)\n",
            "A picture (/media/uploads/ice.png) still says “Describe the picture here”. Replace "
            "that with what the picture shows.",
        ),
        (
            f"For aftercare, [click here](/articles/aftercare/). {SHORT}\n",
            "The link “click here” does not say where it goes. Use words that name the page "
            "instead.",
        ),
        (
            f"Aftercare advice is [here](/articles/aftercare/). {SHORT}\n",
            "The link “here” does not say where it goes. Use words that name the page instead.",
        ),
        (
            f"{SHORT} [Read more.](/articles/aftercare/)\n",
            "The link “Read more.” does not say where it goes. Use words that name the page "
            "instead.",
        ),
        (
            f"Follow [this link](/articles/aftercare/) for aftercare. {SHORT}\n",
            "The link “this link” does not say where it goes. Use words that name the page "
            "instead.",
        ),
        (
            f"Aftercare: see the [Link](/articles/aftercare/). {SHORT}\n",
            "The link “Link” does not say where it goes. Use words that name the page instead.",
        ),
        (
            f"{SHORT} {LONG_SENTENCE} Then rest.\n",
            "A sentence has 35 words (“Dry needling is a treatment in…”). Sentences over 30 "
            "words are hard to follow: split it up.",
        ),
        (
            "Physiotherapists administer intramuscular stimulation employing monofilament "
            "needles, facilitating neuromuscular normalisation.\n",
            "The reading grade is 36.7. Aim for 8 or below: use shorter sentences and everyday "
            "words.",
        ),
        (
            "Where it hurts:\n\n[[figure:leg-map]]\n",
            "There is no figure called 'leg-map' (there are: body-map, needle).",
        ),
    ],
)
def test_each_problem_is_named_in_plain_words(body, warning):
    report = check_writing(body)

    assert report.warnings == [warning]


def test_a_list_without_full_stops_is_not_read_as_one_long_sentence():
    items = "".join(f"- Item number {n} in a list of things to bring along\n" for n in range(6))

    report = check_writing(f"Bring these:\n\n{items}")

    # Each item reads as a sentence of its own, for the grade as for the sentence check.
    assert report.warnings == []
    assert report.grade < 8


def test_the_same_vague_link_twice_is_named_once():
    body = "[Click here](/a/) for aftercare. [Click here](/b/) for safety.\n"

    assert check_writing(body).warnings == [
        "The link “Click here” does not say where it goes. Use words that name the page instead."
    ]


def test_grade_words_and_minutes_of_a_known_text():
    report = check_writing(
        "## Today\n\nThe cat sat on the mat. It was a sunny day and everyone was happy.\n"
    )

    assert report == WritingReport(
        grade=2.9, words=16, minutes=1, warnings=[], sentence_lengths=[6, 9]
    )


def test_an_empty_body_has_no_grade():
    assert check_writing("") == WritingReport(grade=None, words=0, minutes=1, warnings=[])


def test_reading_numbers():
    text = "The cat sat on the mat. It was a sunny day and everyone was happy."

    assert reading_length(render(text)) == ReadingLength(words=15, minutes=1)
    assert reading_grade(text) == 2.7
    assert reading_grade("  ") is None
    assert reading_minutes(0) == 1
    assert reading_minutes(200) == 1
    assert reading_minutes(201) == 2


def test_a_run_of_very_short_sentences_is_pointed_out():
    body = "Rest. Drink water. Walk a little. Then, once the soreness has eased, go back to work.\n"

    report = check_writing(body)

    assert report.warnings == [
        "3 very short sentences in a row (“Rest. Drink water. Walk a little.…”) make the text "
        "read in bursts. Join some of them."
    ]
    assert report.sentence_lengths == [1, 2, 3, 10]
    assert report.average_sentence_words == 4.0
    assert report.short_sentence_share == 0.75


# Percentages and decimal numbers: many patients misread them; "N in D" is read right.


def percentage_warning(written: str, advice: str) -> str:
    return (
        f"“{written}” is a percentage, which many patients find hard to picture. Write it as "
        f"“N in D” instead: “{advice}”."
    )


@pytest.mark.parametrize(
    ("body", "warnings"),
    [
        (
            "About 19% of people feel sore after needling.\n",
            [percentage_warning("19%", "about 19 in 100")],
        ),
        (
            "The risk was put at 0.04 % or less.\n",
            [percentage_warning("0.04 %", "about 4 in 10,000")],
        ),
        (
            "Some 36.7 per cent of treatments led to a minor event.\n",
            [percentage_warning("36.7 per cent", "about 37 in 100")],
        ),
        (
            "It was noted in 0.9% of treatments, or 3.0% in the other study.\n",
            [
                percentage_warning("0.9%", "about 9 in 1,000"),
                percentage_warning("3.0%", "about 3 in 100"),
            ],
        ),
        (
            "Pain was noted in 3 to 6% of treatments.\n",
            [percentage_warning("3 to 6%", "about 3 to 6 in 100")],
        ),
        (
            "| What was recorded | Ireland |\n| --- | --- |\n| Bruising | 7.6% |\n",
            [percentage_warning("7.6%", "about 8 in 100")],
        ),
        (
            "## How often: 19%\n\nThe same figure, 19%, again.\n",
            [percentage_warning("19%", "about 19 in 100")],
        ),
        (
            "The soreness lasts 2.5 days on average.\n",
            [
                "“2.5” has a decimal point, which many patients find hard to use. Round it to a "
                "whole number (“about 3”), or if it is a share of people, write it as “N in D” "
                "(for example “about 1 in 4”)."
            ],
        ),
        (
            "The chance was 0.04 in that study.\n",
            [
                "“0.04” has a decimal point, which many patients find hard to use. If it is a "
                "share of people, write it as “N in D” (“about 4 in 100”); if it is a size, use "
                "words or a smaller unit."
            ],
        ),
        (
            "Everyone (100%) felt it, 150% more than before, and 0% fainted.\n",
            [
                "“100%” is a percentage, which many patients find hard to picture. Write “all” "
                "instead.",
                "“150%” is a percentage, which many patients find hard to picture. Say what it "
                "means in words instead, for example “twice as many”.",
                "“0%” is a percentage, which many patients find hard to picture. Write “none” "
                "instead.",
            ],
        ),
    ],
)
def test_percentages_and_decimals_are_pointed_out_with_n_in_d(body, warnings):
    report = check_writing(body)

    assert report.warnings == warnings
    assert report.by_check == {"numbers": warnings}


@pytest.mark.parametrize(
    "body",
    [
        "We checked it on 21.11.2026, on 2026-11-21 and again in 11.2026.\n",
        "The clinic opens at 9.15, from 8.30am, and is open 9.00–17.30 on Fridays.\n",
        "See version 2.5 of the guideline, section 4.2 and v1.2 of the form, or 1.2.3.\n",
        "1. Rest for a day.\n2. Drink some water.\n3. Take a short walk.\n",
        "## 1.2 What to expect\n\nRest for a day after the visit.\n",
        "A session costs £45.50 and a course of 7,629 treatments was studied.\n",
        "Type `2.5` or `19%` exactly:\n\n    dose = 2.5  # 19%\n",
        "Read the [guide](/articles/2.5/) or <https://example.org/v2.5/19%>.\n",
        "The figure is [[risk:pneumothorax]] and [[clinic:price-2.5]].\n",
        "Serious harm was not seen.[^study]\n\n[^study]: Brady S. 19% and 2.5 in Acupunct Med 2014.\n",
    ],
    ids=[
        "dates",
        "times",
        "versions and section numbers",
        "list numbering",
        "a numbered heading",
        "money and thousands",
        "code",
        "link addresses",
        "shortcodes",
        "references and footnote numbers",
    ],
)
def test_numbers_that_are_not_amounts_in_prose_are_left_alone(body):
    assert check_writing(body).by_check.get("numbers") is None


# "Rare" and "common" without the number.


def how_often_warning(words: str, start: str, does: str = "does") -> str:
    return (
        f"{words} {does} not say how often (“{start}…”). Give the number in the same sentence, "
        "for example “about 1 in 1,000”."
    )


@pytest.mark.parametrize(
    ("body", "warnings"),
    [
        (
            "A collapsed lung is rare, but it can happen.\n",
            [how_often_warning("“rare”", "A collapsed lung is rare, but")],
        ),
        (
            "Minor side effects are common, but serious ones are very rare.\n",
            [
                how_often_warning(
                    "“common” and “very rare”", "Minor side effects are common, but", "do"
                )
            ],
        ),
        (
            "Bruising happens commonly.\n\nIt rarely lasts.\n\nFainting is uncommon.\n",
            [
                how_often_warning("“commonly”", "Bruising happens commonly."),
                how_often_warning("“rarely”", "It rarely lasts."),
                how_often_warning("“uncommon”", "Fainting is uncommon."),
            ],
        ),
        (
            "In 2014 one study found that harm was rare.\n",
            [how_often_warning("“rare”", "In 2014 one study found that")],
        ),
        (
            "Harm was rare in the study from 2014.\n",
            [how_often_warning("“rare”", "Harm was rare in the study")],
        ),
        (
            "| Effect | How often |\n| --- | --- |\n| Bruising | Common |\n| Fainting | about 1 in 100 |\n",
            [how_often_warning("“common”", "Bruising | Common")],
        ),
    ],
)
def test_rare_and_common_need_a_number_in_the_same_sentence(body, warnings):
    report = check_writing(body)

    assert report.warnings == warnings
    assert report.by_check == {"how often": warnings}


@pytest.mark.parametrize(
    "body",
    [
        "Serious harm is rare: about 1 in 1,000 treatments.\n",
        "Bruising is common, in about 8 in every 100 treatments.\n",
        "Harm is rare, at about one in a thousand treatments.\n",
        "Harm is rare: none in 2,014 treatments.\n",
        "Soreness is common and goes within three days.\n",
        "A collapsed lung is rare ([[risk:pneumothorax]]).\n",
        "| Effect | How often |\n| --- | --- |\n| Bruising | Common: 8 in 100 |\n",
        "## Common side effects\n\nYou may get a bruise.\n",
        "What they have in common is a needle. It is common sense, and commonly called needling.\n",
        "Harm was not seen.[^note]\n\n[^note]: A rare event in an uncommon study.\n",
        "Type `rare` here.\n",
    ],
    ids=[
        "N in D",
        "N in every D",
        "a number in words",
        "a number that is not a year",
        "a time in words",
        "a risk figure",
        "a table row with its number",
        "a heading",
        "common not meaning often",
        "a reference",
        "code",
    ],
)
def test_rare_and_common_with_a_number_or_not_about_how_often_pass(body):
    assert check_writing(body).by_check.get("how often") is None


# The plain-words list (content/plain-words.yaml).

BRIEF_LIST = {
    "clinician": "doctor or physiotherapist",
    "utilise": "use",
    "commence": "start",
    "prior to": "before",
    "approximately": "about",
    "subsequently": "later",
    "in order to": "to",
    "assist": "help",
    "sufficient": "enough",
    "adverse event": "side effect or problem",
}


def plain_word_warning(alternative: str, written: str, times: str = "") -> str:
    return (
        f"Write “{alternative}” instead of “{written}”{times}: everyday words are easier for "
        "patients."
    )


@pytest.mark.parametrize(("word", "alternative"), BRIEF_LIST.items())
def test_each_listed_word_is_named_with_its_plain_alternative(word, alternative):
    assert plain_words().alternatives[word] == alternative

    report = check_writing(f"We {word} it here.\n")

    assert report.by_check["plain words"] == [plain_word_warning(alternative, word)]


def test_listed_words_are_found_as_whole_words_whatever_their_capitals():
    body = (
        "Your Clinician will see you. An adverse\nevent is rare in 1 in 1,000. Prior to it, "
        "rest. The assistant is clinical.\n\nA clinician's view.\n"
    )

    assert check_writing(body).by_check == {
        "plain words": [
            plain_word_warning("doctor or physiotherapist", "Clinician", " (2 times)"),
            plain_word_warning("side effect or problem", "adverse event"),
            plain_word_warning("before", "Prior to"),
        ]
    }


def test_listed_words_in_code_addresses_shortcodes_and_references_are_left_alone():
    body = (
        "Type `utilise` or see [the guide](/articles/utilise/) and "
        "<https://example.org/clinician>.\n\n[[clinic:clinician-name]]\n\n"
        "Rest for a day.[^note]\n\n[^note]: Clinicians utilise needles prior to treatment.\n"
    )

    assert check_writing(body).by_check.get("plain words") is None


@pytest.fixture
def word_list(settings, tmp_path):
    """Point the checks at a plain-words file of the test's own."""
    path = tmp_path / "plain-words.yaml"
    settings.PLAIN_WORDS_FILE = path
    return path


def test_the_list_is_read_again_when_it_changes(word_list):
    word_list.write_text("needle: pin\n", encoding="utf-8")
    assert check_writing("A thin needle.\n").warnings == [plain_word_warning("pin", "needle")]

    word_list.write_text("thin: fine\n# a comment, and a longer file\n", encoding="utf-8")

    assert check_writing("A thin needle.\n").warnings == [plain_word_warning("fine", "thin")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "{path} is missing"),
        ("needle: [pin\n", "{path} is not written as the list should be on line 2"),
        ("- needle\n- pin\n", "{path} should be lines of “hard word: plainer word”, and is not"),
        (b"needle: \xff\n", "{path} could not be read ("),
    ],
    ids=["missing", "not YAML", "not a list of pairs", "not UTF-8"],
)
def test_a_missing_or_broken_list_is_reported_and_the_other_checks_run(word_list, text, problem):
    if isinstance(text, bytes):
        word_list.write_bytes(text)
    elif text is not None:
        word_list.write_text(text, encoding="utf-8")

    report = check_writing("A needle is rare. About 19% of people.\n")

    warning = report.by_check["plain words"][0]
    assert warning.startswith(
        "The plain-words check could not use all of its list: " + problem.format(path=word_list)
    )
    assert warning.endswith(
        ". The other checks ran. Ask whoever looks after the site to correct the file."
    )
    assert report.by_check.keys() == {"numbers", "how often", "plain words"}
    assert len(report.by_check["plain words"]) == 1


def test_lines_that_are_not_word_pairs_are_named_and_the_rest_are_used(word_list):
    word_list.write_text("needle: pin\nno: never\nthin:\n", encoding="utf-8")

    assert check_writing("A thin needle.\n").by_check["plain words"] == [
        f"The plain-words check could not use all of its list: {word_list} has lines that are "
        "not “hard word: plainer word” (False: never; thin: None); put quotes around a word "
        "such as yes, no, on or off. The other checks ran. Ask whoever looks after the site "
        "to correct the file.",
        plain_word_warning("pin", "needle"),
    ]


def test_an_empty_list_checks_nothing_and_says_nothing(word_list):
    word_list.write_text("# No words yet.\n", encoding="utf-8")

    assert check_writing("We utilise a needle.\n").warnings == []


# The SMOG grade, beside the reading grade.

SMOG_TEXT = (
    "Dry needling uses very thin needles. Most people feel a small twitch in the muscle. Rest "
    "for the rest of the day."
)


def test_smog_grade_of_a_known_text():
    assert smog_grade(SMOG_TEXT) == 3.1
    assert smog_grade("The cat sat on the mat. It was a sunny day.") is None
    assert smog_grade("  ") is None


def test_a_word_is_hyphenated_once_however_many_texts_use_it():
    """Grading counts syllables word by word; a site's texts share most of their words."""
    from articles import grades

    remembered = grades._counter.pyphen.positions
    smog_grade(SMOG_TEXT)
    before = remembered.cache_info()
    smog_grade(SMOG_TEXT)
    reading_grade(SMOG_TEXT)
    after = remembered.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_syllables_are_remembered_word_by_word_and_never_a_whole_text():
    from articles import grades

    # textstat remembers its last 128 texts' grades itself: these two are graded nowhere else.
    text = "Needles can feel odd. Muscles may twitch twice. Bruises fade within a week."
    again = "Muscles may twitch twice. Needles can feel odd. Bruises fade within a week."
    words = grades._counter.syllable_count.of_word
    words.cache_clear()
    smog_grade(text)
    first = words.cache_info()
    smog_grade(again)

    assert first.currsize == len(set(text.split()))
    assert words.cache_info().misses == first.misses
    assert words.cache_info().currsize == first.currsize


def test_the_report_gives_the_smog_grade_of_the_reading_text():
    report = check_writing(f"## Today\n\n{SMOG_TEXT}\n")

    assert report.smog == smog_grade("Today. " + SMOG_TEXT) == 3.1
    assert report.warnings == []


def test_a_smog_grade_over_9_is_pointed_out():
    body = (
        "Physiotherapists evaluate musculoskeletal conditions carefully. Intramuscular "
        "stimulation is administered individually. Practitioners document complications "
        "systematically. Everyone understands the procedure.\n"
    )

    report = check_writing(body)

    assert report.smog == 14.6
    assert report.by_check["SMOG"] == [
        "The SMOG grade is 14.6. Aim for 9 or below: use fewer long words (words of three "
        "syllables or more) and shorter sentences."
    ]
    assert report.warnings[-1] == report.by_check["SMOG"][0]


def test_numbers_too_long_or_too_small_to_write_out_are_quoted_short():
    long_decimal = "9" * 40 + ".5"
    tiny_share = "0." + "0" * 40 + "1%"

    assert check_writing(f"It was {long_decimal} and {tiny_share} of them.\n").warnings == [
        "“0.0000000000000000000000000000…” is a percentage, which many patients find hard to "
        "picture. Write it as “N in D” instead: “fewer than 1 in 1,000,000”.",
        "“999999999999999999999999999999…” has a decimal point, which many patients find hard "
        "to use. Round it to a whole number (“about 10,000,000,000,000,000,000,000…”), or if it "
        "is a share of people, write it as “N in D” (for example “about 1 in 4”).",
    ]


def test_a_long_list_with_any_characters_in_its_words_is_used_as_written(word_list):
    many = "".join(f"word{n}: plain{n}\n" for n in range(300))
    word_list.write_text(f'{many}"e.g.": for example\nstraße: road\n', encoding="utf-8")

    assert check_writing(
        "Say e.g. word299 or WORD7 on the STRAßE, not eg or word3000.\n"
    ).warnings == [
        plain_word_warning("for example", "e.g."),
        plain_word_warning("plain299", "word299"),
        plain_word_warning("plain7", "WORD7"),
        plain_word_warning("road", "STRAßE"),
    ]
