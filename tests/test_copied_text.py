"""How runs of eight words are found, to keep the clinic's old marketing copy out of the site
(the shipped articles are checked in test_shipped_content.py)."""

import hashlib
import re

from tests.copied_text import (
    HASHES_FILE,
    copied_runs,
    known_hashes,
    run_hash,
    runs,
    words,
)


def test_words_are_lower_cased_without_punctuation():
    assert words("Dry Needling—what’s it FOR? Sore/tight “knots”, 7,629 times.") == [
        "dry",
        "needling",
        "whats",
        "it",
        "for",
        "sore",
        "tight",
        "knots",
        "7",
        "629",
        "times",
    ]


def test_every_run_of_eight_words_is_taken_and_hashed():
    text = "One two three four five six seven eight nine."

    assert list(runs(text)) == [
        "one two three four five six seven eight",
        "two three four five six seven eight nine",
    ]
    assert list(runs("Only seven words are in this one.")) == []
    eight = "one two three four five six seven eight"
    assert run_hash(eight) == hashlib.sha256(eight.encode()).hexdigest()[:16] == "62d51a1fd36f8eb3"
    assert re.fullmatch(r"[0-9a-f]{16}", run_hash("x"))


def test_a_copied_run_is_found_whatever_its_capitals_and_punctuation():
    page = "Dry needling is used as a form of hands on treatment to release tension."
    hashes = {run_hash(run) for run in runs(page)}

    written = "Here, it is used as a form of Hands-on treatment: that is all."

    assert copied_runs(written, hashes) == [
        "is used as a form of hands on",
        "used as a form of hands on treatment",
    ]
    assert copied_runs("It is a form of treatment used by hand on.", hashes) == []


def test_the_hashes_file_holds_only_sorted_hashes_under_its_header():
    text = HASHES_FILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]

    assert text.startswith("# The first 16 hex characters of the SHA-256")
    assert lines == sorted(set(lines))
    assert all(re.fullmatch(r"[0-9a-f]{16}", line) for line in lines)
    assert len(known_hashes()) == len(lines) > 1000
