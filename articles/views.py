from django.db import DatabaseError, connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from .models import Article

LATEST_COUNT = 5


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published()
        return super().get_context_data(
            guide=published.in_guide_order(),
            latest=published.newest_first()[:LATEST_COUNT],
            **kwargs,
        )


class ArticleListView(ListView):
    def get_queryset(self):
        # Built per request: published() compares with the current time.
        return Article.objects.published().order_by(F("order").asc(nulls_last=True), "title")


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return Article.objects.published()

    def get_context_data(self, **kwargs):
        return super().get_context_data(neighbours=self.object.neighbours(), **kwargs)


class SearchView(TemplateView):
    template_name = "articles/search.html"
    max_query_length = 200

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")[: self.max_query_length].strip()
        results = Article.objects.published().search(query) if query else None
        return super().get_context_data(query=query, results=results, **kwargs)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the site and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
