"""How hard a reading text is to read: its Flesch-Kincaid and SMOG grades (textstat). The
renderer works them out with each page; the writing checks judge them."""

import functools

import textstat

# textstat gives a SMOG grade only for three sentences or more (its formula is for 30).
SMOG_MIN_SENTENCES = 3


class _RememberedHyphenation:
    """Pyphen's hyphenation points, remembered word by word: textstat counts syllables by
    asking for every word of every text, and texts share most of their words."""

    def __init__(self, pyphen):
        self.positions = functools.lru_cache(maxsize=100_000)(pyphen.positions)


class _RememberedSyllables:
    """textstat's syllable count, remembered word by word: the SMOG grade counts a text's words
    one at a time, and textstat's own memory holds 128. A whole text is counted afresh."""

    LONGEST_WORD = 60

    def __init__(self, count):
        self.count = count
        self.of_word = functools.lru_cache(maxsize=100_000)(count)

    def __call__(self, text: str, lang=None) -> int:
        if lang is None and len(text) <= self.LONGEST_WORD and " " not in text:
            return self.of_word(text)
        return self.count(text, lang)


# textstat's functions are the methods of one object, which holds the hyphenator it asks and
# counts syllables with its own method.
_counter = textstat.textstat
_counter.pyphen = _RememberedHyphenation(_counter.pyphen)
_counter.syllable_count = _RememberedSyllables(_counter.syllable_count)


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of the reading text; None when there is nothing to read."""
    return textstat.flesch_kincaid_grade(text) if text.strip() else None


def smog_grade(text: str) -> float | None:
    """SMOG grade of the same reading text; None below ``SMOG_MIN_SENTENCES`` sentences."""
    if not text.strip() or textstat.sentence_count(text) < SMOG_MIN_SENTENCES:
        return None
    return textstat.smog_index(text)
