"""The checks that keep patient text numerate and plain: a percentage or a decimal (to be
written as "N in D"), "rare" or "common" without a number, and the words of the plain-words list
(content/plain-words.yaml).

They read only what patients read as words (``PatientBlock``, made by writing.py from the page):
not the reference list, footnote numbers, drawings, link addresses, code or ``[[...]]``
shortcodes. They read headings and table cells too, except that a heading may say "common" or
"rare" without a number: it names a topic, and the number belongs in the text under it.
"""

import functools
import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings

from . import wordfiles

logger = logging.getLogger(__name__)

QUOTED_WORDS = 6
QUOTED_CHARACTERS = 30
# How far before and after a decimal number the checks look to see what it is.
NEAR = 40
# The largest "in D" a percentage is written as.
MAX_OUT_OF = 10**6
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
HEADING = re.compile(r"h[1-6]$")
# The shortcodes ([[figure:...]], [[block:...]], [[risk:...]], [[clinic:...]]): the page shows
# something else there.
SHORTCODE = re.compile(r"\[\[[^\[\]]*\]\]")

# A number as it is written in prose: "7", "7,629", "36.7".
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A percentage, or a range of them: "19%", "0.04 %", "36.7 per cent", "3 to 6%".
PERCENTAGE = re.compile(
    rf"(?<![\w.,])(?P<low>{NUMBER})(?:\s*(?:-|–|to)\s*(?P<high>{NUMBER}))?\s*(?:%|per\s?cent\b)",
    re.I,
)
# A decimal number: not a run of dotted numbers ("1.2.3", "21.11.2026"), not part of a word
# ("v2.5") and not part of a longer number.
DECIMAL = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+(?![.,]?\d|\w*\.\d)")
CURRENCY = ("£", "$", "€")
# Words after which a decimal is a name, not an amount: "section 2.1", "version 4.2".
NUMBERING_WORD = re.compile(
    r"\b(?:v|version|release|section|chapter|table|figure|fig|step|part|page|paragraph|"
    r"clause|item|question|appendix|no|number)\.?\s*\Z",
    re.I,
)
# "1.2 What to expect": the number of a section, at the start of a heading, item or paragraph.
LEADING_NUMBERING = re.compile(r"\A\d+(?:\.\d+)+\s+(?=[A-Z])")
# A time ("10.30am", "at 9.15", "9.00–5.30") and a month ("11.2026") are not amounts.
CLOCK = re.compile(r"(?:[01]?\d|2[0-3])\.[0-5]\d\Z")
CLOCK_AFTER = re.compile(r"\A\s*(?:am\b|pm\b|a\.m\.|p\.m\.|hrs\b|o.clock\b|[-–]\s*\d)", re.I)
CLOCK_BEFORE = re.compile(
    r"(?:\b(?:at|from|until|till|by|before|after|between|opens?|closes?)\s+|\d\s*[-–]\s*)\Z",
    re.I,
)
MONTH_YEAR = re.compile(r"(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d\Z")

# Words that say how often something happens without saying how often.
HOW_OFTEN = re.compile(r"\b(?:very\s+)?(?:rare|rarely|common|commonly|uncommon)\b", re.I)
# ... unless "common" does not mean "often" there.
NOT_HOW_OFTEN = re.compile(
    r"\bin\s+common\b|\bcommon\s+(?:sense|cold|ground|law|names?|questions?)\b"
    r"|\bcommonly\s+(?:called|known|named|referred)\b",
    re.I,
)
# A number in the same sentence: figures (a year such as 2014 is not one), a number word, or a
# risk figure's shortcode.
A_NUMBER = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|quarter)\b"
    r"|\bone\s+(?:in|out\s+of|of)\b|\[\[risk:"
    r"|(?<![\d,.])(?!(?:19|20)\d\d(?!\d|[,.]\d))\d",
    re.I,
)


@dataclass(frozen=True)
class PatientBlock:
    """A block of what patients read as words (see ``_Page``): its tag, its text, and for a
    table cell the row it is in."""

    tag: str
    text: str
    row: int | None = None

    @property
    def words(self) -> str:
        """The text without shortcodes, which the page shows as something else."""
        return " ".join(SHORTCODE.sub(" ", self.text).split())


def number_warnings(blocks: list[PatientBlock]) -> list[str]:
    """Percentages and decimals: many patients misread them; "N in D" is read right."""
    warnings = []
    for block in blocks:
        text = LEADING_NUMBERING.sub("", block.words)
        taken = []
        for match in PERCENTAGE.finditer(text):
            taken.append(match.span())
            warnings.append(_percentage_warning(match))
        for match in DECIMAL.finditer(text):
            inside = any(start <= match.start() < end for start, end in taken)
            if not inside and _is_an_amount(text, match):
                warnings.append(_decimal_warning(match.group()))
    return list(dict.fromkeys(warnings))


def _is_an_amount(text: str, match: re.Match) -> bool:
    """Whether a decimal number is an amount patients must take in, rather than money, a
    time, a month, or the number of a section or version."""
    # What comes just before and after is enough, and keeps a long text quick to check.
    before = text[max(0, match.start() - NEAR) : match.start()]
    after, number = text[match.end() : match.end() + NEAR], match.group()
    if before.rstrip().endswith(CURRENCY) or NUMBERING_WORD.search(before):
        return False
    if MONTH_YEAR.match(number):
        return False
    return not (CLOCK.match(number) and (CLOCK_AFTER.match(after) or CLOCK_BEFORE.search(before)))


def _percentage_warning(match: re.Match) -> str:
    written = " ".join(match.group().split())
    low, high = _value(match.group("low")), _value(match.group("high") or "")
    numbers = [low] if high is None else [low, high]
    if max(numbers) > 100:
        advice = "Say what it means in words instead, for example “twice as many”."
    elif max(numbers) == 0:
        advice = "Write “none” instead."
    elif min(numbers) == 100:
        advice = "Write “all” instead."
    else:
        advice = f"Write it as “N in D” instead: “{_in_every(numbers)}”."
    return (
        f"“{_quoted(written)}” is a percentage, which many patients find hard to picture. {advice}"
    )


def _decimal_warning(written: str) -> str:
    value = _value(written)
    if value >= 1:
        rounded = _quoted(f"{_whole(value):,}")
        advice = (
            f"Round it to a whole number (“about {rounded}”), or if it is a share of people, "
            "write it as “N in D” (for example “about 1 in 4”)."
        )
    else:
        advice = (
            "If it is a share of people, write it as “N in D” "
            f"(“{_in_every([value * 100])}”); if it is a size, use words or a smaller unit."
        )
    return (
        f"“{_quoted(written)}” has a decimal point, which many patients find hard to use. {advice}"
    )


def _quoted(written: str) -> str:
    return written if len(written) <= QUOTED_CHARACTERS else written[:QUOTED_CHARACTERS] + "…"


def _value(written: str) -> Decimal | None:
    return Decimal(written.replace(",", "")) if written else None


def _in_every(percentages: list[Decimal]) -> str:
    """The percentages as "about 19 in 100" (19%), "about 4 in 10,000" (0.04%) or "about 3 to 6
    in 100" (3–6%): the first of "in 100", "in 1,000"... that keeps each number within a tenth
    of itself."""
    if not any(percentages):
        return "none"
    out_of = 100
    while out_of <= MAX_OUT_OF:
        counts = [p * out_of / 100 for p in percentages]
        whole = [_whole(count) for count in counts]
        pairs = zip(whole, counts, strict=True)
        if all(w >= 1 and abs(w - c) <= c / 10 for w, c in pairs if c):
            shown = " to ".join(f"{w:,}" for w in dict.fromkeys(whole))
            return f"about {shown} in {out_of:,}"
        out_of *= 10
    return f"fewer than 1 in {MAX_OUT_OF:,}"


def _whole(number: Decimal) -> Decimal:
    return number.to_integral_value(rounding=ROUND_HALF_UP)


def how_often_warnings(blocks: list[PatientBlock]) -> list[str]:
    """Words such as "rare" and "common" mean very different things to different readers, so
    a sentence that uses them gives the number. A table row reads as one sentence; a heading is
    let off."""
    warnings = []
    for sentence in _patient_sentences(blocks):
        words = HOW_OFTEN.findall(NOT_HOW_OFTEN.sub(" ", sentence))
        if not words or A_NUMBER.search(sentence):
            continue
        named = " and ".join(f"“{word}”" for word in dict.fromkeys(w.lower() for w in words))
        does = "do" if " and " in named else "does"
        start = " ".join(SHORTCODE.sub(" ", sentence).split()[:QUOTED_WORDS])
        warnings.append(
            f"{named} {does} not say how often (“{start}…”). Give the number in "
            "the same sentence, for example “about 1 in 1,000”."
        )
    return list(dict.fromkeys(warnings))


def _patient_sentences(blocks: list[PatientBlock]) -> list[str]:
    """The sentences of every block but the headings; the cells of a table row together."""
    sentences: list[str] = []
    row: int | None = None
    for block in blocks:
        if HEADING.match(block.tag):
            row = None
            continue
        if block.row is not None and block.row == row:
            sentences[-1] += " | " + block.text
            continue
        row = block.row
        if block.row is not None:
            sentences.append(block.text)
        else:
            sentences.extend(s for s in SENTENCE_END.split(block.text) if s.split())
    return sentences


# The plain-words list: content/plain-words.yaml (settings.PLAIN_WORDS_FILE).


@dataclass(frozen=True)
class PlainWords:
    """The hard words of the plain-words list, each with its plainer alternative, and what
    kept any of the list from being read ("" when nothing did)."""

    alternatives: dict[str, str]
    problem: str = ""

    @functools.cached_property
    def _words(self) -> list[str]:
        # Longest first, so "adverse events" is found rather than "adverse event".
        return sorted(self.alternatives, key=len, reverse=True)

    @functools.cached_property
    def pattern(self) -> re.Pattern | None:
        """Any listed word, as a whole word, whatever its capitals; the group that matched
        (``w0``, ``w1``...) names the word (see ``alternative``)."""
        if not self.alternatives:
            return None
        spaced = r"\s+"
        phrases = [
            f"(?P<w{n}>{spaced.join(map(re.escape, word.split()))})"
            for n, word in enumerate(self._words)
        ]
        return re.compile(rf"(?<![\w-])(?:{'|'.join(phrases)})(?![\w-])", re.I)

    def alternative(self, match: re.Match) -> tuple[str, str]:
        """The listed word a match of ``pattern`` found, and its alternative."""
        word = self._words[int(match.lastgroup[1:])]
        return word, self.alternatives[word]


def plain_words(path: Path | str | None = None) -> PlainWords:
    """The plain-words list as the file now reads (read again whenever it changes). A missing
    or broken file gives an empty list and says why: the editor works on without this check."""
    path = Path(path or settings.PLAIN_WORDS_FILE)
    return wordfiles.read(path, _plain_words)


def _plain_words(shown: str, data, problem: str) -> PlainWords:
    if problem:
        return _broken(PlainWords({}, problem))
    if data is None:
        return PlainWords({})
    if not isinstance(data, dict):
        return _broken(
            PlainWords({}, f"{shown} should be lines of “hard word: plainer word”, and is not")
        )
    alternatives, refused = {}, []
    for word, alternative in data.items():
        if isinstance(word, str) and isinstance(alternative, str) and word.strip():
            alternatives[" ".join(word.lower().split())] = alternative.strip()
        else:
            refused.append(f"{word}: {alternative}")
    problem = ""
    if refused:
        problem = (
            f"{shown} has lines that are not “hard word: plainer word” ({'; '.join(refused)}); "
            "put quotes around a word such as yes, no, on or off"
        )
    return _broken(PlainWords(alternatives, problem)) if problem else PlainWords(alternatives)


def _broken(words: PlainWords) -> PlainWords:
    logger.warning("The plain-words check cannot use all of its list: %s.", words.problem)
    return words


def plain_word_warnings(blocks: list[PatientBlock]) -> list[str]:
    listed = plain_words()
    warnings = []
    if listed.problem:
        warnings.append(
            f"The plain-words check could not use all of its list: {listed.problem}. The "
            "other checks ran. Ask whoever looks after the site to correct the file."
        )
    if listed.pattern is None:
        return warnings
    found: dict[tuple[str, str], list[str]] = {}
    for block in blocks:
        for match in listed.pattern.finditer(block.words):
            found.setdefault(listed.alternative(match), []).append(match.group())
    for (_, alternative), written in found.items():
        times = f" ({len(written)} times)" if len(written) > 1 else ""
        warnings.append(
            f"Write “{alternative}” instead of “{written[0]}”{times}: everyday words are easier "
            "for patients."
        )
    return warnings
