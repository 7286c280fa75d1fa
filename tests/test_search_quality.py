"""Search measured against what patients type: tests/patient_queries.txt lists searches with the
pages that answer them; one of those pages must be in the first three results for at least 90%
of them (this runs on SQLite, and on PostgreSQL when DATABASE_URL names one)."""

from pathlib import Path

import pytest

from articles.importers import load_content
from articles.models import Article
from articles.search import find

QUERIES = Path(__file__).with_name("patient_queries.txt")
HIT_RATE = 0.9


def patient_queries() -> list[tuple[str, set[str]]]:
    found = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, pages = line.split("->")
            found.append((query.strip(), {page.strip() for page in pages.split(",")}))
    return found


def test_the_list_has_at_least_fifty_queries_naming_shipped_pages(shipped_content):
    queries = patient_queries()
    assert len(queries) >= 50
    shipped = {path.stem for path in Path(shipped_content).glob("*.md")}
    assert {page for _, pages in queries for page in pages} <= shipped


@pytest.mark.django_db
def test_nine_in_ten_patient_searches_have_an_answer_in_the_first_three(shipped_content):
    load_content(shipped_content)
    published = Article.objects.published()
    misses = []
    for query, pages in patient_queries():
        top = [result.article.slug for result in find(published, query).results[:3]]
        if not pages & set(top):
            misses.append(f"{query!r}: got {top}, wanted one of {sorted(pages)}")
    queries = len(patient_queries())
    assert (queries - len(misses)) / queries >= HIT_RATE, "\n".join(misses)
