"""What patients read from an article: the one definition a clinical sign-off covers.

Its parts are the title, the summary, the text, the text of each block the text includes (in the
order it first includes them), each risk figure the page states, in the words it states it (out
of the page's denominator, with the source it cites), each of the clinic's answers the page
shows, and, where there is one, the picture (by the checksum of its file) and the picture's
description. A sign-off records these parts and their checksum; the page
claims the review only while the article's parts still have that checksum, whichever door the
change came through.
"""

import hashlib
import json

from . import includes, pictures
from .includes import BLOCK

NO_SUCH_BLOCK = "(there is no block of this name)"

# [label, text] pairs, as stored with a sign-off.
Parts = list[list[str]]


def parts(
    *,
    title: str,
    summary: str,
    body: str,
    blocks: dict[str, str],
    picture: str,
    picture_alt: str,
    risks: dict[str, str] | None = None,
    clinic: dict[str, str] | None = None,
) -> Parts:
    found = [["Title", title], ["Summary", summary], ["Text", body]]
    for name in dict.fromkeys(BLOCK.findall(body)):
        found.append([f"Block “{name}”", blocks.get(name, NO_SUCH_BLOCK)])
    for key, words in (risks or {}).items():
        found.append([f"Risk “{key}”", words])
    for name, text in (clinic or {}).items():
        found.append([f"Clinic detail “{name}”", text])
    if picture or picture_alt:
        found += [["Picture", picture], ["Picture description", picture_alt]]
    return found


def of_article(article, blocks: dict[str, str] | None = None) -> Parts:
    """The parts of ``article`` as it is now, with its blocks, risk figures and the clinic's
    answers as they are stored (or its blocks as ``blocks`` gives them, by name)."""
    names = set(BLOCK.findall(article.body))
    if blocks is None and names:
        blocks = includes.block_bodies(names)
    page = includes.with_blocks(article.body, blocks or {})
    return parts(
        title=article.title,
        summary=article.summary,
        body=article.body,
        blocks=blocks or {},
        risks=includes.risk_words(page),
        clinic=includes.clinic_texts(page),
        picture=pictures.checksum(article.image),
        picture_alt=article.image_alt,
    )


def checksum(found: Parts) -> str:
    return hashlib.sha256(json.dumps(found, ensure_ascii=False).encode()).hexdigest()


def changed_labels(before: Parts, after: Parts) -> list[str]:
    """The parts that differ, in reading order: "the title", "the block “urgent-help”"."""
    old, new = dict(map(tuple, before)), dict(map(tuple, after))
    labels = list(dict.fromkeys([label for label, _ in after] + [label for label, _ in before]))
    return [_lower_first(label) for label in labels if old.get(label) != new.get(label)]


def _lower_first(label: str) -> str:
    return "the " + label[0].lower() + label[1:]
