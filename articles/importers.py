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

from . import pagecache
from .contentfiles import ContentFile, display_path, file_text, read_file
from .includes import also_known
from .models import Article, Block, Reference, Tag
from .sharedfiles import (
    BLOCKS_DIR,
    REFERENCES_FILE,
    SharedEntry,
    block_text,
    read_block,
    read_references,
    references_text,
)


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
    missing: list[tuple[str, str]] = field(default_factory=list)  # (slug, last loaded from)
    rerendered: list[str] = field(default_factory=list)
    shared: dict[str, "LoadReport"] = field(default_factory=dict)  # "blocks", "references"

    def counts(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, kept {len(self.kept)}"
        )


@dataclass
class ContentFolder:
    """Everything a content folder holds, checked: references, blocks, then articles."""

    references: list[SharedEntry]
    blocks: list[SharedEntry]
    articles: list[ContentFile]


def read_directory(directory: Path, *, overwrite: bool = False) -> ContentFolder:
    """Check every file below ``directory`` against the database as it is; raise ContentError
    listing every problem in every file."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([f"{display_path(directory)}: folder: not found"])
    problems: list[str] = []
    references: list[SharedEntry] = []
    listed: set[str] = set()
    if (directory / REFERENCES_FILE).is_file():
        rows = {r.key: r for r in Reference.objects.all()}
        references, listed, found = read_references(directory / REFERENCES_FILE, rows)
        problems.extend(found)
    blocks_dir = directory / BLOCKS_DIR
    blocks = []
    # What the folder names counts as known even where it has a problem of its own, so that
    # one slip is reported once, not again in every file that uses it.
    ref_keys = listed
    block_names = {path.stem for path in blocks_dir.glob("*.md")}
    with also_known(set(), ref_keys):
        rows = {b.name: b for b in Block.objects.all()}
        for path in sorted(blocks_dir.glob("*.md")):
            entry, found = read_block(path, rows)
            problems.extend(found)
            if entry:
                blocks.append(entry)
    articles = []
    with also_known(block_names | {entry.key for entry in blocks}, ref_keys):
        rows = {a.slug: a for a in Article.objects.prefetch_related("tags")}
        # With --overwrite every file is read, to replace whatever staff changed.
        loaded_from = {} if overwrite else {a.source_path: a for a in rows.values()}
        for path in sorted(directory.rglob("*.md")):
            if path.is_relative_to(blocks_dir):
                continue
            item, found = read_file(path, directory, rows, loaded_from)
            problems.extend(found)
            if item:
                articles.append(item)
    problems.extend(_clashes(articles, "slug", "the same slug"))
    problems.extend(_clashes(articles, "order", "the same place in the guide (order)"))
    if problems:
        raise ContentError(problems)
    return ContentFolder(references=references, blocks=blocks, articles=articles)


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
    existing = set(Article.objects.exclude(source_path="").values_list("slug", "source_path"))
    folder = read_directory(directory, overwrite=overwrite)
    report = LoadReport()
    loaded = {item.slug for item in folder.articles}
    report.missing = sorted((slug, path) for slug, path in existing if slug not in loaded)
    tags = {tag.name: tag for tag in Tag.objects.all()}
    # Versions are added by hand, once each row is complete (with its tags), not at every save.
    revision = reversion.create_revision(manage_manually=True)
    with pagecache.one_change(), transaction.atomic(), revision:
        reversion.set_comment(f"Loaded from {display_path(directory)}")
        # References and blocks first: the articles that use them render with them.
        for kind, entries in (("references", folder.references), ("blocks", folder.blocks)):
            if entries:
                report.shared[kind] = LoadReport()
            for entry in entries:
                _load_one(entry, report.shared[kind], tags, dry_run=dry_run, overwrite=overwrite)
        for number, item in enumerate(folder.articles, start=1):
            _load_one(item, report, tags, dry_run=dry_run, overwrite=overwrite)
            if progress:
                progress(number, len(folder.articles))
    return report


def _load_one(
    item: ContentFile | SharedEntry,
    report: LoadReport,
    tags: dict[str, Tag],
    *,
    dry_run: bool,
    overwrite: bool,
) -> None:
    row = item.existing
    if row is None:
        report.created.append(item.key)
        if not dry_run:
            _write(item, tags)
        return
    if item.current != item.snapshot and (item.current == row.source_hash or overwrite):
        report.updated.append(item.key)
        if not dry_run:
            _write(item, tags)
        return
    if item.current == item.snapshot:
        report.unchanged.append(item.key)
        loaded = {"source_hash": item.snapshot, "source_path": item.display}
        if isinstance(item, ContentFile):
            loaded["source_digest"] = item.digest
        if not dry_run and any(getattr(row, name) != value for name, value in loaded.items()):
            type(row).objects.filter(pk=row.pk).update(**loaded)
    else:
        report.kept.append(item.key)
    if isinstance(row, Article) and row.render_is_stale:
        report.rerendered.append(item.key)
        if not dry_run:
            row.rerender()


def _write(item: ContentFile | SharedEntry, tags: dict[str, Tag]) -> None:
    row = item.form.save(commit=False)
    row.source_path = item.display
    row.source_hash = item.snapshot
    row.loaded_at = timezone.now()
    if isinstance(item, ContentFile):
        row.source_digest = item.digest
    row.save()
    if isinstance(item, ContentFile):
        item.form.save_tags(row, tags)
    reversion.add_to_revision(row)


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
    blocks = list(Block.objects.order_by("name"))
    if blocks:
        (directory / BLOCKS_DIR).mkdir(exist_ok=True)
    for block in blocks:
        path = directory / BLOCKS_DIR / f"{block.name}.md"
        path.write_text(block_text(block), encoding="utf-8")
        written.append(path)
    references = Reference.objects.order_by("key")
    if references:
        path = directory / REFERENCES_FILE
        path.write_text(references_text(references), encoding="utf-8")
        written.append(path)
    return written
