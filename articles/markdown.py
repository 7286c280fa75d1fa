"""The one markdown renderer: used when an article is saved and by the admin's live preview.

Raw HTML in an article is shown as text, never interpreted, and the output is sanitised against
an allow-list, so nothing an editor types can run script in a patient's browser. The work one
text may cost is bounded by renderlimits.py.
"""

import functools
import hashlib
import html as html_lib
import multiprocessing
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from . import includes, renderlimits, risks
from .grades import reading_grade, smog_grade
from .renderlimits import (
    BLANK_LINE,
    MAX_BLOCK_CHARACTERS,
    MAX_BODY_CHARACTERS,
    MAX_EXPANDED_CHARACTERS,
    TOO_DEEP,
    TOO_LONG_WITH_BLOCKS,
    RenderError,
    long_block_message,
    too_long_message,
)

CALLOUT_TYPES = ("note", "tip", "warning", "danger")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "caption",
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
# A word has a letter or a digit in it: a dash or a lone full stop is not read as a word.
WORDLIKE = re.compile(r"\w")
FIGURES_DIR = Path(__file__).resolve().parent / "figures"
FIGURE_SHORTCODE = re.compile(r"^\[\[figure:([a-z0-9-]+)\]\]$", re.M)
FIGURE_PARAGRAPH = re.compile(r"<p>\[\[figure:([a-z0-9-]+)\]\]</p>")
# The references at the end of a page, their heading with them.
REFERENCES = re.compile(r'<div class="footnote">.*</div>', re.S)
HEADING_HTML = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
BLOCK_END = re.compile(r"(?<![.!?:;\s>])\s*</(li|h[2-6]|td|th|dt|dd|p)>")
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "template", "math", "svg"}


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

    # Worked out once from ``text``, when first asked for (kept when a rendering is copied
    # between processes: see ``RenderedInAdvance``).
    @functools.cached_property
    def words(self) -> int:
        """How many words the reading text has: its pieces with a letter or digit in them."""
        return sum(1 for token in self.text.split() if WORDLIKE.search(token))

    @functools.cached_property
    def reading_grade(self) -> float | None:
        return reading_grade(self.text)

    @functools.cached_property
    def smog_grade(self) -> float | None:
        return smog_grade(self.text)

    @functools.cached_property
    def sections(self) -> list[tuple[str, str, str]]:
        """The page's parts as search reads them (see ``sections_of``)."""
        return sections_of(self.html)


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
    """Puts each table in a labelled region that keyboard users can focus and scroll sideways,
    captioned with the heading of the section it is in."""

    def run(self, root: ElementTree.Element) -> None:
        heading = "Table"
        tables = []
        # In the order a reader meets them, so each table has the heading above it.
        for element in root.iter():
            if element.tag in {"h2", "h3", "h4", "h5", "h6"}:
                heading = " ".join("".join(element.itertext()).split()) or heading
            elif element.tag == "table":
                tables.append((element, heading))
        parents = {child: parent for parent in root.iter() for child in parent}
        for table, caption_text in tables:
            if table.find("caption") is None:
                caption = ElementTree.Element("caption")
                caption.text = caption_text
                table.insert(0, caption)
            parent = parents[table]
            index = list(parent).index(table)
            wrapper = ElementTree.Element(
                "div",
                {
                    "class": "table-wrap",
                    "tabindex": "0",
                    "role": "region",
                    "aria-label": "Table (scroll sideways to see all of it)",
                },
            )
            parent.remove(table)
            wrapper.append(table)
            parent.insert(index, wrapper)


class _CalloutProcessor(Treeprocessor):
    """Keeps only the callout kinds the stylesheet knows; anything else becomes a note."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter("div"):
            classes = element.get("class", "").split()
            if "admonition" in classes:
                kind = next((c for c in classes if c in CALLOUT_TYPES), "note")
                element.set("class", f"admonition {kind}")


def _is_footnote_number(element: ElementTree.Element) -> bool:
    link = element.find("a")
    return element.tag == "sup" and link is not None and link.get("class") == "footnote-ref"


class _FootnoteCommaProcessor(Treeprocessor):
    """Puts a comma between two footnote numbers cited side by side ("¹,²"), and nowhere else:
    a number with words before it stands alone."""

    def run(self, root: ElementTree.Element) -> None:
        for parent in root.iter():
            previous = None
            for child in parent:
                if (
                    previous is not None
                    and _is_footnote_number(previous)
                    and _is_footnote_number(child)
                    and not (previous.tail or "").strip()
                ):
                    previous.tail = None
                    child.text = ","
                previous = child


class _BackLinkProcessor(Treeprocessor):
    """Words on each reference's way back to where it is cited ("Back to text"), for everyone
    and for screen readers; a reference cited more than once numbers its ways back."""

    def run(self, root: ElementTree.Element) -> None:
        for paragraph in root.iter("p"):
            links = [a for a in paragraph.iter("a") if a.get("class") == "footnote-backref"]
            for number, link in enumerate(links, start=1):
                link.text = "Back to text" if len(links) == 1 else f"Back to text ({number})"
                link.attrib.pop("title", None)
                if number < len(links):
                    link.tail = " " + (link.tail or "")


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


# What each inline pattern's expression cannot match without: a piece of text holding none of a
# pattern's marks is passed over without running it (most text has no marks at all).
INLINE_MARKS = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
}
_apply_pattern = InlineProcessor._InlineProcessor__applyPattern


class _MarkedInlineProcessor(InlineProcessor):
    """Python-Markdown's inline step, trying a pattern on a piece of text only when the text
    holds the mark the pattern starts from (its own step runs every pattern's expression on
    every piece of text). The page is the same: see INLINE_MARKS and tests/test_renderer.py."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.marks = {
            md.inlinePatterns[name]: marks
            for name, marks in INLINE_MARKS.items()
            if name in md.inlinePatterns
        }

    def _InlineProcessor__applyPattern(self, pattern, data, index, start=0):  # noqa: N802
        marks = self.marks.get(pattern)
        if marks is not None and all(data.find(mark, start) == -1 for mark in marks):
            return data, False, 0
        return _apply_pattern(self, pattern, data, index, start)


class _SiteExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.registerExtension(self)  # so that md.reset() calls reset() below
        self.md = md
        md.treeprocessors.register(_MarkedInlineProcessor(md), "inline", 20)
        # Raw HTML is escaped as text: an unclosed <style> or <math> can then never swallow the
        # rest of the article.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Between footnotes (50) and the table of contents (5), so the heading is listed.
        md.treeprocessors.register(_ReferencesProcessor(md), "site_references", 10)
        # After the inline patterns (20) have made the footnote numbers.
        md.treeprocessors.register(_FootnoteCommaProcessor(md), "site_footnote_commas", 15)
        md.treeprocessors.register(_BackLinkProcessor(md), "site_back_links", 14)
        # After Python-Markdown's own unescaping (0), so it reads addresses as browsers will.
        md.treeprocessors.register(_LinkAndTableProcessor(md), "site_links", -1)
        md.treeprocessors.register(_CalloutProcessor(md), "site_callouts", 2)
        md.treeprocessors.register(_TableWrapProcessor(md), "site_tables", 0)

    def reset(self) -> None:
        """Ready for the next text: the pictures the last one left out are forgotten."""
        self.md.treeprocessors["site_links"].offsite_pictures = []


# Each thread's Markdown, used again for each text it converts: building one costs about an
# eighth of converting a page (0.9 ms against 7.2 ms, measured).
_this_thread = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's Markdown, with nothing left over from the last text it converted."""
    md = getattr(_this_thread, "markdown", None)
    if md is None:
        md = _this_thread.markdown = _new_markdown()
    md.reset()
    renderlimits.restart(md)  # each text has its own time
    return md


def _new_markdown() -> markdown.Markdown:
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
                "USE_DEFINITION_ORDER": False,
            },
        },
        output_format="html",
    )
    renderlimits.bound(md)
    return md


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


@functools.cache
def figure_names() -> tuple[str, ...]:
    """The drawings that ship with the site (read once, as ``figure_html`` reads each)."""
    return tuple(sorted(path.stem for path in FIGURES_DIR.glob("*.svg")))


def unknown_includes(text: str, *, in_block: bool = False) -> list[str]:
    """What a body names that does not exist (a figure, a block, a risk, a clinic detail, a
    source), one sentence each; empty when everything it names is there."""
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
    """The drawings, after sanitising: a shipped figure from its file, and a risk's picture
    drawn from its numbers where includes.py left its marker (its caption, sanitised, with it)."""
    html = FIGURE_PARAGRAPH.sub(lambda match: figure_html(match.group(1)) or match.group(0), html)
    pictures = iter(range(1, html.count(includes.PICTURE_MARKER) + 1))
    return includes.PICTURE_PARAGRAPH.sub(
        lambda match: risks.picture_html(
            risks.decode(match.group(1)), match.group(2), next(pictures)
        ),
        html,
    )


def plain_text(html: str) -> str:
    """The words a reader reads: no references, no footnote numbers."""
    html = REFERENCES.sub(" ", html)
    html = re.sub(r"<sup [^>]*>.*?</sup>", "", html, flags=re.S)
    html = FIGURE_PARAGRAPH.sub(" ", html)
    html = includes.PICTURE_PARAGRAPH.sub(" ", html)
    # A list item, heading or table cell reads as a sentence of its own, full stop or not.
    html = BLOCK_END.sub(r".</\1>", html)
    # One space between words, whatever whitespace stood between them.
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())


SECTION_HEADING = re.compile(r'<h([23])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
TAG = re.compile(r"<[^>]+>")
# Stands where a heading was while the page's text is worked out (a character no page has).
SECTION_MARK = "\ue000"


def sections_of(body_html: str) -> list[tuple[str, str, str]]:
    """(anchor, heading, text) of each part of the page: the text before the first heading
    (anchor ""), then each second- and third-level heading with the text under it. Parts with
    no text of their own (a heading straight above another, the references) are left out."""
    headings = [("", "")]

    def mark(match: re.Match) -> str:
        headings.append((match.group(2), html_lib.unescape(TAG.sub("", match.group(3))).strip()))
        return f"<p>{SECTION_MARK}</p>"

    # The page's text worked out once, each heading marked where it stood.
    marked = plain_text(SECTION_HEADING.sub(mark, REFERENCES.sub(" ", body_html)))
    sections = []
    for (anchor, heading), part in zip(headings, marked.split(SECTION_MARK), strict=True):
        text = part.strip(" .")
        if text:
            sections.append((anchor, heading, part.strip().removeprefix(". ").strip()))
    return sections


@functools.cache
def renderer_fingerprint() -> str:
    """Changes whenever this module or its limits, a figure or a library changes: stored HTML
    made by another renderer is then stale."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(includes.__file__).read_bytes())
    digest.update(Path(risks.__file__).read_bytes())
    digest.update(Path(renderlimits.__file__).read_bytes())
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
        _this_thread.markdown = None
        raise RenderError(TOO_DEEP, code="too_deep") from None
    except BaseException:
        # A conversion cut short can leave its parser part-way through a text.
        _this_thread.markdown = None
        raise
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
        text=plain_text(html),
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


# Fewer texts than this are rendered in this process: starting workers would cost more.
PARALLEL_FROM = 40


class RenderedInAdvance:
    """Many texts rendered with the same ``render``, their markdown converted on every core
    (for a load's articles), handed out as the caller works through them in the same order,
    while the rest are still being converted. Each is given to ``Article.rendered`` as what it
    made earlier, so it is used only while the text, with its blocks and sources filled in, is
    still what it was made from. Use it in a ``with`` block."""

    def __init__(self, texts: list[str]):
        self.sources: dict[str, str] = {}
        for text in dict.fromkeys(texts):
            try:
                self.sources[text] = _expanded(text)
            except RenderError:
                continue  # reported when the text is checked
        unique = list(dict.fromkeys(self.sources.values()))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        self.pool = None
        if cores > 1 and len(unique) >= PARALLEL_FROM and "fork" in _start_methods():
            # Forked, so each worker renders with this process's modules and secrets as they
            # are; the workers convert text and never touch the database.
            self.pool = multiprocessing.get_context("fork").Pool(cores)
            made = self.pool.imap(_convert_or_none, unique, chunksize=4)
        else:
            made = map(_convert_or_none, unique)
        self.pending = zip(unique, made, strict=True)
        self.converted: dict[str, Rendered | None] = {}

    def get(self, text: str) -> Rendered | None:
        source = self.sources.get(text)
        if source is None:
            return None
        while source not in self.converted:
            try:
                done, rendered = next(self.pending)
            except StopIteration:
                return None
            self.converted[done] = rendered
        return self.converted[source]

    def __enter__(self) -> "RenderedInAdvance":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def _convert_or_none(source: str) -> Rendered | None:
    """The rendering, with its grades and search sections worked out (they are part of saving
    it)."""
    try:
        rendered = _convert(source)
    except RenderError:
        return None  # reported when the text is checked
    rendered.words, rendered.reading_grade, rendered.smog_grade, rendered.sections  # noqa: B018
    return rendered


def validate_body(text: str) -> None:
    """Kept for migrations 0015 and 0018, which name it. A body is rendered, and refused, in
    ``Article.clean`` and ``Block.clean``, which keep the rendering for saving it."""
    render(text)


def markdownify(text: str) -> str:
    """django-markdownx's preview hook: exactly the HTML patients will see."""
    return render(text).html
