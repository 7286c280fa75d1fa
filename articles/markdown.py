"""The one markdown renderer: used when an article is saved and by the admin's live preview.

Raw HTML in an article is shown as text, never interpreted, and the output is sanitised against
an allow-list, so nothing an editor types can run script in a patient's browser.
"""

import functools
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions import Extension
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
FIGURES_DIR = Path(__file__).resolve().parent / "figures"
FIGURE_SHORTCODE = re.compile(r"^\[\[figure:([a-z0-9-]+)\]\]$", re.M)
FIGURE_PARAGRAPH = re.compile(r"<p>\[\[figure:([a-z0-9-]+)\]\]</p>")
HEADING_HTML = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
BLOCK_END = re.compile(r"(?<![.!?:;\s>])\s*</(li|h[2-6]|td|th|dt|dd|p)>")
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "template", "math", "svg"}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)
    text: str = ""


class _LinkAndTableProcessor(Treeprocessor):
    """Marks links to other sites noopener, lazy-loads images and gives table headers a scope."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                href = element.get("href", "")
                if urlsplit(href).scheme in {"http", "https"}:
                    element.set("rel", "noopener noreferrer")
            elif element.tag == "img":
                element.set("loading", "lazy")
            elif element.tag == "th":
                element.set("scope", "col")


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


class _SiteExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Raw HTML is escaped as text: an unclosed <style> or <math> can then never swallow the
        # rest of the article.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Between footnotes (50) and the table of contents (5), so the heading is listed.
        md.treeprocessors.register(_ReferencesProcessor(md), "site_references", 10)
        md.treeprocessors.register(_LinkAndTableProcessor(md), "site_links", 1)
        md.treeprocessors.register(_CalloutProcessor(md), "site_callouts", 2)
        md.treeprocessors.register(_TableWrapProcessor(md), "site_tables", 0)


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
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


def figure_names() -> list[str]:
    return sorted(path.stem for path in FIGURES_DIR.glob("*.svg"))


def unknown_includes(text: str, *, in_block: bool = False) -> list[str]:
    """What a body names that does not exist (a figure, a block, a source), one sentence each;
    empty when everything it names is there."""
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


def render(text: str) -> Rendered:
    """Render an article body: sanitised HTML, its table of contents and its plain reading text."""
    md = _markdown()
    html = sanitise(md.convert(includes.expand(text or "")))
    toc = [
        {"id": token["id"], "name": token["name"]} for token in md.toc_tokens if token["level"] == 2
    ]
    return Rendered(html=_insert_figures(html), toc=toc, text=_plain_text(html))


def headings(text: str) -> list[tuple[int, str]]:
    """The headings of a body, with blocks in place, as (level, text); read before sanitising,
    which keeps no h1 (the page title is the only one)."""
    source = _markdown().convert(includes.expand(text or ""))
    return [
        (int(level), html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).strip())
        for level, inner in HEADING_HTML.findall(source)
    ]


def markdownify(text: str) -> str:
    """django-markdownx's preview hook: exactly the HTML patients will see."""
    return render(text).html
