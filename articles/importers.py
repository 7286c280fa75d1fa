"""Load the markdown files in ``content/`` into Article rows, and write them back out.

Every file is checked before anything is written; then all writes happen in one transaction.
An article edited in the admin since it was last loaded is kept as staff left it unless the
caller asks to overwrite it.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import reversion
import yaml
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from .markdown import FIGURE_SHORTCODE, figure_names
from .models import Article, Tag, default_review_due, fingerprint, normalise_body

REQUIRED_KEYS = ("title", "summary", "reviewed")
OPTIONAL_KEYS = (
    "review_due",
    "reviewer",
    "slug",
    "order",
    "status",
    "published",
    "tags",
    "image",
    "image_alt",
)
ALLOWED_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)

Field = Article._meta.get_field


class ContentError(Exception):
    """One or more content files are invalid; ``problems`` holds a ``PATH: field: problem`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ContentFile:
    path: Path
    display: str
    fields: dict
    image_path: Path | None = None

    @property
    def slug(self) -> str:
        return self.fields["slug"]


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missing: list[Article] = field(default_factory=list)
    rerendered: list[str] = field(default_factory=list)

    def counts(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, kept {len(self.kept)}"
        )


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Checker:
    """Collects the problems of one file, each naming the field it is about."""

    def __init__(self, display: str):
        self.display = display
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.display}: {key}: {message}")

    def text(self, data: dict, key: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(key, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(key, "must be text (put it in quotes if it looks like a number or yes/no)")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(key, "must not be empty")
        limit = Field(key).max_length
        if len(value) > limit:
            self.problem(key, f"is {len(value)} characters long; the limit is {limit}")
        return value

    def date(self, data: dict, key: str, *, required: bool = False) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(key, "is required (a date like 2026-01-31)")
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, dt.date):
            self.problem(key, f"{data.get(key)!r} is not a date like 2026-01-31")
            return None
        return value

    def datetime(self, data: dict, key: str) -> dt.datetime | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                value = None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        if not isinstance(value, dt.datetime):
            self.problem(key, f"{data.get(key)!r} is not a date and time like 2026-01-31 09:00")
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC)


def parse_file(path: Path, root: Path) -> tuple[ContentFile | None, list[str]]:
    """Read and check one content file; return it, or the problems that stop it loading."""
    check = _Checker(display_path(path))
    encoded = path.read_bytes()
    try:
        raw = encoded.decode("utf-8")
    except UnicodeDecodeError as error:
        line = encoded[: error.start].count(b"\n") + 1
        check.problem("file", f"is not UTF-8 text (line {line}); save it as UTF-8")
        return None, check.problems
    match = FRONT_MATTER_RE.match(raw.lstrip("\ufeff"))
    if not match:
        check.problem(
            "front matter",
            "the file must start with a '---' line, the fields, and another '---' line",
        )
        return None, check.problems
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        check.problem(
            "front matter", f"is not valid YAML{where}: {getattr(error, 'problem', error)}"
        )
        return None, check.problems
    if not isinstance(data, dict):
        check.problem("front matter", "must be a list of 'key: value' lines")
        return None, check.problems
    body = normalise_body(raw.lstrip("\ufeff")[match.end() :])

    for key in sorted(set(map(str, data)) - set(ALLOWED_KEYS)):
        check.problem(key, f"unknown field (allowed: {', '.join(ALLOWED_KEYS)})")

    title = check.text(data, "title", required=True)
    summary = check.text(data, "summary", required=True)
    reviewer = check.text(data, "reviewer")
    reviewed = check.date(data, "reviewed", required=True)
    if reviewed and reviewed > timezone.localdate():
        check.problem("reviewed", f"{reviewed} is in the future")
    review_due = check.date(data, "review_due")
    if reviewed and review_due and review_due <= reviewed:
        check.problem("review_due", f"{review_due} must be after the review date {reviewed}")

    slug = data.get("slug", path.stem)
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        source = "slug" if "slug" in data else "file name"
        check.problem(
            "slug",
            f"{slug!r} ({source}) may use only lower-case letters, numbers and single hyphens",
        )

    order = data.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 0):
        check.problem("order", f"{order!r} must be a whole number, 0 or more")

    status = data.get("status", Article.Status.PUBLISHED)
    if status not in Article.Status.values:
        check.problem("status", f"{status!r} must be one of: {', '.join(Article.Status.values)}")

    published = check.datetime(data, "published")

    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        check.problem("tags", "must be a list of words, one per line starting with '- '")
        tags = []
    tags = sorted({t.strip() for t in tags})
    for tag in tags:
        if len(tag) > Tag._meta.get_field("name").max_length:
            check.problem("tags", f"{tag[:20]!r}... is too long")

    image_path, image_digest = None, ""
    image = data.get("image")
    image_alt = check.text(data, "image_alt")
    if image is not None:
        image_path, image_digest = _check_image(check, path, root, image)
        if not image_alt:
            check.problem("image_alt", "is required with an image: describe what it shows")
    elif image_alt:
        check.problem("image_alt", "is given but there is no image")

    if not body.strip():
        check.problem("body", "is empty: write the article below the front matter")
    for name in FIGURE_SHORTCODE.findall(body):
        if name not in figure_names():
            check.problem(
                "body", f"unknown figure {name!r} (available: {', '.join(figure_names())})"
            )

    if check.problems:
        return None, check.problems
    fields = {
        "title": title,
        "summary": summary,
        "body": body,
        "reviewed": reviewed.isoformat(),
        "review_due": (review_due or default_review_due(reviewed)).isoformat(),
        "reviewer": reviewer,
        "slug": slug,
        "order": order,
        "status": status,
        "published": published.isoformat() if published else None,
        "tags": tags,
        "image": image_digest,
        "image_alt": image_alt,
    }
    return ContentFile(path=path, display=check.display, fields=fields, image_path=image_path), []


def _check_image(check: _Checker, path: Path, root: Path, image) -> tuple[Path | None, str]:
    if not isinstance(image, str) or not image.strip():
        check.problem("image", "must be the file name of a picture beside the article")
        return None, ""
    image_path = (path.parent / image.strip()).resolve()
    if not image_path.is_relative_to(root.resolve()):
        check.problem("image", f"{image!r} is outside the content folder")
        return None, ""
    if not image_path.is_file():
        check.problem("image", f"{image!r} was not found beside the article")
        return None, ""
    try:
        with Image.open(image_path) as picture:
            picture.verify()
            kind = picture.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        check.problem("image", f"{image!r} is not a readable picture")
        return None, ""
    if kind not in IMAGE_FORMATS:
        check.problem("image", f"{image!r} is {kind}; use PNG, JPEG, WebP or GIF")
        return None, ""
    return image_path, hashlib.sha256(image_path.read_bytes()).hexdigest()


def read_directory(directory: Path) -> list[ContentFile]:
    """Parse every ``*.md`` below ``directory``; raise ContentError listing every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([f"{display_path(directory)}: folder: not found"])
    files, problems = [], []
    for path in sorted(directory.rglob("*.md")):
        item, found = parse_file(path, directory)
        problems.extend(found)
        if item:
            files.append(item)
    problems.extend(_clashes(files, "slug", "the same slug"))
    problems.extend(_clashes(files, "order", "the same place in the guide (order)"))
    if problems:
        raise ContentError(problems)
    return files


def _clashes(files: list[ContentFile], key: str, what: str) -> list[str]:
    seen: dict = {}
    for item in files:
        if item.fields[key] is not None:
            seen.setdefault(item.fields[key], []).append(item)
    return [
        f"{item.display}: {key}: {what} as {', '.join(o.display for o in group if o is not item)}"
        for group in seen.values()
        if len(group) > 1
        for item in group
    ]


def load_content(
    directory: Path | None = None,
    *,
    dry_run: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Bring the database in line with the content files; see the module docstring."""
    directory = Path(directory or settings.CONTENT_DIR)
    files = read_directory(directory)
    report = LoadReport()
    existing = {a.slug: a for a in Article.objects.prefetch_related("tags")}
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(f"Loaded from {display_path(directory)}")
        for number, item in enumerate(files, start=1):
            _load_one(item, existing.get(item.slug), report, dry_run=dry_run, overwrite=overwrite)
            if progress:
                progress(number, len(files))
    loaded = {item.slug for item in files}
    report.missing = [
        article
        for slug, article in sorted(existing.items())
        if article.source_path and slug not in loaded
    ]
    return report


def _load_one(
    item: ContentFile,
    article: Article | None,
    report: LoadReport,
    *,
    dry_run: bool,
    overwrite: bool,
) -> None:
    new_hash = fingerprint(item.fields)
    if article is None:
        report.created.append(item.slug)
        if not dry_run:
            _write(Article(), item, new_hash)
        return
    current = article.current_hash()
    if current != new_hash and (current == article.source_hash or overwrite):
        report.updated.append(item.slug)
        if not dry_run:
            _write(article, item, new_hash)
        return
    if current == new_hash:
        report.unchanged.append(item.slug)
        if not dry_run and (article.source_hash, article.source_path) != (new_hash, item.display):
            Article.objects.filter(pk=article.pk).update(
                source_hash=new_hash, source_path=item.display
            )
    else:
        report.kept.append(item.slug)
    if article.render_is_stale:
        report.rerendered.append(item.slug)
        if not dry_run:
            article.rerender()


def _write(article: Article, item: ContentFile, new_hash: str) -> None:
    fields = item.fields
    article.title = fields["title"]
    article.slug = fields["slug"]
    article.summary = fields["summary"]
    article.body = fields["body"]
    article.reviewed = dt.date.fromisoformat(fields["reviewed"])
    article.review_due = dt.date.fromisoformat(fields["review_due"])
    article.reviewer = fields["reviewer"]
    article.order = fields["order"]
    article.status = fields["status"]
    article.published_at = (
        dt.datetime.fromisoformat(fields["published"]) if fields["published"] else None
    )
    article.image_alt = fields["image_alt"]
    if not item.image_path:
        article.image = ""
    elif article.image_digest() != fields["image"]:
        with item.image_path.open("rb") as handle:
            article.image.save(
                f"{fields['slug']}{item.image_path.suffix}", File(handle), save=False
            )
    article.source_path = item.display
    article.source_hash = new_hash
    article.loaded_at = timezone.now()
    article.save()
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in fields["tags"]])


def export_content(directory: Path) -> list[Path]:
    """Write every article as ``<slug>.md`` (and its picture) that load_content reads back as
    unchanged."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for article in Article.objects.prefetch_related("tags").order_by("slug"):
        path = directory / f"{article.slug}.md"
        path.write_text(_file_text(article, directory), encoding="utf-8")
        written.append(path)
    return written


def _file_text(article: Article, directory: Path) -> str:
    fields = article.content_fields()
    front: dict = {"title": article.title, "summary": article.summary, "reviewed": article.reviewed}
    if fields["review_due"] != default_review_due(article.reviewed).isoformat():
        front["review_due"] = article.review_due
    optional = {
        "reviewer": article.reviewer,
        "order": article.order,
        "status": article.status if article.status != Article.Status.PUBLISHED else None,
        "published": fields["published"],
        "tags": fields["tags"],
    }
    front.update({key: value for key, value in optional.items() if value not in (None, "", [])})
    if article.image:
        name = f"{article.slug}{Path(article.image.name).suffix}"
        with article.image.open("rb") as source:
            (directory / name).write_bytes(source.read())
        front["image"] = name
        front["image_alt"] = article.image_alt
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10**6)
    return f"---\n{header}---\n{article.body}"
