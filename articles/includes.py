"""What an article's text can name and have filled in when it is rendered, in this order:

- blocks written once (``[[block:urgent-help]]`` on a line of its own);
- risk figures, in words anywhere in a sentence (``[[risk:ireland-mild]]``) or as a picture on a
  line of its own (``[[risk-picture:ireland-mild]]``), each citing its source (see risks.py for
  the words and pictures, and the one denominator of a page);
- the clinic's own answers (``[[clinic:cost]]``), or "Ask your physiotherapist." where staff
  have given none;
- sources from the reference list, cited by key (``[^gattie2017]``), whose entries are added
  under References.

Drawings that ship with the site (``[[figure:body-map]]``) are the renderer's own (see
markdown.py), as is drawing a risk's picture where this module leaves its marker."""

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps

from . import risks

BLOCK = re.compile(r"^\[\[block:([a-z0-9-]+)\]\][ \t]*$", re.M)
RISK = re.compile(r"\[\[risk:([a-z0-9-]+)\]\]([.!?])?")
RISK_PICTURE = re.compile(r"^\[\[risk-picture:([a-z0-9-]+)\]\][ \t]*$", re.M)
ANY_RISK_PICTURE = re.compile(r"\[\[risk-picture:([a-z0-9-]+)\]\]")
CLINIC = re.compile(r"\[\[clinic:([a-z_]+)\]\]")
LINK_TEXT_SPECIAL = re.compile(r"[\\\[\]]")
CITATION = re.compile(r"\[\^([A-Za-z0-9_-]+)\](?!:)")
DEFINITION = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:", re.M)
# What a page says where it shows one of the clinic's answers that staff have not given yet.
CLINIC_NOT_GIVEN = "Ask your physiotherapist."
# Where a risk's picture goes, for the renderer to draw after sanitising: its figure, encoded,
# then its caption on the next line. The marker holds a secret of this process, so no text
# typed by anyone can put a drawing on a page that is not one of a risk's.
PICTURE_MARKER = f"risk-picture-{secrets.token_hex(8)}"
PICTURE_PARAGRAPH = re.compile(rf"<p>\[\[{PICTURE_MARKER}:([0-9a-f]+)\]\]\n(.*?)</p>", re.S)
# What comes before a risk's words when they start a sentence: the start of a line (with only a
# list marker, quote mark, table rule or indent before them), or the end of a sentence.
LINE_START = re.compile(r"[ \t]*(?:(?:[-*+|>]|\d+[.)])[ \t]+)*")
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*[ \t]+\Z")


# While set (``rows_held``): the rows texts name, by kind, each kind read once when first needed.
_held: ContextVar[dict | None] = ContextVar("includes_held", default=None)
# How a kind's rows are named in a text, and what is fetched with them.
_NAMED_BY = {"Block": "name", "Risk": "key", "Reference": "key"}
_FETCHED_WITH = {"Risk": ("source",)}


@contextmanager
def rows_held() -> Iterator[None]:
    """Within it, the blocks, risks, sources and clinic's details that texts name are read from
    the database once, not once a text: for rendering many texts while none of those changes
    (``load_content`` checks and saves its articles after saving everything they can name)."""
    token = _held.set({})
    try:
        yield
    finally:
        _held.reset(token)


class TooLongError(ValueError):
    """The text would be longer than asked, with its blocks in place."""


def expand(text: str, *, max_length: int | None = None, edited=None) -> str:
    """The text with every block, risk figure and clinic answer put in place and a definition
    added for every cited source that the reference list holds (unknown names are left as they
    are). Raises TooLongError, before filling anything in, if the blocks would make it longer
    than ``max_length``. ``edited``, a block, source, risk or the clinic's details not yet saved,
    is filled in as it reads, in place of its stored row.

    While rows are held, a text is filled in once however often it is asked for: what it names
    cannot change meanwhile."""
    held = _held.get()
    if held is None or edited is not None:
        return _expand(text, max_length, edited)
    done = held.setdefault("expanded", {})
    if (text, max_length) not in done:
        try:
            done[text, max_length] = _expand(text, max_length, None)
        except TooLongError:
            done[text, max_length] = None
    expanded = done[text, max_length]
    if expanded is None:
        raise TooLongError
    return expanded


def _expand(text: str, max_length: int | None, edited) -> str:
    uses = BLOCK.findall(text)
    if uses:
        bodies = {name: block.body for name, block in _rows("Block", set(uses), edited).items()}
        if isinstance(edited, _model("Block")):
            bodies[edited.name] = edited.body
        if max_length is not None:
            added = sum(len(bodies.get(name, "")) for name in uses)
            if len(text) + added > max_length:
                raise TooLongError
        text = with_blocks(text, bodies)
    text = _with_risks(text, edited)
    text = _with_clinic(text, edited)
    keys = set(CITATION.findall(text)) - set(DEFINITION.findall(text))
    if keys:
        entries = list(_rows("Reference", keys, edited).values())
        if isinstance(edited, _model("Reference")) and edited.key in keys:
            entries.append(edited)
        entries.sort(key=lambda entry: entry.key)
        # A blank line between entries keeps each one a short block of its own.
        definitions = "\n\n".join(f"[^{entry.key}]: {entry.as_markdown()}" for entry in entries)
        if definitions:
            text = f"{text.rstrip()}\n\n{definitions}\n"
    return text


def with_blocks(text: str, bodies: dict[str, str]) -> str:
    """The text with each block in ``bodies`` (by name) in place of the line that names it."""
    return BLOCK.sub(lambda m: bodies.get(m.group(1), m.group(0)).strip("\n"), text)


def block_bodies(names: set[str]) -> dict[str, str]:
    """The stored text of each of the named blocks there is, by name."""
    if _held.get() is None:
        return dict(_model("Block").objects.filter(name__in=names).values_list("name", "body"))
    return {name: block.body for name, block in _rows("Block", names, None).items()}


def risk_keys(text: str) -> list[str]:
    """The risks a text (with its blocks in place) names, in the order it first names them."""
    found = [(m.start(), m.group(1)) for m in RISK.finditer(text)]
    found += [(m.start(), m.group(1)) for m in RISK_PICTURE.finditer(text)]
    return list(dict.fromkeys(key for _, key in sorted(found)))


def risk_figures(text: str, edited=None) -> dict:
    """Each risk the text (with its blocks in place) names and the list holds, by key: the
    risk, and its figure out of the page's one denominator."""
    keys = risk_keys(text)
    if not keys:
        return {}
    rows = _rows("Risk", set(keys), edited)
    if isinstance(edited, _model("Risk")) and edited.key in keys:
        rows[edited.key] = edited
    per = risks.page_denominator(rows.values())
    return {key: (rows[key], risks.figure(rows[key], per)) for key in keys if key in rows}


def risk_words(text: str) -> dict[str, str]:
    """What patients read for each risk the text (with its blocks in place) names: its figure
    in words, out of the page's denominator, and the source it cites."""
    return {
        key: f"{shown.words()}[^{risk.source.key}]"
        for key, (risk, shown) in risk_figures(text).items()
    }


def _with_risks(text: str, edited) -> str:
    figures = risk_figures(text, edited)
    if not figures:
        return text

    def words(match: re.Match) -> str:
        if match.group(1) not in figures:
            return match.group(0)
        risk, shown = figures[match.group(1)]
        said = shown.words()
        if _starts_sentence(match.string, match.start()):
            said = said[0].upper() + said[1:]
        return f"{said}{match.group(2) or ''}[^{risk.source.key}]"

    def picture(match: re.Match) -> str:
        if match.group(1) not in figures:
            return match.group(0)
        risk, shown = figures[match.group(1)]
        return (
            f"\n[[{PICTURE_MARKER}:{risks.encode(shown)}]]\n"
            f"{shown.sentence()}[^{risk.source.key}]\n"
        )

    return RISK.sub(words, RISK_PICTURE.sub(picture, text))


def _starts_sentence(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    if LINE_START.fullmatch(text, line_start, position):
        return True
    return bool(SENTENCE_END.search(text, max(line_start, position - 8), position))


def clinic_fields(text: str) -> list[str]:
    """The clinic's answers a text (with its blocks in place) shows, in the order it first
    shows them."""
    return list(dict.fromkeys(CLINIC.findall(text)))


def clinic_texts(text: str, edited=None) -> dict[str, str]:
    """What patients read for each of the clinic's answers the text (with its blocks in place)
    shows, by field."""
    details = _clinic_details(text, edited)
    return {name: details.in_text(name) for name in clinic_fields(text) if details.shows(name)}


def _with_clinic(text: str, edited) -> str:
    details = _clinic_details(text, edited)
    if details is None:
        return text

    def answer(match: re.Match) -> str:
        name = match.group(1)
        if not details.shows(name):
            return match.group(0)
        said = details.in_text(name)
        if name == "phone" and details.phone_href:
            # A number a phone can call from the page.
            shown = LINK_TEXT_SPECIAL.sub(r"\\\g<0>", said)
            return f"[{shown}]({details.phone_href})"
        return said

    return CLINIC.sub(answer, text)


def _clinic_details(text: str, edited):
    if not CLINIC.search(text):
        return None
    model = _model("ClinicDetails")
    if isinstance(edited, model):
        return edited
    held = _held.get()
    if held is not None and "ClinicDetails" in held:
        return held["ClinicDetails"]
    details = model.objects.filter(pk=1).first() or model()
    if held is not None:
        held["ClinicDetails"] = details
    return details


def problems(text: str, *, in_block: bool = False) -> list[str]:
    """What in the text names something that does not exist, one sentence each."""
    found = []
    blocks = set(BLOCK.findall(text))
    if in_block and blocks:
        found.append("A block cannot include another block.")
    elif blocks:
        known = _known("Block", "name", blocks)
        found.extend(
            f"There is no block called '{name}'. Add it under Blocks first, or check the name."
            for name in sorted(blocks - known)
        )
    risks_named = set(risk_keys(text)) | set(ANY_RISK_PICTURE.findall(text))
    known = _known("Risk", "key", risks_named)
    found.extend(
        f"There is no risk called '{key}'. Add it under Risks first, or check the name."
        for key in sorted(risks_named - known)
    )
    on_own_line = set(RISK_PICTURE.findall(text))
    found.extend(
        f"Put [[risk-picture:{key}]] on a line of its own, with nothing else on the line."
        for key in sorted(set(ANY_RISK_PICTURE.findall(text)) - on_own_line)
    )
    shown = _model("ClinicDetails").IN_TEXT
    found.extend(
        f"There is no clinic detail called '{name}'. Use one of: {', '.join(shown)}."
        for name in clinic_fields(text)
        if name not in shown
    )
    cited, defined = set(CITATION.findall(text)), set(DEFINITION.findall(text))
    listed = _known("Reference", "key", cited | defined)
    found.extend(
        f"'{key}' is in the reference list already: cite it as [^{key}] and remove the line "
        f"'[^{key}]: ...' so the source is described once."
        for key in sorted(defined & listed)
    )
    found.extend(
        f"There is no source called '{key}' in the reference list. Add it under References, "
        "or check the key."
        for key in sorted(cited - defined - listed)
    )
    return found


def _known(model: str, field: str, names: set[str]) -> set[str]:
    """Those of ``names`` the database holds (load_content saves blocks and sources before it
    checks the articles that use them)."""
    if not names:
        return set()
    if _held.get() is not None:
        return set(_rows(model, names, None))
    stored = _model(model).objects.filter(**{f"{field}__in": names})
    return set(stored.values_list(field, flat=True))


def _rows(model: str, names: set[str], edited) -> dict:
    """The stored rows of ``model`` that ``names`` name, by name, leaving out the stored version
    of ``edited``; within ``rows_held``, from every row of the kind, read once."""
    field = _NAMED_BY[model]
    held = _held.get()
    if held is None or edited is not None:
        rows = _stored(model, edited).filter(**{f"{field}__in": names})
        return {
            getattr(row, field): row for row in rows.select_related(*_FETCHED_WITH.get(model, ()))
        }
    if model not in held:
        rows = _model(model).objects.select_related(*_FETCHED_WITH.get(model, ()))
        held[model] = {getattr(row, field): row for row in rows}
    return {name: held[model][name] for name in names if name in held[model]}


def _stored(model: str, edited):
    """The rows of ``model``, leaving out the stored version of ``edited``."""
    rows = _model(model).objects.all()
    return rows.exclude(pk=edited.pk) if isinstance(edited, rows.model) and edited.pk else rows


def _model(name: str):
    # Looked up when used: the models render with this module.
    return apps.get_model("articles", name)
