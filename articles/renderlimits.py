"""How much work one text may cost the renderer, and how that is bounded: its length, how deep
its parts sit inside one another, how far a link or footnote is looked for, and processor time.
So nothing an editor types can hold a worker (each limit was measured: see
tests/test_render_limits.py)."""

import functools
import re
import time
from xml.etree import ElementTree

import markdown
from django.core.exceptions import ValidationError
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteInlineProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

MAX_BODY_CHARACTERS = 50_000
# Text without a blank line (a paragraph, a list, a table): the block parser tests the rest of
# a block again after each heading or line it takes off its top.
MAX_BLOCK_CHARACTERS = 5_000
# With its blocks and cited sources filled in.
MAX_EXPANDED_CHARACTERS = MAX_BODY_CHARACTERS + 10_000
# Lists, quotes and callouts inside one another.
MAX_NESTING = 8
# The block parser's own depth (an indented list takes two steps a level), checked while it
# parses: past this, the text is deeper than MAX_NESTING whatever it holds.
MAX_PARSE_DEPTH = 2 * MAX_NESTING + 4
# Any element inside another, emphasis and links included.
MAX_TREE_DEPTH = 40
NESTING_TAGS = {"ul", "ol", "blockquote", "div"}
# A safety net for slow inputs not foreseen here, in processor time used by the rendering thread
# (a long article takes a few hundredths): a render that only waits, on a machine busy with other
# work, is never refused.
RENDER_SECONDS = 1.0
# The time is read before the first step and every CLOCK_EVERY steps after: reading a thread's
# processor time is a system call, dearer than most steps.
CLOCK_EVERY = 50
# How far a link's or picture's text, and its address, are looked for, and how many brackets
# deep; Python-Markdown looks to the end of the paragraph, for every "[" and "(".
LINK_SCAN_CHARACTERS = 2_000
LINK_BRACKETS = 3
LINK_PARENTHESES = 8
BRACKET = re.compile(r"[\[\]]")
PARENTHESIS = re.compile(r"[()]")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
TABLE_RULE = frozenset("|:- ")
FOOTNOTE_MARK = re.compile(r"\[\^([^\]]{0,200})\]")
FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]]{0,200})\]:[ ]*(.*)$", re.MULTILINE)


class RenderError(ValidationError):
    """Says, in words for staff, why a text cannot be turned into a page."""


def too_long_message(length: int) -> str:
    return (
        f"The text is {length:,} characters long. An article can have at most "
        f"{MAX_BODY_CHARACTERS:,}: split it into two articles."
    )


def long_block_message(block: str) -> str:
    start = " ".join(block.split())[:40].strip()
    return (
        f"The part that starts “{start}” runs to {len(block):,} characters without a blank "
        f"line. Put a blank line between paragraphs; a list or a table can be at most "
        f"{MAX_BLOCK_CHARACTERS:,} characters."
    )


TOO_LONG_WITH_BLOCKS = (
    "With its blocks and sources filled in, the text is longer than "
    f"{MAX_EXPANDED_CHARACTERS:,} characters. Include fewer blocks."
)
TOO_DEEP = (
    f"Lists, quotes or callouts are put inside one another more than {MAX_NESTING} deep. "
    "Bring the inner ones out a level or two."
)
TOO_DEEP_INLINE = (
    "Bold, italic or link marks (* _ [) are put inside one another too deeply. Close each "
    "one before the next one starts."
)
TOO_SLOW = (
    "This text takes too long to turn into a page. Look for long runs of the same symbol "
    "(such as [ ( * _ ` or >), or a great many very short lines, and take them out."
)


class _DepthProcessor(Treeprocessor):
    """Refuses a tree nested too deeply: lists, quotes and callouts more than MAX_NESTING deep,
    or anything (emphasis inside emphasis) more than MAX_TREE_DEPTH; the steps after this one,
    and the sanitiser, walk the tree recursively."""

    def run(self, root: ElementTree.Element) -> None:
        stack = [(root, 0, 0)]
        while stack:
            element, depth, nesting = stack.pop()
            if nesting > MAX_NESTING:
                raise RenderError(TOO_DEEP, code="too_deep")
            if depth > MAX_TREE_DEPTH:
                raise RenderError(TOO_DEEP_INLINE, code="too_deep")
            for child in element:
                stack.append((child, depth + 1, nesting + (child.tag in NESTING_TAGS)))


def _shorten_scans(md: markdown.Markdown) -> None:
    """Python-Markdown looks for the end of a link, a picture or a footnote mark as far as the
    end of the paragraph, once for every "[" or "(": a run of them takes quadratic time. Here
    each is looked for a bounded distance and a few brackets deep."""
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            pattern.getText = _link_text
            pattern.getLink = functools.partial(_link_address, pattern.getLink)
        elif isinstance(pattern, FootnoteInlineProcessor):
            pattern.compiled_re = FOOTNOTE_MARK
    for processor in md.parser.blockprocessors:
        if isinstance(processor, FootnoteBlockProcessor):
            processor.RE = FOOTNOTE_DEFINITION
        elif isinstance(processor, TableProcessor):
            processor.test = functools.partial(_table_test, processor.test)
        elif isinstance(processor, AdmonitionProcessor):
            processor.test = functools.partial(_admonition_test, processor)
        elif isinstance(processor, HashHeaderProcessor):
            processor.test = functools.partial(_heading_test, processor.test)


# The next three ask Python-Markdown's own tests only when a quick look finds what they look
# for: they search the whole block, and the parser tests what is left of a block again after
# each line it takes off its top.


def _table_test(test, parent, block: str) -> bool:
    """A table starts with a "|" in its first line and only "|:- " in its second."""
    first, _, rest = block.partition("\n")
    if "|" not in first or not set(rest.partition("\n")[0]) <= TABLE_RULE:
        return False
    return test(parent, block)


def _admonition_test(processor: AdmonitionProcessor, parent, block: str) -> bool:
    """A callout starts with "!!!"; without one, a block can only continue the last callout."""
    if "!!!" in block:
        return AdmonitionProcessor.test(processor, parent, block)
    return processor.parse_content(parent, block)[0] is not None


def _heading_test(test, parent, block: str) -> bool:
    return "#" in block and test(parent, block)


def _link_text(data: str, index: int) -> tuple[str, int, bool]:
    """The text between "[" (just before ``index``) and its "]", as Python-Markdown's getText
    finds it, if that "]" is near enough and few brackets deep."""
    depth = 1
    for bracket in BRACKET.finditer(data, index, index + LINK_SCAN_CHARACTERS):
        depth += 1 if bracket.group() == "[" else -1
        if depth == 0:
            return data[index : bracket.start()], bracket.end(), True
        if depth > LINK_BRACKETS:
            break
    return "", index, False


def _link_address(get_link, data: str, index: int) -> tuple[str, str | None, int, bool]:
    """Python-Markdown's getLink, given only the "(...)" that follows the text, found with a
    bounded search (its own scan runs to the end of the paragraph)."""
    if not data.startswith("(", index):
        return "", None, index, False
    depth = 0
    for parenthesis in PARENTHESIS.finditer(data, index, index + LINK_SCAN_CHARACTERS):
        depth += 1 if parenthesis.group() == "(" else -1
        if depth == 0:
            href, title, end, handled = get_link(data[index : parenthesis.end()], 0)
            return href, title, index + end, handled
        if depth > LINK_PARENTHESES:
            break
    return "", None, index, False


class _Limits:
    """Bounds one conversion: how deep blocks sit inside one another, and how much processor
    time it takes (looked at every few steps of the block parser, inline matches and tree
    steps). The time is the thread's own (``time.thread_time``), not the clock's: the work a
    text makes is bounded, and time spent waiting on a machine busy with other work never
    counts."""

    def __init__(self, md: markdown.Markdown):
        self.restart()
        self._parse_blocks = md.parser.parseBlocks
        md.parser.parseBlocks = self.parse_blocks
        for processor in md.parser.blockprocessors:
            processor.test = self.timed(processor.test)
            processor.run = self.timed(processor.run)
        for pattern in md.inlinePatterns:
            pattern.handleMatch = self.timed(pattern.handleMatch)
        for processor in md.treeprocessors:
            processor.run = self.timed(processor.run)

    def restart(self) -> None:
        """For the next text: its own time, from now."""
        self.ends = time.thread_time() + RENDER_SECONDS
        self.depth = 0
        self.steps = 0

    def parse_blocks(self, parent, blocks) -> None:
        self.depth += 1
        try:
            if self.depth > MAX_PARSE_DEPTH:
                raise RenderError(TOO_DEEP, code="too_deep")
            self._parse_blocks(parent, blocks)
        finally:
            self.depth -= 1

    def timed(self, method):
        def step(*args):
            if self.steps % CLOCK_EVERY == 0 and time.thread_time() > self.ends:
                raise RenderError(TOO_SLOW, code="too_slow")
            self.steps += 1
            return method(*args)

        return step


def bound(md: markdown.Markdown) -> None:
    """Bound every conversion ``md`` makes (call once its extensions are in place)."""
    # Right after the inline patterns (20), before anything else walks the tree.
    md.treeprocessors.register(_DepthProcessor(md), "site_depth", 19)
    _shorten_scans(md)
    md.site_limits = _Limits(md)


def restart(md: markdown.Markdown) -> None:
    """Bound the next conversion ``md`` makes as its first was (call before each one)."""
    md.site_limits.restart()
