"""Writing checks for the article editor: how an article reads, and what in it would hurt patients.

Every check reads what the one renderer makes of the body, so it judges what patients will see.

The checks that keep the text numerate and plain are in plainlanguage.py; the page is read for
them here.
"""

import logging
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import markdown as renderer
from . import plainlanguage
from .grades import reading_grade, smog_grade
from .plainlanguage import QUOTED_WORDS, SENTENCE_END, PatientBlock
from .uploads import ALT_PLACEHOLDER

logger = logging.getLogger(__name__)

WORDS_PER_MINUTE = 200
MAX_GRADE = 8
MAX_SMOG = 9
MAX_SENTENCE_WORDS = 30
SHORT_SENTENCE_WORDS = 6
SHORT_RUN = 3
VAGUE_LINK_TEXTS = {"click here", "here", "read more", "this link", "link"}

NOT_PROSE = re.compile(r"h[1-6]|td|th$")
BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote", "div"}
CODE_TAGS = {"code", "pre"}

# The checks that keep patient text numerate and plain: ``WritingReport.by_check`` files their
# warnings under these names.
PLAIN_LANGUAGE_CHECKS = ("numbers", "how often", "plain words", "SMOG")

# What a callout box from the editor's Insert menu says until staff write its text.
BOX_PLACEHOLDER = "Write what the box says here."

# Words patients do not read as words: an address (a link's text may be its address); the
# shortcodes are left out in plainlanguage.py.
ADDRESS = re.compile(r"\b(?:https?://|mailto:|tel:|www\.)\S+|\S+@\S+\.\w+", re.I)


@dataclass(frozen=True)
class WritingReport:
    grade: float | None
    words: int
    minutes: int
    smog: float | None = None
    warnings: list[str] = field(default_factory=list)
    sentence_lengths: list[int] = field(default_factory=list, repr=False)
    # The warnings again, under the name of the check that found them (only checks that did).
    by_check: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def average_sentence_words(self) -> float:
        lengths = self.sentence_lengths
        return round(sum(lengths) / len(lengths), 1) if lengths else 0.0

    @property
    def short_sentence_share(self) -> float:
        """The share of sentences of ``SHORT_SENTENCE_WORDS`` words or fewer."""
        lengths = self.sentence_lengths
        short = sum(1 for n in lengths if n <= SHORT_SENTENCE_WORDS)
        return round(short / len(lengths), 2) if lengths else 0.0


@dataclass(frozen=True)
class ReadingLength:
    words: int
    minutes: int


def reading_length(rendered: renderer.Rendered) -> ReadingLength:
    """How long the page is to read: the one count that the editor's live panel, the saved
    article and its public page all show."""
    return ReadingLength(words=rendered.words, minutes=reading_minutes(rendered.words))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def check_writing(body: str, rendered: renderer.Rendered | None = None) -> WritingReport:
    """How the body reads and, in plain words for staff, each problem patients would meet.

    ``rendered`` is ``render(body)`` when the caller already has it."""
    rendered = rendered or renderer.render(body)
    length = reading_length(rendered)
    grade = reading_grade(rendered.text)
    smog = smog_grade(rendered.text)
    page = _Page()
    page.feed(rendered.html)
    page.close()
    found = {
        "headings": _heading_warnings(rendered.headings),
        "pictures": _picture_warnings(page.pictures),
        "boxes": [
            f"A box still says “{BOX_PLACEHOLDER}” Replace that with what patients need to know."
        ]
        if BOX_PLACEHOLDER in rendered.text
        else [],
        "pictures on other sites": [
            f"The picture “{alt}” ({src}) is on another site, so patients will not see it: "
            "their browser would ask that site for it. Add it with “Add a picture…” instead."
            for src, alt in rendered.offsite_pictures
        ],
        "links": _link_warnings(page.link_texts),
        "long sentences": _sentence_warnings(page.blocks),
        "short sentences": _short_run_warnings(page.blocks),
        "numbers": plainlanguage.number_warnings(page.patient_blocks),
        "how often": plainlanguage.how_often_warnings(page.patient_blocks),
        "plain words": plainlanguage.plain_word_warnings(page.patient_blocks),
        "grade": [],
        "SMOG": [],
        "names": renderer.unknown_includes(body),
    }
    if grade is not None and grade > MAX_GRADE:
        found["grade"].append(
            f"The reading grade is {grade:.1f}. Aim for {MAX_GRADE} or below: use shorter "
            "sentences and everyday words."
        )
    if smog is not None and smog > MAX_SMOG:
        found["SMOG"].append(
            f"The SMOG grade is {smog:.1f}. Aim for {MAX_SMOG} or below: use fewer long words "
            "(words of three syllables or more) and shorter sentences."
        )
    by_check = {name: warnings for name, warnings in found.items() if warnings}
    return WritingReport(
        grade=grade,
        words=length.words,
        minutes=length.minutes,
        smog=smog,
        warnings=[warning for warnings in by_check.values() for warning in warnings],
        sentence_lengths=[len(s.split()) for s in _sentences(page.prose)],
        by_check=by_check,
    )


def _heading_warnings(headings: list[tuple[int, str]]) -> list[str]:
    warnings = []
    previous = 1
    for level, name in headings:
        if level == 1:
            warnings.append(
                f"The heading “{name}” starts with one #, which is kept for the page title. "
                "Start it with ## instead."
            )
        elif level > previous + 1:
            after = "the page title" if previous == 1 else f"a {'#' * previous} heading"
            warnings.append(
                f"The heading “{name}” skips a level: it follows {after} but starts with "
                f"{'#' * level}. Start it with {'#' * (previous + 1)} instead."
            )
        previous = level
    return warnings


def _picture_warnings(pictures: list[tuple[str, str]]) -> list[str]:
    warnings = []
    for src, alt in pictures:
        if not alt.strip():
            warnings.append(
                f"A picture ({src}) has no description. Describe what it shows, for patients "
                "who cannot see it."
            )
        elif alt.strip() == ALT_PLACEHOLDER:
            warnings.append(
                f"A picture ({src}) still says “{ALT_PLACEHOLDER}”. Replace that with what "
                "the picture shows."
            )
    return warnings


def _link_warnings(texts: list[str]) -> list[str]:
    vague = [text for text in texts if _normalised(text) in VAGUE_LINK_TEXTS]
    return [
        f"The link “{text}” does not say where it goes. Use words that name the page instead."
        for text in dict.fromkeys(vague)
    ]


def _sentences(blocks: list[str]) -> list[str]:
    return [s for block in blocks for s in SENTENCE_END.split(block) if s.split()]


def _short_run_warnings(blocks: list[str]) -> list[str]:
    """Runs of very short sentences in one paragraph read in bursts."""
    warnings = []
    for block in blocks:
        run: list[str] = []
        for sentence in [*SENTENCE_END.split(block), ""]:
            if sentence.split() and len(sentence.split()) <= SHORT_SENTENCE_WORDS:
                run.append(sentence)
                continue
            if len(run) >= SHORT_RUN:
                warnings.append(
                    f"{len(run)} very short sentences in a row (“{' '.join(run)[:60]}…”) make "
                    "the text read in bursts. Join some of them."
                )
            run = []
    return warnings


def _sentence_warnings(blocks: list[str]) -> list[str]:
    warnings = []
    for block in blocks:
        for sentence in SENTENCE_END.split(block):
            words = sentence.split()
            if len(words) > MAX_SENTENCE_WORDS:
                start = " ".join(words[:QUOTED_WORDS])
                warnings.append(
                    f"A sentence has {len(words)} words (“{start}…”). Sentences over "
                    f"{MAX_SENTENCE_WORDS} words are hard to follow: split it up."
                )
    return warnings


def _normalised(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .,:;!…")


class _Page(HTMLParser):
    """Reads rendered article HTML: its pictures, its link texts and its blocks of text.

    References, footnote numbers and drawings are left out, as in the renderer's reading text.
    ``patient_blocks`` also leaves out code and addresses, and is not broken at a footnote
    number."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pictures: list[tuple[str, str]] = []
        self.link_texts: list[str] = []
        self.blocks: list[str] = []
        self.prose: list[str] = []  # the blocks that are not headings or table cells
        self.patient_blocks: list[PatientBlock] = []
        self._block: list[str] = []
        self._patient: list[str] = []
        self._tag = ""
        self._row: int | None = None
        self._rows = 0
        self._code_depth = 0
        self._link: list[str] | None = None
        self._skipped: str | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if self._skipped:
            if tag == self._skipped:
                self._skip_depth += 1
            return
        if tag == "sup" and "id" in values:
            self._end_block(patient=False)
            self._skipped, self._skip_depth = tag, 1
        elif tag == "figure" or (tag == "div" and values.get("class") == "footnote"):
            self._end_block()
            self._skipped, self._skip_depth = tag, 1
        elif tag == "img":
            self.pictures.append((values.get("src", ""), values.get("alt", "")))
        elif tag == "a":
            self._link = []
        elif tag in CODE_TAGS:
            self._code_depth += 1
        elif tag == "tr":
            self._end_block()
            self._rows += 1
            self._row = self._rows
        elif tag in BLOCK_TAGS or tag == "br":
            self._end_block()
            self._tag = tag if tag != "br" else self._tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipped:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skipped:
            if tag == self._skipped:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skipped = None
            return
        if tag == "a" and self._link is not None:
            self.link_texts.append(" ".join("".join(self._link).split()))
            self._link = None
        elif tag in CODE_TAGS:
            self._code_depth = max(0, self._code_depth - 1)
        elif tag == "tr":
            self._end_block()
            self._row = None
        elif tag in BLOCK_TAGS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self._skipped:
            return
        self._block.append(data)
        if not self._code_depth:
            self._patient.append(data)
        if self._link is not None:
            self._link.append(data)

    def close(self) -> None:
        super().close()
        self._end_block()

    def _end_block(self, patient: bool = True) -> None:
        text = " ".join("".join(self._block).split())
        if text:
            self.blocks.append(text)
            if not NOT_PROSE.match(self._tag):
                self.prose.append(text)
        self._block = []
        if patient:
            words = " ".join(ADDRESS.sub(" ", "".join(self._patient)).split())
            if words:
                self.patient_blocks.append(PatientBlock(self._tag, words, self._row))
            self._patient = []
