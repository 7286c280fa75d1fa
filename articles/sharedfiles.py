"""The files for text written once: blocks (``content/blocks/<name>.md``: front matter with a
``title``, then the markdown) and the reference list (``content/references.yaml``: one entry per
source, by key). Each is checked with the admin's own form (``BlockForm``, ``ReferenceForm``)."""

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django import forms
from django.db import models

from .contentfiles import Problems, display_path, form_problems, form_values, read_markdown
from .forms import BlockForm, ReferenceForm

BLOCKS_DIR = "blocks"
REFERENCES_FILE = "references.yaml"
BLOCK_KEYS = {"title": "title", "name": "name"}
REFERENCE_KEYS = {name: name for name in ReferenceForm.Meta.fields if name != "key"}


@dataclass
class SharedEntry:
    """A block or a reference, as its file says it, checked and ready to save."""

    key: str
    display: str
    form: forms.ModelForm
    existing: models.Model | None
    snapshot: str
    current: str | None


def read_block(path: Path, blocks: dict[str, models.Model]) -> tuple[SharedEntry | None, list]:
    problem = Problems(display_path(path))
    parsed = read_markdown(path.read_bytes(), BlockForm, BLOCK_KEYS, problem)
    if parsed is None:
        return None, problem.lines
    data, body, values, reported = parsed
    values = {"name": path.stem, "body": body, **values}
    entry = _checked(BlockForm, "name", values, blocks, problem.display, data, reported, problem)
    return (None, problem.lines) if problem.lines else (entry, [])


def read_references(
    path: Path, references: dict[str, models.Model]
) -> tuple[list[SharedEntry], set[str], list[str]]:
    """The sources in the reference list, every key it lists, and its problems
    (``PATH: key.field: problem``)."""
    display = display_path(path)
    problems: list[str] = []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        return [], set(), [f"{display}: file: is not valid UTF-8 YAML: {error}"]
    if not isinstance(data, dict):
        message = "must list sources as 'key:' lines, each with its fields"
        return [], set(), [f"{display}: file: {message}"]
    entries = []
    for key, fields in data.items():

        def problem(field: str, message: str, key=key) -> None:
            problems.append(f"{display}: {key}.{field}: {message}")

        if not isinstance(fields, dict):
            problem("title", "each source needs its fields indented below its key")
            continue
        values, reported = form_values(ReferenceForm, fields, REFERENCE_KEYS, problem)
        values["key"] = str(key)
        entry = _checked(
            ReferenceForm, "key", values, references, display, fields, reported, problem
        )
        if entry:
            entries.append(entry)
    return entries, set(map(str, data)), problems


def _checked(
    form_class, key_field, values, rows, display, data, reported, problem
) -> SharedEntry | None:
    key = values[key_field]
    existing = rows.get(key) if isinstance(key, str) else None
    current = snapshot(existing, form_class) if existing else None
    # The form fills in the row it is given, so it gets a copy: saved only if the file wins.
    form = form_class(values, instance=copy.copy(existing) or form_class._meta.model())
    form_problems(form, data, {}, reported, problem)
    if not form.is_valid() or reported:
        return None
    return SharedEntry(
        key=key,
        display=display,
        form=form,
        existing=existing,
        snapshot=snapshot(form.instance, form_class),
        current=current,
    )


def snapshot(row: models.Model, form_class) -> str:
    values = {name: getattr(row, name) for name in form_class.Meta.fields}
    encoded = json.dumps(values, sort_keys=True, default=dt.date.isoformat)
    return hashlib.sha256(encoded.encode()).hexdigest()


def block_text(block) -> str:
    header = yaml.safe_dump({"title": block.title}, allow_unicode=True, width=10**6)
    return f"---\n{header}---\n{block.body}"


def references_text(references) -> str:
    entries = {
        ref.key: {
            name: getattr(ref, name)
            for name in ReferenceForm.Meta.fields
            if name != "key" and getattr(ref, name) not in (None, "")
        }
        for ref in references
    }
    return yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=10**6)
