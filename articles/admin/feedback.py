"""What readers said: answers and comments per article, newest first, with a "dealt with" tick."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..csvdownloads import csv_download
from ..models import Article, Feedback
from ..models.feedback import RECENT_DAYS

CSV_COLUMNS = ["created_at", "article__slug", "helpful", "comment", "dealt_with"]


class FeedbackColumns:
    """For the article admin: the share of readers who found each page helpful."""

    def get_queryset(self, request):
        return super().get_queryset(request).with_helpfulness(RECENT_DAYS)

    @admin.display(description=f"helpful (last {RECENT_DAYS} days)", ordering="yes")
    def helpfulness(self, article: Article) -> str:
        if not article.answers:
            return "No answers yet"
        return f"{round(100 * article.yes / article.answers)}% yes ({article.answers})"

    @admin.display(description="helpful?")
    def feedback_summary(self, article: Article) -> str:
        if not article.pk:
            return "Readers can say whether the page helped once it is published."
        comments = (
            reverse("admin:articles_feedback_changelist") + f"?article__id__exact={article.pk}"
        )
        if not article.answers:
            summary = f"No reader has answered in the last {RECENT_DAYS} days."
        else:
            summary = (
                f"{article.yes} of {article.answers} readers "
                f"({round(100 * article.yes / article.answers)}%) said this page helped, in the "
                f"last {RECENT_DAYS} days."
            )
        return format_html('{} <a href="{}">Read every answer and comment</a>', summary, comments)


class HasCommentFilter(admin.SimpleListFilter):
    title = "comment"
    parameter_name = "comment"

    def lookups(self, request, model_admin):
        return [("yes", "With a comment"), ("new", "Comments not yet dealt with")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_comments()
        if self.value() == "new":
            return queryset.needing_attention()
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "article", "answer", "comment", "dealt_with")
    list_editable = ("dealt_with",)
    list_filter = (HasCommentFilter, "helpful", "dealt_with", "article")
    search_fields = ("comment", "article__title")
    date_hierarchy = "created_at"
    readonly_fields = ("article", "helpful", "comment", "created_at")
    fields = ("article", "helpful", "comment", "created_at", "dealt_with")
    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False  # only readers give feedback

    @admin.display(description="helpful?", ordering="helpful")
    def answer(self, feedback: Feedback) -> str:
        return format_html("<strong>{}</strong>", "Yes" if feedback.helpful else "No")

    @admin.action(description="Export selected feedback to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_download(queryset.order_by("-created_at"), CSV_COLUMNS, "feedback")
