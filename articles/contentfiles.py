"""The content file format: YAML front matter, then the markdown body (see the README).

A file's keys are the fields of the article form (``ArticleForm``), and a file is checked by that
same form, so a content file and the admin accept exactly the same articles under the same
rules. This module only translates: YAML into form data, form errors into ``PATH: key: problem``
lines, and an article back into a file. (It is a little over 300 lines because reading and
writing the format, both ways, are kept side by side so they cannot drift apart.)
"""

import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from . import pictures
from .forms import ARTICLE_FIELDS, ArticleForm
from .models import Article, Tag, default_review_due, normalise_body
from .models.article import SIGN_OFF_FIELDS

# Form field -> file key, where the file names it differently.
FILE_KEYS = {"published_at": "published"}
FRONT_MATTER_FIELDS = [name for name in ARTICLE_FIELDS if name != "body"]
KEYS = [FILE_KEYS.get(name, name) for name in FRONT_MATTER_FIELDS]
FIELDS = {FILE_KEYS.get(name, name): name for name in FRONT_MATTER_FIELDS}
# What a file means when it leaves a key out (the slug defaults to the file's name).
FILE_DEFAULTS = {"status": Article.Status.PUBLISHED}
# Problems where the value the file gave helps to find the slip.
SHOW_VALUE = {"invalid", "invalid_choice", "min_value"}
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


class TagNamesField(forms.Field):
    """Tags as a file lists them: names (the admin picks existing tags instead)."""

    default_error_messages = {
        "invalid": "Give a list of words, one per line starting with '- '.",
        "too_long": "'%(name)s' is longer than %(limit)s characters.",
    }

    def to_python(self, value) -> list[str]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({t.strip() for t in value})

    def validate(self, value: list[str]) -> None:
        limit = Tag._meta.get_field("name").max_length
        for name in value:
            if len(name) > limit:
                raise forms.ValidationError(
                    self.error_messages["too_long"],
                    code="too_long",
                    params={"name": name[:20], "limit": limit},
                )


class ContentFileForm(ArticleForm):
    """The article form, reading tags by name; saving sets them with ``save_tags``."""

    tags = TagNamesField(required=False)

    def save_tags(self, article: Article, known: dict[str, Tag]) -> None:
        """Set the article's tags, making any that do not exist yet (``known``: the tags by
        name, kept up to date across one load)."""
        for name in self.cleaned_data["tags"]:
            if name not in known:
                known[name] = Tag.objects.get_or_create(name=name)[0]
        article.tags.set([known[name] for name in self.cleaned_data["tags"]])


@dataclass
class ContentFile:
    path: Path
    display: str
    form: ContentFileForm | None  # None: the file is as it was last loaded, and not read again
    existing: Article | None  # the row with the file's slug, as it is in the database
    # Fingerprints of what the file says, and of that row; the file's checksum.
    snapshot: str
    current: str | None
    digest: str

    @property
    def slug(self) -> str:
        return self.form.cleaned_data["slug"] if self.form else self.existing.slug

    key = slug

    @property
    def order(self) -> int | None:
        return self.form.cleaned_data["order"] if self.form else self.existing.order


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_file(
    path: Path, root: Path, articles: dict[str, Article], loaded_from: dict[str, Article]
) -> tuple[ContentFile | None, list[str]]:
    """Read one content file and check it with the article form, against the row with its slug
    in ``articles``, if any. Return it, or the ``PATH: key: problem`` lines that stop it.

    A file byte for byte as it was when its row (in ``loaded_from``, by file) was last loaded
    is not parsed and checked again; a file that names a picture always is, as the picture may
    have changed beside it."""
    problem = Problems(display_path(path))
    encoded = path.read_bytes()
    digest = hashlib.sha256(encoded).hexdigest()
    row = loaded_from.get(problem.display)
    if row is not None and row.source_digest == digest and b"\nimage:" not in encoded:
        return ContentFile(
            path=path,
            display=problem.display,
            form=None,
            existing=row,
            snapshot=row.source_hash,
            current=snapshot(row),
            digest=digest,
        ), []
    parsed = read_markdown(encoded, ArticleForm, FIELDS, problem)
    if parsed is None:
        return None, problem.lines
    data, body, form_data, reported = parsed
    form_data = {"body": body, "slug": path.stem, **FILE_DEFAULTS, **form_data}

    existing = articles.get(form_data["slug"]) if isinstance(form_data["slug"], str) else None
    current = snapshot(existing) if existing else None
    files, image_digest = {}, ""
    if data.get("image") is not None and "image" not in reported:
        picture = _picture_beside(path, root, data["image"], form_data["slug"])
        if isinstance(picture, str):
            problem("image", picture)
            reported.add("image")
        else:
            image_digest = hashlib.sha256(picture.read()).hexdigest()
            picture.seek(0)
            # An unchanged picture stays as it is stored; a new one is checked by the form.
            if existing is None or _digest(existing.image) != image_digest:
                files["image"] = picture
    elif existing is not None and existing.image:
        form_data["image-clear"] = "on"

    # The form fills in the article it is given, so it gets a copy: saved only if the file wins.
    form = ContentFileForm(form_data, files, instance=copy.copy(existing) or Article())
    form_problems(form, data, FILE_KEYS, reported, problem)
    if problem.lines:
        return None, problem.lines
    new = snapshot(form.instance, form.cleaned_data["tags"], image_digest)
    return ContentFile(
        path=path,
        display=problem.display,
        form=form,
        existing=existing,
        snapshot=new,
        current=current,
        digest=digest,
    ), []


class Problems:
    """Collects a file's problems as ``PATH: key: problem`` lines; call it with key and problem."""

    def __init__(self, display: str):
        self.display = display
        self.lines: list[str] = []

    def __call__(self, key: str, message: str) -> None:
        self.lines.append(f"{self.display}: {key}: {message}")


def read_markdown(encoded: bytes, form_class, fields: dict[str, str], problem: Problems):
    """A markdown file's bytes with front matter: its YAML, its body, the YAML as data for
    ``form_class`` and the keys already reported; or None when it cannot be read at all."""
    parsed = front_matter(encoded, problem)
    if parsed is None:
        return None
    data, body = parsed
    values, reported = form_values(form_class, data, fields, problem)
    return data, body, values, reported


def _yaml(text: str):
    """YAML read with libyaml where it is installed (much faster); a file it refuses is read
    again by the pure-Python reader, whose messages say more plainly what is wrong."""
    try:
        return yaml.load(text, Loader=FAST_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def front_matter(encoded: bytes, problem) -> tuple[dict, str] | None:
    try:
        raw = encoded.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        line = encoded[: error.start].count(b"\n") + 1
        problem("file", f"is not UTF-8 text (line {line}); save it as UTF-8")
        return None
    match = FRONT_MATTER_RE.match(raw)
    if not match:
        problem(
            "front matter",
            "the file must start with a '---' line, the fields, and another '---' line",
        )
        return None
    try:
        data = _yaml(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem("front matter", f"is not valid YAML{where}: {getattr(error, 'problem', error)}")
        return None
    if not isinstance(data, dict):
        problem("front matter", "must be a list of 'key: value' lines")
        return None
    return data, normalise_body(raw[match.end() :])


def form_values(form_class, data: dict, fields: dict[str, str], problem) -> tuple[dict, set]:
    """The YAML ``data`` as form data (file key -> form field in ``fields``), after reporting
    unknown keys, and text keys whose YAML value is not text; also the keys reported."""
    for key in sorted(set(map(str, data)) - set(fields)):
        problem(key, f"unknown field (allowed: {', '.join(fields)})")
    values, reported = {}, set()
    for key, value in data.items():
        if key not in fields or value is None:
            continue
        field = form_class.base_fields[fields[key]]
        # YAML reads `yes` or `2024` as something other than text.
        if type(field) is forms.CharField and not isinstance(value, str):
            problem(key, "must be text (put it in quotes if it looks like a number or yes/no)")
            reported.add(key)
            continue
        values[fields[key]] = value
    return values, reported


def form_problems(form, data: dict, keys: dict[str, str], reported: set, problem) -> None:
    """Report the form's errors under the file's keys (``keys``: form field -> file key, where
    they differ), with the value the file gave where that helps to find the slip."""
    for name, errors in form.errors.as_data().items():
        key = keys.get(name, name if name in form.fields else "file")
        if key in reported:
            continue
        for error in errors:
            message = " ".join(error.messages)
            if error.code in SHOW_VALUE and key in data:
                message += f" (the file says {data[key]!r})"
            problem(key, message)


def _picture_beside(path: Path, root: Path, name, slug) -> SimpleUploadedFile | str:
    """The picture a file names, as it would be stored (see pictures.clean), as an upload for
    the form; or why it cannot be read. Its digest is then that of the stored picture when the
    file has not changed since it was loaded or exported."""
    if not isinstance(name, str) or not name.strip():
        return "must be the file name of a picture beside the article"
    picture = (path.parent / name.strip()).resolve()
    if not picture.is_relative_to(root.resolve()):
        return f"{name!r} is outside the content folder"
    if not picture.is_file():
        return f"{name!r} was not found beside the article"
    try:
        return pictures.clean(picture.read_bytes()).as_upload(slug)
    except pictures.PictureError as error:
        return error.message


def snapshot(
    article: Article, tags: list[str] | None = None, image_digest: str | None = None
) -> str:
    """A fingerprint of what a content file says about ``article`` (its own tags and stored
    picture unless given): the same for an article and the file it was loaded from or exported
    to, so an edit made on either side shows."""
    values = {FILE_KEYS.get(name, name): _plain(article, name) for name in ARTICLE_FIELDS}
    values["body"] = normalise_body(article.body or "")
    values["review_due"] = article.review_due or default_review_due(article.reviewed)
    values["tags"] = sorted(tags) if tags is not None else values["tags"]
    values["image"] = image_digest if image_digest is not None else _digest(article.image)
    # Keys added to the format later count only when set, so fingerprints made before them
    # still match.
    for name in SIGN_OFF_FIELDS:
        if not values[name]:
            del values[name]
    encoded = json.dumps(values, sort_keys=True, default=dt.date.isoformat)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(article: Article, name: str):
    """A field's value as a content file writes it."""
    field = Article._meta.get_field(name)
    if isinstance(field, models.ManyToManyField):
        return sorted(str(item) for item in getattr(article, name).all()) if article.pk else []
    value = getattr(article, name)
    if isinstance(field, models.DateTimeField):
        return value.astimezone(dt.UTC).isoformat() if value else None
    return value


def _digest(image) -> str:
    if not image:
        return ""
    try:
        with image.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return "missing"


def file_text(article: Article, directory: Path) -> str:
    """``article`` as a content file (its picture, if any, is written beside it)."""
    front = {}
    for name in FRONT_MATTER_FIELDS:
        key = FILE_KEYS.get(name, name)
        value = _plain(article, name)
        if name == "slug" or value in (None, "", []) or value == FILE_DEFAULTS.get(key):
            continue
        if name == "review_due" and value == default_review_due(article.reviewed):
            continue
        if name == "image":
            value = f"{article.slug}{Path(article.image.name).suffix}"
            with article.image.open("rb") as source:
                (directory / value).write_bytes(source.read())
        front[key] = value
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10**6)
    return f"---\n{header}---\n{article.body}"
