"""What changed between two saved versions of an article, field by field, and between the text a
clinician signed off and the text now, part by part; line by line in each."""

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
        if before != after:
            label = str(Article._meta.get_field(name).verbose_name)
            changes.append(FieldChange(label, _diff(before, after)))
    return changes


def signed_text_changes(signed: list, now: list) -> list[FieldChange]:
    """The parts of what patients read (see patienttext.py) that differ from the signed text."""
    if not signed:
        return []
    old, new = dict(map(tuple, signed)), dict(map(tuple, now))
    labels = dict.fromkeys([label for label, _ in now] + [label for label, _ in signed])
    return [
        FieldChange(label, _diff(old.get(label, "").splitlines(), new.get(label, "").splitlines()))
        for label in labels
        if old.get(label) != new.get(label)
    ]


def _diff(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
    return [
        (kinds[line[:2]], line[2:]) for line in difflib.ndiff(before, after) if line[:2] in kinds
    ]
