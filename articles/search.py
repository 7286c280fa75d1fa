"""Search over published articles: any word of the query, best first, a title match outweighing
the summary, and the summary the body.

On PostgreSQL this is full-text search (English stemming, so "needles" finds "needling", and
ranking by where the words are); elsewhere (SQLite) it counts plain word matches.
"""

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

MAX_QUERY_CHARACTERS = 200
MIN_SEARCH_WORD = 2
MAX_SEARCH_WORDS = 8
SEARCH_WEIGHTS = {"title": 5, "summary": 3, "search_text": 1}
FULL_TEXT_WEIGHTS = {"title": "A", "summary": "B", "search_text": "C"}
LANGUAGE = "english"


def clean_query(query: str) -> str:
    """The query as words: control characters (NUL, which PostgreSQL refuses, escapes, line
    breaks) become spaces; invisible formatting (direction marks, zero-width spaces) and
    anything that is not a character is left out; at most MAX_QUERY_CHARACTERS."""
    kept = []
    for character in query[: MAX_QUERY_CHARACTERS * 4]:
        category = unicodedata.category(character)
        if category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs", "Cn"):
            kept.append(character)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARACTERS].strip()


def search_articles(articles: QuerySet, query: str) -> QuerySet:
    query = clean_query(query)
    terms = list(dict.fromkeys(w for w in query.lower().split() if len(w) >= MIN_SEARCH_WORD))
    if not terms:
        return articles.none()
    terms = terms[:MAX_SEARCH_WORDS]
    if connection.vendor == "postgresql":
        return _full_text(articles, terms)
    return _word_matches(articles, terms)


def _full_text(articles: QuerySet, terms: list[str]) -> QuerySet:
    vector = None
    for name, weight in FULL_TEXT_WEIGHTS.items():
        part = SearchVector(name, weight=weight, config=LANGUAGE)
        vector = part if vector is None else vector + part
    wanted = None
    for term in terms:
        one = SearchQuery(term, config=LANGUAGE, search_type="plain")
        wanted = one if wanted is None else wanted | one
    return (
        articles.annotate(score=SearchRank(vector, wanted))
        .filter(score__gt=0)
        .order_by(F("score").desc(), "order", "title")
    )


def _word_matches(articles: QuerySet, terms: list[str]) -> QuerySet:
    score = Value(0)
    for term in terms:
        for name, weight in SEARCH_WEIGHTS.items():
            score += Case(
                When(**{f"{name}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return articles.annotate(score=score).filter(score__gt=0).order_by("-score", "order", "title")
