"""The content file format (see the README), both ways, for the four kinds of row a content
folder describes:

- ``<slug>.md`` (anywhere but in ``blocks/``): an article. YAML front matter whose keys are the
  fields of the article form, then the markdown body.
- ``blocks/<name>.md``: a block. Front matter with its ``title``, then the markdown.
- ``references.yaml``: the reference list, one entry per source, by key.
- ``risks.yaml``: the risk figures, one entry per figure, by key, in the same form.

Each file is checked by the admin's own form for its kind (``ArticleForm``, ``BlockForm``,
``ReferenceForm``, ``RiskForm``), so a file and the admin accept exactly the same rows under the
same rules.
This module only translates: YAML into form data, form errors into ``PATH: key: problem`` lines,
and a row back into file text; and it defines ``fingerprint``, what a file says about a row.
What a load does with a file is importers.py's.
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
from .forms import ArticleForm, BlockForm, ReferenceForm, RiskForm
from .markdown import RenderedInAdvance
from .models import Article, Block, Reference, Risk, Tag, default_review_due, normalise_body
from .models.article import SIGN_OFF_FIELDS

BLOCKS_DIR = "blocks"
REFERENCES_FILE = "references.yaml"
RISKS_FILE = "risks.yaml"
# Each kind: the admin form that checks it, and the field that names a row (a markdown file's
# name gives it unless its front matter does).
FORMS: dict[type[models.Model], type[forms.ModelForm]] = {
    Article: ArticleForm,
    Block: BlockForm,
    Reference: ReferenceForm,
    Risk: RiskForm,
}
KEY_FIELDS = {Article: "slug", Block: "name", Reference: "key", Risk: "key"}
# The files that list rows by key: what one row is called in their problems, and the field a
# row given as something other than its fields is reported under.
LISTED = {Reference: ("source", "sources", "title"), Risk: ("risk", "risks", "event")}
# Form field -> file key, where the file names it differently.
FILE_KEYS = {"published_at": "published"}
# What an article file means when it leaves a key out (the slug defaults to the file's name).
FILE_DEFAULTS = {"status": Article.Status.PUBLISHED}
# Keys added to the format later: they count in a fingerprint only when set, so fingerprints
# stored before they existed still match.
ADDED_LATER = SIGN_OFF_FIELDS
# Problems where the value the file gave helps to find the slip.
SHOW_VALUE = {"invalid", "invalid_choice", "min_value"}
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def _file_fields(model: type[models.Model], *, key_in_file: bool) -> dict[str, str]:
    """File key -> form field, for the keys a file may give: every field of the kind's form but
    the body (a markdown file's text) and, unless ``key_in_file``, the row's key (a source's is
    its entry's own key in the list)."""
    skipped = {"body"} if key_in_file else {"body", KEY_FIELDS[model]}
    return {
        FILE_KEYS.get(name, name): name for name in FORMS[model]._meta.fields if name not in skipped
    }


ARTICLE_KEYS = _file_fields(Article, key_in_file=True)
BLOCK_KEYS = _file_fields(Block, key_in_file=True)
LIST_KEYS = {model: _file_fields(model, key_in_file=False) for model in LISTED}


@dataclass
class Entry:
    """What one content file says about one row, checked and ready to save."""

    display: str  # the file, as problem lines and the row's source_path name it
    key: str  # the row's slug, block name or reference key
    row: models.Model | None  # the row with that key, as the database has it
    said: str  # the fingerprint of what the file says
    # The file checked by the admin's form (bound to a copy of ``row``, so saved only if the
    # file wins); None when the file was not read again (see importers.py).
    form: forms.ModelForm | None
    checksum: str = ""  # of the file's bytes, where the file holds this row alone

    def value(self, name: str):
        """A field's value as the file gives it."""
        return self.form.cleaned_data[name] if self.form else getattr(self.row, name)


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

    def save_tags(self, article: Article, known: dict[str, Tag], *, new: bool) -> None:
        """Set the article's tags, making any that do not exist yet (``known``: the tags by
        name, kept up to date across one load). A ``new`` article has none to compare with, so
        its links are added in one query (saving the article has made the pages stale)."""
        for name in self.cleaned_data["tags"]:
            if name not in known:
                known[name] = Tag.objects.get_or_create(name=name)[0]
        tags = [known[name] for name in self.cleaned_data["tags"]]
        if new:
            link = Article.tags.through
            link.objects.bulk_create(link(article=article, tag=tag) for tag in tags)
        else:
            article.tags.set(tags)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Problems:
    """Collects a file's problems as ``PATH: key: problem`` lines; call it with key and problem."""

    def __init__(self, display: str, prefix: str = "", lines: list[str] | None = None):
        self.display = display
        self.prefix = prefix
        self.lines = [] if lines is None else lines

    def __call__(self, key: str, message: str) -> None:
        self.lines.append(f"{self.display}: {self.prefix}{key}: {message}")

    def within(self, name: str) -> "Problems":
        """The problems of one entry of a list file, as ``PATH: name.key: problem``."""
        return Problems(self.display, f"{name}.", self.lines)


def names_a_picture(encoded: bytes) -> bool:
    """Whether an article file may name a picture, which can change beside it."""
    return b"\nimage:" in encoded


def _front_matter_of(encoded: bytes) -> re.Match | None:
    """A markdown file's front matter (its text, ``.group(1)``) and where its body starts
    (``.end()``, in ``.string``); None when the file cannot be read that far (its problems are
    found when it is read)."""
    try:
        return FRONT_MATTER_RE.match(encoded.decode("utf-8").lstrip("\ufeff"))
    except UnicodeDecodeError:
        return None


def article_body(encoded: bytes) -> str | None:
    """The body of an article file as ``read_article`` gives it to the form, or None."""
    match = _front_matter_of(encoded)
    return normalise_body(match.string[match.end() :]) if match else None


def article_slug(path: Path, encoded: bytes) -> str | None:
    """The slug an article file gives (its name, unless its front matter says otherwise), as
    it is written; or None."""
    match = _front_matter_of(encoded)
    try:
        data = _yaml(match.group(1)) if match else None
    except yaml.YAMLError:
        return None
    slug = data.get("slug", path.stem) if isinstance(data, dict) else None
    return slug.strip() if isinstance(slug, str) else None


def read_article(
    path: Path,
    display: str,
    encoded: bytes,
    root: Path,
    articles: dict[str, Article],
    rendered: RenderedInAdvance | None = None,
) -> tuple[Entry | None, list[str]]:
    """An article file (named ``display`` in problem lines, its bytes ``encoded``, in the
    content folder ``root``) checked with the article form against the row with its slug in
    ``articles``, if any; or the problem lines that stop it. ``rendered``: bodies rendered
    in advance, each used only if still what the body makes."""
    problem = Problems(display)
    parsed = _read_markdown(encoded, ArticleForm, ARTICLE_KEYS, problem)
    if parsed is None:
        return None, problem.lines
    data, values, reported = parsed
    values = {"slug": path.stem, **FILE_DEFAULTS, **values}
    row = articles.get(values["slug"]) if isinstance(values["slug"], str) else None
    files, image_digest = {}, ""
    if data.get("image") is not None and "image" not in reported:
        picture = _picture_beside(path, root, data["image"], values["slug"])
        if isinstance(picture, str):
            problem("image", picture)
            reported.add("image")
        else:
            image_digest = hashlib.sha256(picture.read()).hexdigest()
            picture.seek(0)
            # An unchanged picture stays as it is stored; a new one is checked by the form.
            if row is None or pictures.checksum(row.image) != image_digest:
                files["image"] = picture
    elif row is not None and row.image:
        values["image-clear"] = "on"
    form = ContentFileForm(values, files, instance=copy.copy(row) or Article())
    if rendered is not None and isinstance(values["body"], str):
        form.instance._rendered = rendered.get(values["body"])
    _report_errors(form, data, reported, problem)
    if problem.lines:
        return None, problem.lines
    said = fingerprint(form.instance, tags=form.cleaned_data["tags"], image=image_digest)
    return Entry(problem.display, form.cleaned_data["slug"], row, said, form), []


def read_block(
    path: Path, display: str, encoded: bytes, blocks: dict[str, Block]
) -> tuple[Entry | None, list[str]]:
    """A block file checked with the block form against the row with its name in ``blocks``."""
    problem = Problems(display)
    parsed = _read_markdown(encoded, BlockForm, BLOCK_KEYS, problem)
    if parsed is None:
        return None, problem.lines
    data, values, reported = parsed
    values = {"name": path.stem, **values}
    row = blocks.get(values["name"]) if isinstance(values["name"], str) else None
    form = BlockForm(values, instance=copy.copy(row) or Block())
    _report_errors(form, data, reported, problem)
    if problem.lines:
        return None, problem.lines
    said = fingerprint(form.instance)
    return Entry(problem.display, form.cleaned_data["name"], row, said, form), []


def read_list(
    model: type[models.Model], display: str, encoded: bytes, rows: dict[str, models.Model]
) -> tuple[list[Entry], set[str], list[str]]:
    """The rows a list file gives (``references.yaml`` or ``risks.yaml``), each checked with
    its kind's admin form against the row with its key in ``rows``; every key the list names;
    and its problems (``PATH: key.field: problem``)."""
    problems = Problems(display)
    one, kind, first_field = LISTED[model]
    form_class = FORMS[model]
    try:
        data = yaml.safe_load(encoded.decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        problems("file", f"is not valid UTF-8 YAML: {error}")
        return [], set(), problems.lines
    if not isinstance(data, dict):
        problems("file", f"must list {kind} as 'key:' lines, each with its fields")
        return [], set(), problems.lines
    entries = []
    for key, fields in data.items():
        problem = problems.within(key)
        found = len(problems.lines)
        if not isinstance(fields, dict):
            problem(first_field, f"each {one} needs its fields indented below its key")
            continue
        values, reported = _form_values(form_class, fields, LIST_KEYS[model], problem)
        row = rows.get(str(key))
        form = form_class({**values, "key": str(key)}, instance=copy.copy(row) or model())
        _report_errors(form, fields, reported, problem)
        if len(problems.lines) == found:
            said = fingerprint(form.instance)
            entries.append(Entry(problems.display, str(key), row, said, form))
    return entries, set(map(str, data)), problems.lines


def _read_markdown(encoded: bytes, form_class, fields: dict[str, str], problem: Problems):
    """A markdown file's bytes with front matter: its YAML, the YAML and the body as data for
    ``form_class``, and the keys already reported; or None when it cannot be read at all."""
    parsed = _front_matter(encoded, problem)
    if parsed is None:
        return None
    data, body = parsed
    values, reported = _form_values(form_class, data, fields, problem)
    return data, {**values, "body": body}, reported


def _yaml(text: str):
    """YAML read with libyaml where it is installed (much faster); a file it refuses is read
    again by the pure-Python reader, whose messages say more plainly what is wrong."""
    try:
        return yaml.load(text, Loader=FAST_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _front_matter(encoded: bytes, problem: Problems) -> tuple[dict, str] | None:
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


def _form_values(form_class, data: dict, fields: dict[str, str], problem) -> tuple[dict, set]:
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


def _report_errors(form: forms.ModelForm, data: dict, reported: set, problem: Problems) -> None:
    """Report the form's errors under the file's keys (but for keys already reported), with the
    value the file gave where that helps to find the slip."""
    for name, errors in form.errors.as_data().items():
        key = FILE_KEYS.get(name, name if name in form.fields else "file")
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


def fingerprint(row: models.Model, **given) -> str:
    """A fingerprint of what a content file says about ``row`` (an article, block or source):
    the fields of its admin form, as a file means them. It is the same for a row and the file
    it was loaded from or exported to, so an edit made on either side shows. ``given``: values
    by form field where the row cannot tell them yet (a file's tags and picture digest, before
    the row is saved with them)."""
    values = {
        FILE_KEYS.get(name, name): given[name] if name in given else _plain(row, name)
        for name in FORMS[type(row)]._meta.fields
    }
    for name in ADDED_LATER:
        if name in values and not values[name]:
            del values[name]
    encoded = json.dumps(values, sort_keys=True, default=dt.date.isoformat)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(row: models.Model, name: str):
    """A field's value as a content file means it: tags by name, times in UTC, a picture by
    its digest, the body as a file holds it, the next review date a file may leave out."""
    field = row._meta.get_field(name)
    if isinstance(field, models.ManyToManyField):
        return sorted(str(item) for item in getattr(row, name).all()) if row.pk else []
    if isinstance(field, models.ForeignKey):
        # A risk's source, by its key in the reference list.
        return getattr(row, name).key if getattr(row, field.attname) is not None else None
    value = getattr(row, name)
    if isinstance(field, models.DateTimeField):
        return value.astimezone(dt.UTC).isoformat() if value else None
    if isinstance(field, models.FileField):
        return pictures.checksum(value)
    if name == "body":
        return normalise_body(value or "")
    if name == "review_due":
        return value or default_review_due(row.reviewed)
    return value


def article_text(article: Article, directory: Path) -> str:
    """``article`` as a content file (its picture, if any, is written beside it)."""
    front = _front(article, ARTICLE_KEYS)
    if "image" in front:
        with article.image.open("rb") as source:
            (directory / front["image"]).write_bytes(source.read())
    return _markdown_text(front, article.body)


def block_text(block: Block) -> str:
    return _markdown_text(_front(block, BLOCK_KEYS), block.body)


def list_text(rows) -> str:
    """The rows of a list file (sources or risks, of one kind) as that file."""
    entries = {row.key: _front(row, LIST_KEYS[type(row)]) for row in rows}
    return yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=10**6)


def _front(row: models.Model, keys: dict[str, str]) -> dict:
    """The keys a file gives for ``row``: those with a value other than the one a file means by
    leaving it out. The row's key is left out too: the file's name or the entry's key says it."""
    front = {}
    for key, name in keys.items():
        if name == KEY_FIELDS[type(row)]:
            continue
        if name == "image":
            # An article's picture is written beside its file, named for the article.
            if row.image:
                front[key] = f"{row.slug}{Path(row.image.name).suffix}"
            continue
        value = _plain(row, name)
        if value in (None, "", []) or value == FILE_DEFAULTS.get(key):
            continue
        if name == "review_due" and value == default_review_due(row.reviewed):
            continue
        front[key] = value
    return front


def _markdown_text(front: dict, body: str) -> str:
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10**6)
    return f"---\n{header}---\n{body}"
