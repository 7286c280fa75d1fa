"""Search over published articles: any word of the query, best first, a title match outweighing
the summary, and the summary the body."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

MIN_SEARCH_WORD = 2
MAX_SEARCH_WORDS = 8
SEARCH_WEIGHTS = {"title": 5, "summary": 3, "search_text": 1}


def search_articles(articles: QuerySet, query: str) -> QuerySet:
    terms = list(dict.fromkeys(w for w in query.lower().split() if len(w) >= MIN_SEARCH_WORD))
    if not terms:
        return articles.none()
    score = Value(0)
    for term in terms[:MAX_SEARCH_WORDS]:
        for name, weight in SEARCH_WEIGHTS.items():
            score += Case(
                When(**{f"{name}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return articles.annotate(score=score).filter(score__gt=0).order_by("-score", "order", "title")
