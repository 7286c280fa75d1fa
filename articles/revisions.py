"""What changed between two saved versions of an article, field by field, line by line."""

import difflib
from dataclasses import dataclass

from .forms import ARTICLE_FIELDS
from .models import Article, Tag


@dataclass(frozen=True)
class FieldChange:
    label: str
    lines: list[tuple[str, str]]  # ("added" | "removed" | "same", text)


def _as_lines(name: str, value) -> list[str]:
    if name == "tags":
        names = Tag.objects.filter(pk__in=value or []).order_by("name")
        return [", ".join(tag.name for tag in names)]
    return "" if value is None else str(value).splitlines() or [""]


def changes_between(older: dict, newer: dict) -> list[FieldChange]:
    """The fields that differ between two versions' field values, oldest first in each diff."""
    changes = []
    for name in ARTICLE_FIELDS:
        before, after = _as_lines(name, older.get(name)), _as_lines(name, newer.get(name))
        if before == after:
            continue
        kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
        lines = [
            (kinds[line[:2]], line[2:])
            for line in difflib.ndiff(before, after)
            if line[:2] in kinds
        ]
        changes.append(FieldChange(str(Article._meta.get_field(name).verbose_name), lines))
    return changes
