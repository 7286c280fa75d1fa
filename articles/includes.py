"""What an article's text can name and have filled in when it is rendered: blocks written once
(``[[block:urgent-help]]`` on a line of its own) and sources from the reference list, cited by
key (``[^gattie2017]``), whose entries are added under References. Drawings that ship with the
site (``[[figure:body-map]]``) are the renderer's own (see markdown.py)."""

import re

from django.apps import apps

BLOCK = re.compile(r"^\[\[block:([a-z0-9-]+)\]\][ \t]*$", re.M)
CITATION = re.compile(r"\[\^([A-Za-z0-9_-]+)\](?!:)")
DEFINITION = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:", re.M)


class TooLongError(ValueError):
    """The text would be longer than asked, with its blocks in place."""


def expand(text: str, *, max_length: int | None = None, edited=None) -> str:
    """The text with every block put in place and a definition added for every cited source
    that the reference list holds (unknown names are left as they are). Raises TooLongError, before
    filling anything in, if the blocks would make it longer than ``max_length``. ``edited``, a
    block or source not yet saved, is filled in as it reads, in place of its stored row."""
    uses = BLOCK.findall(text)
    if uses:
        blocks = _stored("Block", edited).filter(name__in=set(uses))
        bodies = dict(blocks.values_list("name", "body"))
        if isinstance(edited, _model("Block")):
            bodies[edited.name] = edited.body
        if max_length is not None:
            added = sum(len(bodies.get(name, "")) for name in uses)
            if len(text) + added > max_length:
                raise TooLongError
        text = BLOCK.sub(lambda m: bodies.get(m.group(1), m.group(0)).strip("\n"), text)
    keys = set(CITATION.findall(text)) - set(DEFINITION.findall(text))
    if keys:
        entries = list(_stored("Reference", edited).filter(key__in=keys))
        if isinstance(edited, _model("Reference")) and edited.key in keys:
            entries.append(edited)
        entries.sort(key=lambda entry: entry.key)
        # A blank line between entries keeps each one a short block of its own.
        definitions = "\n\n".join(f"[^{entry.key}]: {entry.as_markdown()}" for entry in entries)
        if definitions:
            text = f"{text.rstrip()}\n\n{definitions}\n"
    return text


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
    stored = _model(model).objects.filter(**{f"{field}__in": names})
    return set(stored.values_list(field, flat=True))


def _stored(model: str, edited):
    """The rows of ``model``, leaving out the stored version of ``edited``."""
    rows = _model(model).objects.all()
    return rows.exclude(pk=edited.pk) if isinstance(edited, rows.model) and edited.pk else rows


def _model(name: str):
    # Looked up when used: the models render with this module.
    return apps.get_model("articles", name)
