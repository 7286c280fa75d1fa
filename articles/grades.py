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


# textstat's functions are the methods of one object, which holds the hyphenator it asks.
_counter = textstat.textstat
_counter.pyphen = _RememberedHyphenation(_counter.pyphen)


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of the reading text; None when there is nothing to read."""
    return textstat.flesch_kincaid_grade(text) if text.strip() else None


def smog_grade(text: str) -> float | None:
    """SMOG grade of the same reading text; None below ``SMOG_MIN_SENTENCES`` sentences."""
    if not text.strip() or textstat.sentence_count(text) < SMOG_MIN_SENTENCES:
        return None
    return textstat.smog_index(text)
