"""The one markdown renderer: used when an article is saved and by the admin's live preview.

Raw HTML in an article is shown as text, never interpreted, and the output is sanitised against
an allow-list, so nothing an editor types can run script in a patient's browser. The work one
text may cost is bounded (length, nesting, how far a link is looked for, and processor time), so
nothing an editor types can hold a worker.

Longer than the other modules on purpose: what the renderer allows, how it is bounded, and the
Python-Markdown hooks both need are one piece, each part tuned to the others.
"""

import functools
import hashlib
import html as html_lib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from django.core.exceptions import ValidationError
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteInlineProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

from . import includes

CALLOUT_TYPES = ("note", "tip", "warning", "danger")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "td": {"align"},
    "th": {"align", "scope"},
}
ALLOWED_CLASSES = {
    "div": {"admonition", "footnote", "table-wrap", *CALLOUT_TYPES},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
}
ATTRIBUTE_VALUES = {
    "div": {
        "tabindex": {"0"},
        "role": {"region"},
        "aria-label": {"Table (scroll sideways to see all of it)"},
    },
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# A picture's address: a path on this site ("/media/..."), nothing that reaches another host
# ("//host", "/\\host") and no spaces or backslashes, which browsers would read their own way.
SITE_PATH = re.compile(r"/(?![/\\])[^\x00-\x20\x7f\\]*\Z")
OTHER_HOST = re.compile(r"[/\\]{2}")
FIGURES_DIR = Path(__file__).resolve().parent / "figures"
FIGURE_SHORTCODE = re.compile(r"^\[\[figure:([a-z0-9-]+)\]\]$", re.M)
FIGURE_PARAGRAPH = re.compile(r"<p>\[\[figure:([a-z0-9-]+)\]\]</p>")
HEADING_HTML = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
BLOCK_END = re.compile(r"(?<![.!?:;\s>])\s*</(li|h[2-6]|td|th|dt|dd|p)>")
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "template", "math", "svg"}

# Limits that keep any text quick to render (each was measured: see tests/test_render_limits.py).
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


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)
    text: str = ""
    # (address, description) of each picture left out because it is on another site.
    offsite_pictures: list[tuple[str, str]] = field(default_factory=list)
    # (level, text) of every heading, h1 included (the sanitiser keeps none), for the checks.
    headings: list[tuple[int, str]] = field(default_factory=list)
    # The markdown it was made from, with blocks and sources filled in.
    source: str = ""


class _LinkAndTableProcessor(Treeprocessor):
    """Marks links to other sites noopener, leaves out pictures from other sites, lazy-loads
    the rest and gives table headers a scope."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.offsite_pictures: list[tuple[str, str]] = []

    def run(self, root: ElementTree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element.tag == "a":
                _mark_link(element)
            elif element.tag == "img" and not SITE_PATH.match(element.get("src", "")):
                self.offsite_pictures.append((element.get("src", ""), element.get("alt", "")))
                parent = parents[element]
                _remove(parent, element)
                # A paragraph that held only the picture goes with it.
                if parent.tag == "p" and len(parent) == 0 and not (parent.text or "").strip():
                    _remove(parents[parent], parent)
            elif element.tag == "img":
                element.set("loading", "lazy")
            elif element.tag == "th":
                element.set("scope", "col")


def _mark_link(link: ElementTree.Element) -> None:
    """A link that browsers would take to another site is written as the https address it is
    ("//host/page" and "/\\host/page" read as "https://host/page"), and marked noopener."""
    href = re.sub(r"[\t\n\r]", "", link.get("href", ""))
    if OTHER_HOST.match(href):
        link.set("href", "https://" + href.lstrip("/\\"))
    if urlsplit(link.get("href", "")).scheme.lower() in {"http", "https"}:
        link.set("rel", "noopener noreferrer")


def _remove(parent: ElementTree.Element, element: ElementTree.Element) -> None:
    """Take ``element`` out of ``parent``, keeping the text that follows it."""
    index = list(parent).index(element)
    if element.tail:
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


class _TableWrapProcessor(Treeprocessor):
    """Puts each table in a labelled region that keyboard users can focus and scroll sideways."""

    def run(self, root: ElementTree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    wrapper = ElementTree.Element(
                        "div",
                        {
                            "class": "table-wrap",
                            "tabindex": "0",
                            "role": "region",
                            "aria-label": "Table (scroll sideways to see all of it)",
                        },
                    )
                    parent.remove(child)
                    wrapper.append(child)
                    parent.insert(index, wrapper)


class _CalloutProcessor(Treeprocessor):
    """Keeps only the callout kinds the stylesheet knows; anything else becomes a note."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter("div"):
            classes = element.get("class", "").split()
            if "admonition" in classes:
                kind = next((c for c in classes if c in CALLOUT_TYPES), "note")
                element.set("class", f"admonition {kind}")


class _ReferencesProcessor(Treeprocessor):
    """Gives the footnotes a "References" heading, so they get a place in the contents too."""

    def run(self, root: ElementTree.Element) -> None:
        for block in root.iter("div"):
            if block.get("class") == "footnote":
                rule = block.find("hr")
                if rule is not None:
                    block.remove(rule)
                heading = ElementTree.Element("h2", {"id": "references"})
                heading.text = "References"
                block.insert(0, heading)


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


class _SiteExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Raw HTML is escaped as text: an unclosed <style> or <math> can then never swallow the
        # rest of the article.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Right after the inline patterns (20), before anything else walks the tree.
        md.treeprocessors.register(_DepthProcessor(md), "site_depth", 19)
        # Between footnotes (50) and the table of contents (5), so the heading is listed.
        md.treeprocessors.register(_ReferencesProcessor(md), "site_references", 10)
        # After Python-Markdown's own unescaping (0), so it reads addresses as browsers will.
        md.treeprocessors.register(_LinkAndTableProcessor(md), "site_links", -1)
        md.treeprocessors.register(_CalloutProcessor(md), "site_callouts", 2)
        md.treeprocessors.register(_TableWrapProcessor(md), "site_tables", 0)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=[
            "admonition",
            "footnotes",
            "tables",
            "sane_lists",
            "toc",
            _SiteExtension(),
        ],
        extension_configs={
            "toc": {"toc_depth": "2-3", "slugify": _slugify_heading},
            # Numbered in the order the text cites them, wherever their entries come from.
            "footnotes": {
                "BACKLINK_TEXT": "↩",
                "BACKLINK_TITLE": "Back to the text",
                "USE_DEFINITION_ORDER": False,
            },
        },
        output_format="html",
    )
    _shorten_scans(md)
    _Limits(md)
    return md


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
        self.ends = time.thread_time() + RENDER_SECONDS
        self.depth = 0
        self.steps = 0
        self._parse_blocks = md.parser.parseBlocks
        md.parser.parseBlocks = self.parse_blocks
        for processor in md.parser.blockprocessors:
            processor.test = self.timed(processor.test)
            processor.run = self.timed(processor.run)
        for pattern in md.inlinePatterns:
            pattern.handleMatch = self.timed(pattern.handleMatch)
        for processor in md.treeprocessors:
            processor.run = self.timed(processor.run)

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


def _slugify_heading(value: str, separator: str) -> str:
    value = re.sub(r"[^\w\s-]", "", value.lower()).strip()
    return re.sub(r"[\s_-]+", separator, value)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def unix_line_ends(text: str) -> str:
    """Every line break as "\n". A browser sends a box's line breaks as "\r\n" (and a file
    saved on Windows holds them too), but Python-Markdown and the patterns here read a line as
    ending at "\n": a "[[block:...]]" line ending "\r" would be left as it is."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def figure_names() -> list[str]:
    return sorted(path.stem for path in FIGURES_DIR.glob("*.svg"))


def unknown_includes(text: str, *, in_block: bool = False) -> list[str]:
    """What a body names that does not exist (a figure, a block, a source), one sentence each;
    empty when everything it names is there."""
    text = unix_line_ends(text)
    known = figure_names()
    return [
        f"There is no figure called '{name}' (there are: {', '.join(known)})."
        for name in dict.fromkeys(FIGURE_SHORTCODE.findall(text))
        if name not in known
    ] + includes.problems(text, in_block=in_block)


@functools.cache
def figure_html(name: str) -> str | None:
    """A drawing that ships with the site (never one typed in the editor), inlined for its links."""
    path = FIGURES_DIR / f"{name}.svg"
    if not path.is_file():
        return None
    svg = path.read_text(encoding="utf-8")
    return f'<figure class="figure figure-{name}">{svg[svg.index("<svg") :].strip()}</figure>'


def _insert_figures(html: str) -> str:
    return FIGURE_PARAGRAPH.sub(lambda match: figure_html(match.group(1)) or match.group(0), html)


def _plain_text(html: str) -> str:
    """The words a reader reads: no references, no footnote numbers."""
    html = re.sub(r'<div class="footnote">.*</div>', " ", html, flags=re.S)
    html = re.sub(r"<sup [^>]*>.*?</sup>", "", html, flags=re.S)
    html = FIGURE_PARAGRAPH.sub(" ", html)
    # A list item, heading or table cell reads as a sentence of its own, full stop or not.
    html = BLOCK_END.sub(r".</\1>", html)
    text = html_lib.unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def renderer_fingerprint() -> str:
    """Changes whenever this module, a figure or a library it uses changes: stored HTML made by
    another renderer is then stale."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(includes.__file__).read_bytes())
    for path in sorted(FIGURES_DIR.glob("*.svg")):
        digest.update(path.read_bytes())
    digest.update(f"{markdown.__version__} {nh3.__version__}".encode())
    return digest.hexdigest()


def _convert(source: str) -> Rendered:
    """Markdown, its blocks and sources filled in, to the page: the one place Python-Markdown
    runs. Everything about the page is read from this one conversion."""
    md = _markdown()
    try:
        converted = md.convert(source)
    except RecursionError:
        raise RenderError(TOO_DEEP, code="too_deep") from None
    html = sanitise(converted)
    # Python-Markdown gives each heading's text HTML-escaped; the contents hold plain text,
    # which the page escapes once.
    toc = [
        {"id": token["id"], "name": html_lib.unescape(token["name"])}
        for token in md.toc_tokens
        if token["level"] == 2
    ]
    return Rendered(
        html=_insert_figures(html),
        toc=toc,
        text=_plain_text(html),
        offsite_pictures=list(md.treeprocessors["site_links"].offsite_pictures),
        headings=[
            (int(level), html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).strip())
            for level, inner in HEADING_HTML.findall(converted)
        ],
        source=source,
    )


def _expanded(text: str, edited=None) -> str:
    """The text with its blocks and sources filled in, once it is known to be short enough."""
    text = unix_line_ends(text or "")
    if len(text) > MAX_BODY_CHARACTERS:
        raise RenderError(too_long_message(len(text)), code="too_long")
    try:
        expanded = includes.expand(text, max_length=MAX_EXPANDED_CHARACTERS, edited=edited)
    except includes.TooLongError:
        expanded = None
    if expanded is None or len(expanded) > MAX_EXPANDED_CHARACTERS:
        raise RenderError(TOO_LONG_WITH_BLOCKS, code="too_long")
    block = max(BLANK_LINE.split(expanded), key=len)
    if len(block) > MAX_BLOCK_CHARACTERS:
        raise RenderError(long_block_message(block), code="long_block")
    return expanded


def render(text: str, *, previous: Rendered | None = None, edited=None) -> Rendered:
    """Render an article body: sanitised HTML, its table of contents, its plain reading text,
    and what the writing checks read.

    ``previous``, a rendering made earlier, is given back as it is when the text, with its
    blocks and sources filled in, is still what it was made from: a body checked and then saved
    is converted once. ``edited``, a block or source not yet saved, is filled in as it now
    reads rather than as it is stored.

    Raises RenderError, saying why, for a text too long or too tangled to render quickly."""
    source = _expanded(text, edited)
    if previous is not None and previous.source == source:
        return previous
    return _convert(source)


def validate_body(text: str) -> None:
    """Kept for migrations 0015 and 0018, which name it. A body is rendered, and refused, in
    ``Article.clean`` and ``Block.clean``, which keep the rendering for saving it."""
    render(text)


def markdownify(text: str) -> str:
    """django-markdownx's preview hook: exactly the HTML patients will see."""
    return render(text).html
