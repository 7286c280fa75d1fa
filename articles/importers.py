"""Load a content folder into the database, and write the database back out as one.

A load is one transaction, kind by kind: the reference list, then the risk figures (which
name their sources), then the blocks, then the articles. Each kind is checked with the admin's
forms (contentformat.py) against the database as the kinds before it left it, then saved, so an
article can use a block, source or risk the same load adds. A problem in any file rolls the
whole load back, and ContentError lists every problem in every file. For each row a file
describes, the load decides:

- created: there is no row with its key yet;
- unchanged: the row is as the file says (only where it came from is noted, if that moved);
- updated: the file changed, and the row was not edited in the admin since its last load (its
  fingerprint is still the one recorded then), or the caller asks to overwrite;
- kept: the row was edited in the admin since its last load: left as staff wrote it.

Each row created or updated gets a revision of its own, so restoring one row's loaded version
from its History restores that row alone.
"""

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connections, models, router, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from . import includes, searchindex
from .contentformat import (
    BLOCKS_DIR,
    KEY_FIELDS,
    REFERENCES_FILE,
    RISKS_FILE,
    ContentFileForm,
    Entry,
    article_body,
    article_slug,
    article_text,
    block_text,
    display_path,
    fingerprint,
    list_text,
    names_a_picture,
    read_article,
    read_block,
    read_list,
)
from .markdown import RenderedInAdvance
from .models import Article, Block, Reference, Risk, Tag

# How many objects are made between two looks for cycles while a load runs (Python's is 700).
GC_EVERY = 50_000
# What a list file's rows name in other rows (a risk's source), fetched with them.
RELATED = {Risk: ("source",)}


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
    # (slug, what changed) of each article whose clinical sign-off no longer covers its page
    # because of this load: its file's text differs from the text the clinician signed, or a
    # block it includes or a risk figure it states changed.
    sign_offs_ended: list[tuple[str, str]] = field(default_factory=list)
    # "references", "risks", "blocks"
    shared: dict[str, "LoadReport"] = field(default_factory=dict)

    def counts(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, kept {len(self.kept)}"
        )


def load_content(
    directory: Path | None = None,
    *,
    dry_run: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Bring the database in line with the content files (see the module docstring); with
    ``dry_run``, do all of it and roll it back. Raises ContentError, having changed nothing."""
    directory = Path(directory or settings.CONTENT_DIR)
    if not directory.is_dir():
        raise ContentError([f"{display_path(directory)}: folder: not found"])
    load = _Load(directory, overwrite=overwrite, progress=progress)
    try:
        with _collecting_less(), transaction.atomic():
            load.run()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        load.forget_pictures()
        raise
    if dry_run:
        load.forget_pictures()
    return load.report


@contextmanager
def _collecting_less() -> Iterator[None]:
    """A load makes a great many objects that live until it ends (each file's form, rendering
    and version). Python looks for cycles among new objects every 700 made, and so walks them
    again and again: 0.7 s of a load of 1,000 articles, measured. Here it looks every 50,000,
    for the load and the workers converting its articles (which copy the setting)."""
    before = gc.get_threshold()
    gc.set_threshold(GC_EVERY, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Load:
    """One load of one folder, kind by kind; ``run`` inside the load's transaction."""

    def __init__(self, directory: Path, *, overwrite: bool, progress: Callable | None):
        self.directory = directory
        self.overwrite = overwrite
        self.progress = progress
        self.report = LoadReport()
        self.problems: list[str] = []
        self.tags: dict[str, Tag] = {}  # by name, as they are made
        self.pictures: list = []  # stored by this load: deleted again if it is not kept
        self.written: list[tuple[Version, str]] = []  # each row's version, and its comment
        self.now = timezone.now()

    def run(self) -> None:
        held = set(Article.objects.signed_off().values_list("slug", flat=True))
        self.load_list("references", Reference, REFERENCES_FILE)
        self.load_list("risks", Risk, RISKS_FILE)
        self.load_blocks()
        # Nothing an article can name changes from here on.
        with includes.rows_held(), searchindex.indexed_in_batches():
            self.load_articles()
        if self.problems:
            raise ContentError(self.problems)
        self.save_revisions()
        written = set(self.report.created + self.report.updated)
        ended = Article.objects.sign_off_ended().order_by("slug")
        self.report.sign_offs_ended = [
            (slug, reason)
            for slug, reason in ended.values_list("slug", "sign_off_ended")
            if slug in held or slug in written
        ]

    def load_list(self, kind: str, model: type[models.Model], name: str) -> None:
        """The reference list or the risk figures: one file listing rows by key."""
        path = self.directory / name
        if not path.is_file():
            return
        rows = {row.key: row for row in model.objects.select_related(*RELATED.get(model, ()))}
        entries, listed, found = read_list(model, display_path(path), path.read_bytes(), rows)
        self.save_shared(kind, entries, model, listed, found)

    def load_blocks(self) -> None:
        rows = {row.name: row for row in Block.objects.all()}
        paths = sorted((self.directory / BLOCKS_DIR).glob("*.md"))
        contents = {path: path.read_bytes() for path in paths}
        entries, found = [], []
        for entry, problems in self.read_files(contents, rows, partial(read_block, blocks=rows)):
            if entry:
                entries.append(entry)
            found.extend(problems)
        self.save_shared("blocks", entries, Block, {path.stem for path in paths}, found)

    def save_shared(
        self, kind: str, entries: list[Entry], model: type[models.Model], names: set, found: list
    ) -> None:
        """Save the blocks or sources that are good. Where some are not, the whole load will be
        rolled back: meanwhile every name the files give stands in as an empty row if it has
        none, so that the articles are checked for everything else they say, and a slip in a
        block or source is reported once, not again in every article that uses it."""
        if entries:
            self.report.shared[kind] = LoadReport()
        for entry in entries:
            self.save(entry, self.report.shared[kind])
        if found:
            self.problems.extend(found)
            _stand_in(model, names)

    def load_articles(self) -> None:
        """Every article file, checked, and saved as soon as it is checked while no file has a
        problem (a load with a problem anywhere is rolled back whole, so the rest are only
        checked, for the report); also notes the articles whose file has gone."""
        rows = {row.slug: row for row in Article.objects.prefetch_related("tags")}
        paths = [
            path
            for path in sorted(self.directory.rglob("*.md"))
            if not path.is_relative_to(self.directory / BLOCKS_DIR)
        ]
        contents = {path: path.read_bytes() for path in paths}
        read = partial(read_article, root=self.directory, articles=rows)
        # Two files that would make one article cannot both be saved; the clash is reported
        # once every file has been read.
        saving = not self.problems and not _repeated(
            article_slug(path, encoded) for path, encoded in contents.items()
        )
        entries = []
        # Closed however the loop ends, so the workers converting the rest stop with it.
        with closing(self.read_files(contents, rows, read, prerender=True)) as files:
            for entry, found in files:
                self.problems.extend(found)
                saving = saving and not found
                if entry is None:
                    continue
                entries.append(entry)
                if saving:
                    self.save(entry, self.report)
                    if self.progress:
                        self.progress(len(entries), len(paths))
        self.problems.extend(_clashes(entries, "slug", "the same slug"))
        self.problems.extend(_clashes(entries, "order", "the same place in the guide (order)"))
        loaded = {entry.key for entry in entries}
        self.report.missing = sorted(
            (slug, row.source_path)
            for slug, row in rows.items()
            if row.source_path and slug not in loaded
        )

    def read_files(
        self, contents: dict[Path, bytes], rows: dict, read_file: Callable, *, prerender=False
    ) -> Iterator[tuple[Entry | None, list[str]]]:
        """Files that each hold one row (articles, blocks), by path with their bytes, in order:
        each read with
        ``read_file`` unless it is byte for byte as it was when its row was last loaded from
        it: then it says what was recorded then. (With ``overwrite``, every file is read.) A
        file that names a picture is always read, as the picture may have changed beside it.
        With ``prerender`` (articles), the markdown of the files to read is converted on every
        core, ahead of the file being read, and each file is then checked (and saved) as one
        alone would be. Yields each file's entry (None if it has a problem) and problems."""
        loaded_from = {} if self.overwrite else {row.source_path: row for row in rows.values()}
        files = []
        for path, encoded in contents.items():
            checksum = hashlib.sha256(encoded).hexdigest()
            display = display_path(path)
            row = loaded_from.get(display)
            unchanged = row is not None and row.source_digest == checksum
            files.append((path, display, encoded, checksum, row, unchanged))
        bodies = [
            article_body(encoded)
            for _, _, encoded, _, _, unchanged in files
            if prerender and (not unchanged or names_a_picture(encoded))
        ]
        with RenderedInAdvance([body for body in bodies if body is not None]) as rendered:
            if prerender:
                read_file = partial(read_file, rendered=rendered)
            for path, display, encoded, checksum, row, unchanged in files:
                if unchanged and not names_a_picture(encoded):
                    key = getattr(row, KEY_FIELDS[type(row)])
                    entry, found = Entry(display, key, row, row.source_hash, form=None), []
                else:
                    entry, found = read_file(path, display, encoded)
                if entry:
                    entry.checksum = checksum
                yield entry, found

    def save(self, entry: Entry, report: LoadReport) -> None:
        row = entry.row
        if row is None:
            report.created.append(entry.key)
            self.write(entry)
            return
        current = fingerprint(row)
        if current != entry.said and (current == row.source_hash or self.overwrite):
            report.updated.append(entry.key)
            self.write(entry)
            return
        if current == entry.said:
            report.unchanged.append(entry.key)
            origin = {
                "source_path": entry.display,
                "source_hash": entry.said,
                "source_digest": entry.checksum,
            }
            if any(getattr(row, name) != value for name, value in origin.items()):
                type(row).objects.filter(pk=row.pk).update(**origin)
        else:
            report.kept.append(entry.key)
        if isinstance(row, Article) and row.render_is_stale:
            report.rerendered.append(entry.key)
            row.rerender()

    def write(self, entry: Entry) -> None:
        """Save what the file says, and keep the row as its revision will hold it."""
        # The revision's comment names the door, for a sign-off this save ends.
        comment = f"Loaded from {entry.display}"
        with reversion.create_revision(manage_manually=True, atomic=False):
            reversion.set_comment(comment)
            row = entry.form.save(commit=False)
            row.source_path, row.source_hash = entry.display, entry.said
            row.source_digest, row.loaded_at = entry.checksum, self.now
            row.save()
            if isinstance(entry.form, ContentFileForm):
                entry.form.save_tags(row, self.tags, new=entry.row is None)
                if "image" in entry.form.files:
                    self.pictures.append(row.image)
        # Taken once the row is whole, with its tags: what reversion.add_to_revision would
        # keep for a row registered with every field.
        using = router.db_for_write(Revision)
        version = Version(
            object_id=str(row.pk),
            content_type=ContentType.objects.db_manager(using).get_for_model(type(row)),
            db=router.db_for_write(type(row), instance=row),
            format="json",
            serialized_data=serializers.serialize("json", [row]),
            object_repr=str(row),
        )
        self.written.append((version, comment))

    def save_revisions(self) -> None:
        """A revision of its own for each row the load wrote, written together at the end."""
        using = router.db_for_write(Revision)
        made = [Revision(date_created=self.now, comment=comment) for _, comment in self.written]
        if connections[using].features.can_return_rows_from_bulk_insert:
            revisions = Revision.objects.using(using).bulk_create(made)
        else:  # SQLite before 3.35 gives no ids back from a bulk insert
            for revision in made:
                revision.save(using=using)
            revisions = made
        for revision, (version, _) in zip(revisions, self.written, strict=True):
            version.revision = revision
        Version.objects.using(using).bulk_create(version for version, _ in self.written)

    def forget_pictures(self) -> None:
        """Pictures are files, outside the transaction: a load that is rolled back deletes the
        ones it stored."""
        for picture in self.pictures:
            picture.storage.delete(picture.name)


def _stand_in(model: type[models.Model], names: set[str]) -> None:
    """Empty rows for the names that are not in the database (never saved: see save_shared).
    A name too long to store cannot be used either, and is left out."""
    key = KEY_FIELDS[model]
    limit = model._meta.get_field(key).max_length
    stored = set(model.objects.filter(**{f"{key}__in": names}).values_list(key, flat=True))
    missing = sorted(name for name in names - stored if 0 < len(name) <= limit)
    if model is Risk and missing:
        # A risk needs a source: any will do for a row that is never kept.
        source = Reference.objects.first() or Reference.objects.create(key="-", title="-")
        extra = {"event": "", "count": 0, "total": 1, "source": source}
    else:
        extra = {}
    model.objects.bulk_create(model(**{key: name}, **extra) for name in missing)


def _repeated(names: Iterable) -> bool:
    """Whether any name but None comes more than once."""
    seen = set()
    for name in names:
        if name is not None and name in seen:
            return True
        seen.add(name)
    return False


def _clashes(entries: list[Entry], key: str, what: str) -> list[str]:
    seen: dict = {}
    for entry in entries:
        value = entry.value(key)
        if value is not None:
            seen.setdefault(value, []).append(entry)
    return [
        f"{entry.display}: {key}: {what} as {', '.join(o.display for o in group if o is not entry)}"
        for group in seen.values()
        if len(group) > 1
        for entry in group
    ]


def export_content(directory: Path) -> list[Path]:
    """Write every article as ``<slug>.md`` (and its picture), every block, the reference list
    and the risk figures, as files that load_content reads back as unchanged."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for article in Article.objects.prefetch_related("tags").order_by("slug"):
        path = directory / f"{article.slug}.md"
        path.write_text(article_text(article, directory), encoding="utf-8")
        written.append(path)
    blocks = list(Block.objects.order_by("name"))
    if blocks:
        (directory / BLOCKS_DIR).mkdir(exist_ok=True)
    for block in blocks:
        path = directory / BLOCKS_DIR / f"{block.name}.md"
        path.write_text(block_text(block), encoding="utf-8")
        written.append(path)
    for name, rows in [
        (REFERENCES_FILE, Reference.objects.order_by("key")),
        (RISKS_FILE, Risk.objects.select_related("source").order_by("key")),
    ]:
        if rows:
            path = directory / name
            path.write_text(list_text(rows), encoding="utf-8")
            written.append(path)
    return written
