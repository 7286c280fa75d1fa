"""The editor's writing checks: how an article reads, and what in it would hurt patients."""

import pytest

from articles.writing import (
    WritingReport,
    check_writing,
    reading_grade,
    reading_minutes,
    word_count,
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
            "Physiotherapists administer intramuscular stimulation utilising monofilament "
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

    assert word_count(text) == 15
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
