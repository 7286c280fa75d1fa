"""What a search means: the words of a query, less the words every question has ("does", "it",
"what"), each widened by the patient vocabulary (content/search-words.yaml: "blood thinners"
also finds "anticoagulants") and, when it is not a word this site uses, put right from the
site's own words ("neddle" is read as "needle")."""

import functools
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
from django.conf import settings

from . import wordfiles

logger = logging.getLogger(__name__)

MAX_QUERY_CHARACTERS = 200
MAX_QUERY_WORDS = 12
MIN_WORD = 2
WORD = re.compile(r"[^\W_]+")
# Words that carry no meaning of their own in a question.
STOP_WORDS = frozenset(
    """a about again all also am an and any are as at be been being but by can could did do
    does doing done for from get gets getting go going got had has have having he her here him
    his how i if in into is it its just let me might mine more most much my myself no nor not
    now of off on once only or other our out over please really same she should so some such
    tell than that the their them then there these they this those through to too until up
    us very want was way we were what when where which while who whom why will with would you
    your yours yourself t s ll ve re d m don doesn isn""".split()  # noqa: SIM905 (read as words)
)


def clean_query(query: str) -> str:
    """The query as text: control characters (NUL, which PostgreSQL refuses, escapes, line
    breaks) become spaces; invisible formatting (direction marks, zero-width spaces) and
    anything that is not a character is left out; at most MAX_QUERY_CHARACTERS."""
    kept = []
    for character in query[: MAX_QUERY_CHARACTERS * 4]:
        category = unicodedata.category(character)
        if category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs", "Cn"):
            kept.append(character)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARACTERS].strip()


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


def normalise(query: str) -> str:
    """The query as search reads it: its words, in small letters, one space apart. Two queries
    that normalise the same give the same page."""
    return " ".join(words_of(clean_query(query))[:MAX_QUERY_WORDS])


@functools.cache
def _stemmer():
    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=20000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words_of(text))


# The patient vocabulary.


@dataclass(frozen=True)
class Vocabulary:
    """Groups of words and phrases that mean the same to search, and what kept any line of the
    file from being read ("" when nothing did)."""

    groups: tuple[tuple[str, ...], ...]
    problem: str = ""

    @functools.cached_property
    def by_stems(self) -> dict[tuple[str, ...], int]:
        """Each listed word or phrase, as stems, to the group it is in."""
        found = {}
        for number, group in enumerate(self.groups):
            for term in group:
                found.setdefault(stems(term), number)
        return found

    @functools.cached_property
    def longest(self) -> int:
        return max((len(key) for key in self.by_stems), default=1)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(word for group in self.groups for term in group for word in words_of(term))


def vocabulary_stamp(path: Path | str | None = None) -> str:
    """Changes whenever the vocabulary file does (pages of search results name it)."""
    try:
        stat = Path(path or settings.SEARCH_WORDS_FILE).stat()
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def vocabulary(path: Path | str | None = None) -> Vocabulary:
    """The patient vocabulary as the file now reads (read again whenever it changes). A missing
    or broken file gives no groups and says why in the log: search works on without them."""
    path = Path(path or settings.SEARCH_WORDS_FILE)
    return wordfiles.read(path, _vocabulary)


def _vocabulary(shown: str, data, problem: str) -> Vocabulary:
    if problem:
        return _broken(Vocabulary((), problem))
    if data is None:
        return Vocabulary(())
    if not isinstance(data, list):
        return _broken(Vocabulary((), f"{shown} should be lines starting “- ”, and is not"))
    groups, refused = [], []
    for line in data:
        if not isinstance(line, str):
            refused.append(str(line))
            continue
        terms = tuple(
            dict.fromkeys(" ".join(words_of(term)) for term in line.split(",") if words_of(term))
        )
        if len(terms) >= 2:
            groups.append(terms)
        else:
            refused.append(line)
    vocabulary = Vocabulary(tuple(groups))
    if refused:
        problem = f"{shown} has lines that are not two or more words apart by commas: "
        return _broken(Vocabulary(vocabulary.groups, problem + "; ".join(refused)))
    return vocabulary


def _broken(vocabulary: Vocabulary) -> Vocabulary:
    logger.warning("Search cannot use all of its word list: %s.", vocabulary.problem)
    return vocabulary


# The site's own words, for putting typing slips right.


@dataclass(frozen=True)
class SiteWords:
    """Every word the published pages use, with how often, and their stems."""

    counts: Counter
    stems: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, texts) -> "SiteWords":
        counts = Counter()
        for text in texts:
            counts.update(word for word in words_of(text) if len(word) >= MIN_WORD)
        return cls(counts, frozenset(stem(word) for word in counts))

    @functools.cached_property
    def by_start(self) -> dict[str, list[str]]:
        found = {}
        for word in self.counts:
            found.setdefault(word[0], []).append(word)
        return found

    def knows(self, word: str) -> bool:
        return stem(word) in self.stems

    def closest(self, word: str, also: frozenset[str] = frozenset()) -> str | None:
        """The site's word nearest to a word it does not use: at most one letter out (two for
        a long word), the commonest on the site when several are as near."""
        allowed = 1 if len(word) <= 5 else 2
        best = None
        for candidate in [*self.by_start.get(word[0], ()), *also]:
            if candidate[0] != word[0] or abs(len(candidate) - len(word)) > allowed:
                continue
            distance = edit_distance(word, candidate, allowed)
            if distance > allowed:
                continue
            rank = (distance, -self.counts.get(candidate, 0), candidate)
            if best is None or rank < best:
                best = rank
        return best[2] if best else None


def edit_distance(first: str, second: str, most: int) -> int:
    """Letters added, left out, changed or swapped to make one word the other (more than
    ``most`` is given as most + 1)."""
    before, row = None, list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if before and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]


# What a query means.


@dataclass(frozen=True)
class Concept:
    """One thing a query asks about: the words as typed, and what finds it."""

    typed: str
    alternatives: tuple[str, ...]

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        return frozenset(s for term in self.alternatives for s in stems(term))


@dataclass(frozen=True)
class Understood:
    query: str
    concepts: tuple[Concept, ...]
    # The query with its slips put right ("" when it had none), and the words no page uses.
    corrected: str = ""
    unknown: tuple[str, ...] = ()


def understand(query: str, site: SiteWords, words: Vocabulary | None = None) -> Understood:
    words = words or vocabulary()
    query = normalise(query)
    typed = query.split()
    fixed, unknown = [], []
    for word in typed:
        if word in STOP_WORDS or word in words.words or site.knows(word):
            fixed.append(word)
            continue
        better = site.closest(word, words.words) if len(word) > 3 else None
        fixed.append(better or word)
        if not better:
            unknown.append(word)
    corrected = " ".join(fixed)
    # A word no page uses finds nothing: the rest of the query is searched for without it.
    known = [word for word in fixed if word not in unknown] or fixed
    return Understood(
        query=query,
        concepts=_concepts(known, words),
        corrected=corrected if corrected != query else "",
        unknown=tuple(unknown),
    )


def _concepts(typed: list[str], words: Vocabulary) -> tuple[Concept, ...]:
    """The query's words as concepts: listed phrases first (the longest that fits), then each
    other word that is not a question word. A query of question words only keeps them."""
    found, position = [], 0
    typed_stems = [stem(word) for word in typed]
    while position < len(typed):
        for length in range(min(words.longest, len(typed) - position), 0, -1):
            group = words.by_stems.get(tuple(typed_stems[position : position + length]))
            if group is not None and not (length == 1 and typed[position] in STOP_WORDS):
                text = " ".join(typed[position : position + length])
                found.append(Concept(text, tuple(dict.fromkeys((text, *words.groups[group])))))
                position += length
                break
        else:
            word = typed[position]
            if word not in STOP_WORDS and len(word) >= MIN_WORD:
                found.append(Concept(word, (word,)))
            position += 1
    if not found:
        found = [Concept(word, (word,)) for word in typed if len(word) >= MIN_WORD]
    # Two words of one group ("blood thinners warfarin") ask one thing.
    return tuple({frozenset(concept.alternatives): concept for concept in found}.values())
