"""What search reads, kept current: every article's page and sections (``SearchPage`` and
``SearchSection`` rows), and the database's own full-text index of them.

The rows are written here, from the article as it is stored, each time an article is saved,
rendered again (a block, source or risk figure it shows changed) or given other tags; the
database keeps its index of the rows in step by itself:

- SQLite: FTS5 tables (Python's sqlite3 ships with it), with the Porter stemmer so that "needles"
  finds "needling", filled by triggers on the rows;
- PostgreSQL: a stored tsvector column on each table, generated from the row (English
  stemming, with no stop words of its own), with a GIN index.

Neither is a Django field: ``ensure_index`` makes them after every migrate (and after a test
database is made or flushed), fills them from rows already there, and writes the rows of any
article that has none yet.
"""

import contextlib
import threading

from django.apps import apps as global_apps
from django.db import connection, transaction

from .markdown import sections_of

PAGE_TABLE = "articles_searchpage"
SECTION_TABLE = "articles_searchsection"
PAGE_COLUMNS = ("title", "summary", "keywords", "headings", "text")
SECTION_COLUMNS = ("heading", "text")
# PostgreSQL: how much each part of a row counts (A most, D least).
PAGE_WEIGHTS = {"title": "A", "summary": "B", "keywords": "B", "headings": "C", "text": "D"}
SECTION_WEIGHTS = {"heading": "A", "text": "D"}
# PostgreSQL: English stemming, but no stop words of its own ("after" and "how" count, as they
# do on SQLite): which words of a query carry its meaning is for searchwords.py to say.
LANGUAGE = "clinic_english"
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"


def fts_table(table: str) -> str:
    return f"{table}_fts"


# While a load runs (``indexed_in_batches``): the articles it saved, by id, not yet indexed.
_held = threading.local()
# How many of a load's articles are written to the index at a time, while it goes on.
BATCH = 100


@contextlib.contextmanager
def indexed_in_batches():
    """Within it (one load of the content folder, in its transaction), each article saved is
    indexed once, with its tags set, rather than at each save and again when its tags are set:
    ``BATCH`` at a time while the load goes on, the rest when it ends. If it fails, its
    transaction is rolled back, index and all."""
    if getattr(_held, "articles", None) is not None:
        yield
        return
    _held.articles = {}
    try:
        yield
        held = _held.articles
    finally:
        _held.articles = None
    index_articles(list(held.values()))


def index_article(article) -> None:
    """Write what search reads of this article, as it is stored now."""
    if article.pk is None:
        return
    held = getattr(_held, "articles", None)
    if held is None:
        index_articles([article])
        return
    if article.pk not in held and len(held) >= BATCH:
        # A load saves an article and then its tags before the next article: the ones held
        # are whole once another one comes.
        index_articles(list(held.values()))
        held.clear()
    held[article.pk] = article


def index_articles(articles: list) -> None:
    """Write what search reads of these articles, as they are stored now: a few statements
    for all of them."""
    articles = [article for article in articles if article.pk is not None]
    if not articles:
        return
    pages, parts = _row_models(articles[0])
    ids = [article.pk for article in articles]
    tags = _tags_of(articles[0], ids)
    page_rows, section_rows = [], []
    for article in articles:
        made = article._rendered
        if made is not None and made.html == article.body_html:
            sections = made.sections
        else:
            sections = sections_of(article.body_html)
        page_rows.append(
            pages(
                article_id=article.pk,
                title=article.title,
                summary=article.summary,
                keywords=" ".join([article.slug.replace("-", " "), *tags.get(article.pk, [])]),
                headings="\n".join(heading for _, heading, _ in sections if heading),
                text=article.search_text,
            )
        )
        section_rows.extend(
            parts(article_id=article.pk, position=n, anchor=anchor, heading=heading, text=text)
            for n, (anchor, heading, text) in enumerate(sections)
        )
    with transaction.atomic():
        pages.objects.filter(article_id__in=ids).delete()
        parts.objects.filter(article_id__in=ids).delete()
        pages.objects.bulk_create(page_rows, batch_size=200)
        parts.objects.bulk_create(section_rows, batch_size=500)


def _tags_of(article, ids: list[int]) -> dict[int, list[str]]:
    """The names of the tags of each of these articles, by article id, in one query."""
    through = article._meta.get_field("tags").remote_field.through
    found: dict[int, list[str]] = {}
    rows = through.objects.filter(article_id__in=ids).values_list("article_id", "tag__name")
    for article_id, name in rows.order_by("tag__name"):
        found.setdefault(article_id, []).append(name)
    return found


def index_tags(instance, action: str = "", reverse: bool = False, pk_set=None, **kwargs) -> None:
    """m2m_changed for articles' tags, from either side: the articles' keywords follow them."""
    if reverse and action == "pre_clear":
        # After a tag is taken off every article, it no longer names them: note them now.
        instance._search_articles = list(instance.articles.all())
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _index_again([instance])
    elif action == "post_clear":
        _index_again(getattr(instance, "_search_articles", []))
    else:
        _index_again(kwargs["model"].objects.filter(pk__in=pk_set))


def tag_changed(instance, **kwargs) -> None:
    """post_save and post_delete for a tag: a renamed tag is found by its new name only, a
    deleted one no more. (Its articles are noted by ``tag_deleting`` before a delete.)"""
    articles = getattr(instance, "_search_articles", None)
    _index_again(instance.articles.all() if articles is None else articles)


def tag_deleting(instance, **kwargs) -> None:
    """pre_delete for a tag: the articles it names, for ``tag_changed`` once it is gone."""
    instance._search_articles = list(instance.articles.all())


def _index_again(articles) -> None:
    held = getattr(_held, "articles", None)
    index_articles([article for article in articles if held is None or article.pk not in held])


def _row_models(article) -> tuple:
    """The models of an article's search rows (SearchPage, SearchSection), found from it."""
    fields = article._meta
    return (
        fields.get_field("search_page").related_model,
        fields.get_field("search_sections").related_model,
    )


def ensure_index(using: str = "default", **kwargs) -> None:
    """post_migrate: the database's full-text index exists and covers every article."""
    article_model = global_apps.get_model("articles", "Article")
    vendor = connection.vendor
    if vendor == "sqlite":
        _ensure_sqlite()
    elif vendor == "postgresql":
        _ensure_postgresql()
    index_articles(list(article_model.objects.filter(search_page__isnull=True)))


def _ensure_sqlite() -> None:
    with connection.cursor() as cursor:
        for table, columns in ((PAGE_TABLE, PAGE_COLUMNS), (SECTION_TABLE, SECTION_COLUMNS)):
            fts = fts_table(table)
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [fts])
            existed = cursor.fetchone() is not None
            names = ", ".join(columns)
            new = ", ".join(f"new.{name}" for name in columns)
            old = ", ".join(f"old.{name}" for name in columns)
            # Every name here is one of this module's constants.
            statements = [
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, "
                f"content='{table}', content_rowid='id', tokenize='{SQLITE_TOKENIZER}')",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "  # noqa: S608
                f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "  # noqa: S608
                f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE ON {table} BEGIN "  # noqa: S608
                f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
                f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
            ]
            if not existed:
                statements.append(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
            for statement in statements:
                cursor.execute(statement)


def _ensure_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [LANGUAGE])
        if cursor.fetchone() is None:
            cursor.execute(
                f"CREATE TEXT SEARCH DICTIONARY {LANGUAGE}_stem "
                "(TEMPLATE = snowball, LANGUAGE = english)"
            )
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {LANGUAGE} (COPY = english)")
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {LANGUAGE} ALTER MAPPING FOR "
                f"asciiword, word, hword, hword_part, asciihword, hword_asciipart "
                f"WITH {LANGUAGE}_stem"
            )
        for table, weights in ((PAGE_TABLE, PAGE_WEIGHTS), (SECTION_TABLE, SECTION_WEIGHTS)):
            vector = " || ".join(
                f"setweight(to_tsvector('{LANGUAGE}'::regconfig, coalesce({name}, '')), '{weight}')"
                for name, weight in weights.items()
            )
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
                f"GENERATED ALWAYS AS ({vector}) STORED"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_vector "
                f"ON {table} USING gin (search_vector)"
            )
