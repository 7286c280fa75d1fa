"""Writing checks for the article editor: how an article reads, and what in it would hurt patients.

Every check reads what the one renderer makes of the body, so it judges what patients will see.
"""

import html
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import textstat

from . import markdown as renderer
from .uploads import ALT_PLACEHOLDER

WORDS_PER_MINUTE = 200
MAX_GRADE = 8
MAX_SENTENCE_WORDS = 30
QUOTED_WORDS = 6
VAGUE_LINK_TEXTS = {"click here", "here", "read more", "this link", "link"}

HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote", "div"}


@dataclass(frozen=True)
class WritingReport:
    grade: float | None
    words: int
    minutes: int
    warnings: list[str] = field(default_factory=list)


def word_count(text: str) -> int:
    return len(text.split())


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of the reading text; None when there is nothing to read."""
    return textstat.flesch_kincaid_grade(text) if text.strip() else None


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def check_writing(body: str, rendered: renderer.Rendered | None = None) -> WritingReport:
    """How the body reads and, in plain words for staff, each problem patients would meet.

    ``rendered`` is ``render(body)`` when the caller already has it."""
    rendered = rendered or renderer.render(body)
    words = word_count(rendered.text)
    grade = reading_grade(rendered.text)
    page = _Page()
    page.feed(rendered.html)
    page.close()
    warnings = [
        *_heading_warnings(body),
        *_picture_warnings(page.pictures),
        *_link_warnings(page.link_texts),
        *_sentence_warnings(page.blocks),
    ]
    if grade is not None and grade > MAX_GRADE:
        warnings.append(
            f"The reading grade is {grade:.1f}. Aim for {MAX_GRADE} or below: use shorter "
            "sentences and everyday words."
        )
    warnings.extend(renderer.unknown_includes(body))
    return WritingReport(
        grade=grade, words=words, minutes=reading_minutes(words), warnings=warnings
    )


def _heading_warnings(body: str) -> list[str]:
    # The sanitised HTML has no h1 (the page title is the only one), so the headings are read
    # from the renderer's own parse, before sanitising.
    source = renderer._markdown().convert(body or "")
    warnings = []
    previous = 1
    for level_text, inner in HEADING.findall(source):
        level = int(level_text)
        name = html.unescape(TAG.sub("", inner)).strip()
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

    References, footnote numbers and drawings are left out, as in the renderer's reading text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pictures: list[tuple[str, str]] = []
        self.link_texts: list[str] = []
        self.blocks: list[str] = []
        self._block: list[str] = []
        self._link: list[str] | None = None
        self._skipped: str | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if self._skipped:
            if tag == self._skipped:
                self._skip_depth += 1
            return
        if (
            tag == "figure"
            or (tag == "div" and values.get("class") == "footnote")
            or (tag == "sup" and "id" in values)
        ):
            self._end_block()
            self._skipped, self._skip_depth = tag, 1
        elif tag == "img":
            self.pictures.append((values.get("src", ""), values.get("alt", "")))
        elif tag == "a":
            self._link = []
        elif tag in BLOCK_TAGS or tag == "br":
            self._end_block()

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
        elif tag in BLOCK_TAGS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self._skipped:
            return
        self._block.append(data)
        if self._link is not None:
            self._link.append(data)

    def close(self) -> None:
        super().close()
        self._end_block()

    def _end_block(self) -> None:
        text = " ".join("".join(self._block).split())
        if text:
            self.blocks.append(text)
        self._block = []
