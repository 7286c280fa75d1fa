"""Search over published articles, as patients ask: what the query means (searchwords.py), the
pages that answer it best, first those with every part of it, and for each page the section that
answers, with the words found shown in their place.

The database does the finding and ranking, from the index searchindex.py keeps: SQLite's FTS5
(BM25, a title counting most) or PostgreSQL's full text (ts_rank over weighted columns).
"""

import functools
import html
import operator
import re
import threading
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from . import searchwords
from .searchindex import LANGUAGE, PAGE_TABLE, SECTION_TABLE, fts_table
from .searchwords import Concept, SiteWords, Understood

# SQLite's BM25 weights, column by column (title, summary, keywords, headings, text), and
# PostgreSQL's (D, C, B, A: text, headings, summary and keywords, title).
PAGE_BM25 = (10.0, 4.0, 4.0, 3.0, 1.0)
SECTION_BM25 = (4.0, 1.0)
PAGE_RANK_WEIGHTS = [0.1, 0.3, 0.5, 1.0]
SECTION_RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
SNIPPET_WORDS = 28
# Searches offered when one finds nothing, each shown only while it finds a page.
SUGGESTED_SEARCHES = (
    "aftercare",
    "does it hurt",
    "side effects",
    "acupuncture",
    "back pain",
    "first appointment",
)


@dataclass(frozen=True)
class Result:
    article: object
    anchor: str
    heading: str
    snippet: SafeString

    @property
    def url(self) -> str:
        address = self.article.get_absolute_url()
        return f"{address}#{self.anchor}" if self.anchor else address


@dataclass(frozen=True)
class Found:
    understood: Understood
    results: list[Result]
    count: int
    # Every part of the query is on each page found (otherwise: some part on each).
    every_word: bool = True


def find(articles: QuerySet, query: str, shown: int = 20) -> Found:
    """The best ``shown`` of the published ``articles`` for a query, and how many were found."""
    understood = searchwords.understand(query, site_words(articles))
    concepts = understood.concepts
    if not concepts:
        return Found(understood, [], 0)
    ranked, every = _ranked(articles, concepts, every=True), True
    if not ranked and len(concepts) > 1:
        ranked, every = _ranked(articles, concepts, every=False), False
    top = ranked[:shown]
    fields = ("title", "slug", "summary")
    loaded = articles.filter(pk__in=top).only(*fields).in_bulk()
    sections = _best_sections(top, concepts)
    results = []
    for pk in top:
        article = loaded[pk]
        if _in_title(article.title, concepts) or pk not in sections:
            results.append(Result(article, "", "", snippet(article.summary, concepts)))
        else:
            anchor, heading, text = sections[pk]
            results.append(Result(article, anchor, heading, snippet(text, concepts)))
    return Found(understood, results, len(ranked), every)


def suggestions(articles: QuerySet) -> list[str]:
    """The suggested searches that find a page."""
    return _while_the_site_is_unchanged(
        "suggestions",
        articles,
        lambda: [query for query in SUGGESTED_SEARCHES if find(articles, query, shown=1).count],
    )


def site_words(articles: QuerySet) -> SiteWords:
    """The words the published pages use."""
    return _while_the_site_is_unchanged("words", articles, lambda: _site_words(articles))


# What was last worked out from the whole site, by name: (the site's state then, the answer).
_worked_out: dict[str, tuple] = {}
_working_out = threading.RLock()


def _while_the_site_is_unchanged(name: str, articles: QuerySet, work_out):
    """An answer worked out from every published page, worked out again only when the site has
    changed: its content version, a scheduled article come due, or the vocabulary."""
    from .pagecache import stored_version

    state = (stored_version(), articles.count(), searchwords.vocabulary_stamp())
    held = _worked_out.get(name)
    if held is not None and held[0] == state:
        return held[1]
    # One thread works it out; the worker's other threads wait for it rather than do it too.
    with _working_out:
        held = _worked_out.get(name)
        if held is None or held[0] != state:
            held = _worked_out[name] = (state, work_out())
    return held[1]


def _site_words(articles: QuerySet) -> SiteWords:
    from .models import SearchPage

    rows = SearchPage.objects.filter(article__in=articles.order_by().values("pk")).values_list(
        "title", "summary", "keywords", "headings", "text"
    )
    return SiteWords.of(text for row in rows.iterator() for text in row)


def _ranked(articles: QuerySet, concepts: tuple[Concept, ...], every: bool) -> list[int]:
    if connection.vendor == "postgresql":
        return _ranked_postgresql(articles, concepts, every)
    return _ranked_sqlite(articles, concepts, every)


def _fts_query(concepts: tuple[Concept, ...], every: bool) -> str:
    groups = [
        "(" + " OR ".join(f'"{term}"' for term in concept.alternatives) + ")"
        for concept in concepts
    ]
    return (" AND " if every else " OR ").join(groups)


def _ranked_sqlite(articles: QuerySet, concepts: tuple[Concept, ...], every: bool) -> list[int]:
    fts = fts_table(PAGE_TABLE)
    published, params = articles.order_by().values("pk").query.sql_with_params()
    weights = ", ".join(map(str, PAGE_BM25))
    sql = (
        f"SELECT p.article_id FROM {fts} JOIN {PAGE_TABLE} p ON p.id = {fts}.rowid "  # noqa: S608
        f"WHERE {fts} MATCH %s AND p.article_id IN ({published}) "
        f"ORDER BY bm25({fts}, {weights}), p.article_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts_query(concepts, every), *params])
        return [row[0] for row in cursor.fetchall()]


def _pg_query(concepts: tuple[Concept, ...], every: bool) -> SearchQuery:
    groups = [
        functools.reduce(
            operator.or_,
            (
                SearchQuery(term, config=LANGUAGE, search_type="phrase" if " " in term else "plain")
                for term in concept.alternatives
            ),
        )
        for concept in concepts
    ]
    return functools.reduce(operator.and_ if every else operator.or_, groups)


def _vector(table: str) -> RawSQL:
    # The column ensure_index made: a name of this module's, never a visitor's.
    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())  # noqa: S611


def _ranked_postgresql(articles: QuerySet, concepts: tuple[Concept, ...], every: bool) -> list[int]:
    from .models import SearchPage

    wanted = _pg_query(concepts, every)
    vector = _vector(PAGE_TABLE)
    return list(
        SearchPage.objects.filter(article__in=articles.order_by().values("pk"))
        .annotate(found=vector)
        .filter(found=wanted)
        .annotate(rank=SearchRank(vector, wanted, weights=PAGE_RANK_WEIGHTS))
        .order_by("-rank", "article_id")
        .values_list("article_id", flat=True)
    )


def _best_sections(ids: list[int], concepts) -> dict[int, tuple[str, str, str]]:
    """The section of each page that answers best: (anchor, heading, text)."""
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        rows = _sections_postgresql(ids, concepts)
    else:
        rows = _sections_sqlite(ids, concepts)
    best = {}
    for article_id, anchor, heading, text in rows:
        best.setdefault(article_id, (anchor, heading, text))
    return best


def _sections_sqlite(ids: list[int], concepts) -> list[tuple]:
    fts = fts_table(SECTION_TABLE)
    weights = ", ".join(map(str, SECTION_BM25))
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT s.article_id, s.anchor, s.heading, s.text FROM {fts} "  # noqa: S608
        f"JOIN {SECTION_TABLE} s ON s.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND s.article_id IN ({marks}) "
        f"ORDER BY bm25({fts}, {weights}), s.position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts_query(concepts, every=False), *ids])
        return cursor.fetchall()


def _sections_postgresql(ids: list[int], concepts) -> list[tuple]:
    from .models import SearchSection

    wanted = _pg_query(concepts, every=False)
    vector = _vector(SECTION_TABLE)
    return list(
        SearchSection.objects.filter(article_id__in=ids)
        .annotate(found=vector)
        .filter(found=wanted)
        .annotate(rank=SearchRank(vector, wanted, weights=SECTION_RANK_WEIGHTS))
        .order_by("-rank", "position")
        .values_list("article_id", "anchor", "heading", "text")
    )


def _in_title(title: str, concepts) -> bool:
    """Every part of the query is in the title: the whole page answers it."""
    found = set(searchwords.stems(title))
    return all(concept.stems & found for concept in concepts)


def snippet(text: str, concepts, words: int = SNIPPET_WORDS) -> SafeString:
    """Some ``words`` of the text around the first place the query is found, each word or
    phrase found marked."""
    tokens = list(searchwords.WORD.finditer(text))
    marked = _found_words(tokens, concepts)
    first = max(0, min(marked) - 6) if marked else 0
    shown = tokens[first : first + words]
    if not shown:
        return SafeString("")
    start = 0 if first == 0 else shown[0].start()
    end = len(text) if first + words >= len(tokens) else shown[-1].end()
    parts, at = [], start
    for n, token in enumerate(shown, first):
        if n in marked and n - 1 not in marked:
            parts.append(html.escape(text[at : token.start()]))
            at = token.start()
        if n in marked and (n + 1 not in marked or n + 1 == first + len(shown)):
            parts.append(f"<mark>{html.escape(text[at : token.end()])}</mark>")
            at = token.end()
    parts.append(html.escape(text[at:end]))
    piece = re.sub(r"\s+", " ", "".join(parts).strip())
    return mark_safe(  # noqa: S308 (every piece of the text is escaped above)
        ("… " if start else "") + piece + (" …" if end < len(text) else "")
    )


def _found_words(tokens: list[re.Match], concepts) -> set[int]:
    """The positions of the words that are one of the query's words or phrases."""
    phrases = {searchwords.stems(term) for concept in concepts for term in concept.alternatives}
    phrases.discard(())
    starts = {phrase[0][:3] for phrase in phrases}
    longest = max((len(phrase) for phrase in phrases), default=0)
    words = [token.group().lower() for token in tokens]
    stemmed: dict[int, str] = {}

    def stem_at(n: int) -> str:
        if n not in stemmed:
            stemmed[n] = searchwords.stem(words[n])
        return stemmed[n]

    marked = set()
    for n, word in enumerate(words):
        if word[:3] not in starts:
            continue
        for length in range(min(longest, len(words) - n), 0, -1):
            if tuple(stem_at(n + k) for k in range(length)) in phrases:
                marked.update(range(n, n + length))
                break
    return marked
