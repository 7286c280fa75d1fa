"""No save silently replaces another: a staff form carries the version of the row it was opened
at, and a save made from a version that is no longer the stored one is refused, showing who
changed it, when, and how the saved text differs from the one sent, which stays in the form.

The version is a checksum of every field staff edit, as stored (``version_of``), so it moves
whichever door changed them: a form, a restore from History, an action, ``load_content``, a
sign-off; a page rendered again because a block it includes changed does not move it. It is not
signed: a member of staff who forged it could only skip their own protection. The stored row is
read under a lock (and SQLite takes the write lock when a transaction starts), so two saves at
the same moment are checked one after the other.
"""

import difflib
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from reversion import is_registered
from reversion.models import Version

from .markdown import unix_line_ends
from .revisions import FieldChange

FIELD = "started_from"
# Lines shown on either side of a difference.
CONTEXT = 2
# While a restore from History runs: the object it restores, and the row as stored before the
# old version was put back (None: a deleted object, being recovered).
_before_restore: ContextVar[tuple[type[models.Model], str, models.Model | None] | None] = (
    ContextVar("before_restore", default=None)
)


def edited_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields staff edit (what a form or a content file says); the rest is derived."""
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and (field.concrete or field.many_to_many)
    ]


def stored_row(model: type[models.Model], pk) -> models.Model | None:
    """The row as stored now, locked until the transaction ends, with its related rows read
    at once (a restore is about to change them)."""
    related = [field.name for field in edited_fields(model) if field.many_to_many]
    return (
        model._default_manager.select_for_update().prefetch_related(*related).filter(pk=pk).first()
    )


def version_of(row: models.Model) -> str:
    """The version of ``row`` as stored: a checksum of every field staff edit."""
    values = {}
    for field in edited_fields(type(row)):
        if field.many_to_many:
            values[field.name] = sorted(item.pk for item in getattr(row, field.name).all())
        elif isinstance(field, models.FileField):
            values[field.name] = getattr(row, field.name).name or ""
        else:
            values[field.name] = field.value_from_object(row)
    encoded = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


@contextmanager
def before_restore(model: type[models.Model], pk) -> Iterator[None]:
    """While open, the form for this object sees it as stored now, before a restore puts an old
    version back into it (to be saved, or rolled back when the form is only shown): the form
    carries that version, and is refused if someone saves the object meanwhile. A deleted
    object being recovered is new, as an added one is."""
    token = _before_restore.set((model, str(pk), stored_row(model, pk)))
    try:
        yield
    finally:
        _before_restore.reset(token)


@dataclass(frozen=True)
class LastChange:
    when: datetime
    who: str  # a username, or "" when no one is named (load_content, say)
    how: str  # what the History says of it, or ""


def last_change(row: models.Model) -> LastChange | None:
    """Who changed ``row`` last and when, as far as the site recorded it: its newest version
    in the History, or the admin's own log of changes, whichever is newer."""
    found = []
    if is_registered(type(row)):
        version = (
            Version.objects.get_for_object(row)
            .select_related("revision__user")
            .order_by("-revision__date_created")
            .first()
        )
        if version is not None:
            user = version.revision.user
            found.append(
                LastChange(
                    version.revision.date_created,
                    user.get_username() if user else "",
                    version.revision.comment,
                )
            )
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(row), object_id=str(row.pk)
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    if entry is not None:
        found.append(LastChange(entry.action_time, entry.user.get_username(), ""))
    return max(found, key=lambda change: change.when, default=None)


def _lines(value) -> list[str]:
    """A value as lines of text, for comparing and showing."""
    if value is None or value is False:
        return []
    if isinstance(value, models.QuerySet | list | tuple):
        return [", ".join(sorted(str(item) for item in value))] if len(value) else []
    if isinstance(value, datetime):
        return [f"{timezone.localtime(value):%Y-%m-%d %H:%M}"]
    if isinstance(value, date):
        return [value.isoformat()]
    if isinstance(value, File):  # a picture, stored or uploaded
        return [value.name] if value.name else []
    return unix_line_ends(str(value)).strip("\n").splitlines()


def _diff(theirs: list[str], yours: list[str]) -> list[tuple[str, str]]:
    """Line by line, theirs to yours; a long run of lines the same is cut to the two lines on
    either side of a change."""
    kinds = {"- ": "removed", "+ ": "added", "  ": "same"}
    lines = [
        (kinds[line[:2]], line[2:]) for line in difflib.ndiff(theirs, yours) if line[:2] in kinds
    ]
    shown, run = [], []
    for kind, text in [*lines, ("end", "")]:
        if kind == "same":
            run.append((kind, text))
            continue
        head = run[:CONTEXT] if shown else []
        tail = run[-CONTEXT:] if kind != "end" else []
        if len(run) > len(head) + len(tail) + 1:
            skipped = len(run) - len(head) - len(tail)
            run = [*head, ("same", f"… {skipped} lines the same …"), *tail]
        shown.extend(run)
        run = []
        if kind != "end":
            shown.append((kind, text))
    return shown


class StartedFromForm(forms.ModelForm):
    """A form mixin: a hidden field holds the version the form was opened at, and a save from
    any other version is refused with who changed it, when, and the difference."""

    started_from = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new object (added, or a deleted one recovered) has no version anyone could change.
        self._is_new = self.instance._state.adding
        restoring = _before_restore.get()
        self._before_restore = None
        if not self._is_new and restoring:
            model, pk, stored = restoring
            if (model, pk) == (type(self.instance), str(self.instance.pk)):
                self._is_new, self._before_restore = stored is None, stored
        if not self._is_new:
            self.initial[FIELD] = version_of(self._before_restore or self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if self._is_new:
            return cleaned_data
        stored = self._before_restore or stored_row(type(self.instance), self.instance.pk)
        if stored is None:
            return cleaned_data  # deleted meanwhile: the admin says so on its own
        now = version_of(stored)
        if self.data.get(self.add_prefix(FIELD)) == now:
            return cleaned_data
        changes = self._differences(stored)
        if not changes:
            return cleaned_data  # saved meanwhile exactly as sent: nothing can be lost
        refusal = self._refusal(stored, changes)
        # Shown again, the form carries the version stored now: once the two are merged,
        # saving again saves.
        self.data = self.data.copy()
        self.data[self.add_prefix(FIELD)] = now
        raise ValidationError(refusal, code="edit_conflict")

    def _differences(self, stored: models.Model) -> list[FieldChange]:
        """Each field of the form whose saved value differs from the one sent."""
        changes = []
        for field in edited_fields(type(stored)):
            if field.name not in self.fields:
                continue
            if field.name in self.cleaned_data:
                yours = _lines(self.cleaned_data[field.name])
            else:
                yours = _lines(self[field.name].value())
            theirs = getattr(stored, field.name)
            theirs = _lines(theirs.all() if field.many_to_many else theirs)
            if theirs != yours:
                changes.append(FieldChange(self[field.name].label, _diff(theirs, yours)))
        return changes

    def _refusal(self, stored: models.Model, changes: list[FieldChange]) -> str:
        opts = type(stored)._meta
        kind = f"{'these' if opts.verbose_name == opts.verbose_name_plural else 'this'} "
        kind += opts.verbose_name
        change = last_change(stored)
        if self.data.get(self.add_prefix(FIELD)) is None:
            said = f"{capfirst(kind)} may have been changed since this page was opened"
        elif change is None:
            said = f"Someone else changed {kind} after you opened it"
        else:
            at = timezone.localtime(change.when)
            said = f"{change.who or 'Someone'} saved a change to {kind} at {at:%H:%M} on "
            said += f"{at:%-d %B %Y}"
            said += f" ({change.how})" if change.how and not change.who else ""
            said += ", after you opened it"
        return render_to_string(
            "admin/articles/includes/edit_conflict.html",
            {"said": said, "changes": changes},
        )


def with_started_from(form: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """``form``, carrying and checking the version it was opened at."""
    if issubclass(form, StartedFromForm):
        return form
    return type(form.__name__, (StartedFromForm, form), {"__module__": form.__module__})


class NoLostEdits:
    """A ModelAdmin mixin: its change form is refused when the row changed since the form was
    opened (see StartedFromForm), and the browser keeps what is typed until it is saved
    (static/articles/drafts.js)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = with_started_from(self.form)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        # Only a change form that can be saved carries it: never a new object, never a page
        # shown to someone who may only look (it would show as an empty line).
        if obj is not None and fieldsets and self.has_change_permission(request, obj):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], FIELD]})
        return fieldsets

    @property
    def media(self):
        return super().media + forms.Media(
            js=["articles/drafts.js"],
            css={"all": ["articles/compare.css", "articles/drafts.css"]},
        )
