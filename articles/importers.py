"""Load the markdown files in ``content/`` into Article rows, and write them back out.

Every file is checked (with the admin's own article form) before anything is written; then all
writes happen in one transaction. An article edited in the admin since it was last loaded is
kept as staff left it unless the caller asks to overwrite it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .contentfiles import ContentFile, display_path, file_text, read_file
from .models import Article


class ContentError(Exception):
    """One or more content files are invalid; ``problems`` holds a ``PATH: field: problem`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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


def read_directory(directory: Path, existing: dict[str, Article]) -> list[ContentFile]:
    """Check every ``*.md`` below ``directory``; raise ContentError listing every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([f"{display_path(directory)}: folder: not found"])
    files, problems = [], []
    for path in sorted(directory.rglob("*.md")):
        item, found = read_file(path, directory, existing)
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
        value = getattr(item, key)
        if value is not None:
            seen.setdefault(value, []).append(item)
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
    existing = {a.slug: a for a in Article.objects.prefetch_related("tags")}
    files = read_directory(directory, existing)
    report = LoadReport()
    loaded = {item.slug for item in files}
    report.missing = [
        article
        for slug, article in sorted(existing.items())
        if article.source_path and slug not in loaded
    ]
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(f"Loaded from {display_path(directory)}")
        for number, item in enumerate(files, start=1):
            _load_one(item, report, dry_run=dry_run, overwrite=overwrite)
            if progress:
                progress(number, len(files))
    return report


def _load_one(item: ContentFile, report: LoadReport, *, dry_run: bool, overwrite: bool) -> None:
    article = item.article
    if article is None:
        report.created.append(item.slug)
        if not dry_run:
            _write(item)
        return
    if item.current != item.snapshot and (item.current == article.source_hash or overwrite):
        report.updated.append(item.slug)
        if not dry_run:
            _write(item)
        return
    if item.current == item.snapshot:
        report.unchanged.append(item.slug)
        if not dry_run and (article.source_hash, article.source_path) != (
            item.snapshot,
            item.display,
        ):
            Article.objects.filter(pk=article.pk).update(
                source_hash=item.snapshot, source_path=item.display
            )
    else:
        report.kept.append(item.slug)
    if article.render_is_stale:
        report.rerendered.append(item.slug)
        if not dry_run:
            article.rerender()


def _write(item: ContentFile) -> None:
    article = item.form.save(commit=False)
    article.source_path = item.display
    article.source_hash = item.snapshot
    article.loaded_at = timezone.now()
    article.save()
    item.form.save_tags(article)


def export_content(directory: Path) -> list[Path]:
    """Write every article as ``<slug>.md`` (and its picture) that load_content reads back as
    unchanged."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for article in Article.objects.prefetch_related("tags").order_by("slug"):
        path = directory / f"{article.slug}.md"
        path.write_text(file_text(article, directory), encoding="utf-8")
        written.append(path)
    return written
