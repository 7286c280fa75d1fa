import csv

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.utils import timezone
from markdownx.admin import MarkdownxModelAdmin

from . import updates
from .models import Article, ClinicDetails, Subscriber, Tag

CSV_COLUMNS = [
    "email",
    "status",
    "consent_wording_version",
    "consent_given_at",
    "consent_page",
    "confirmation_sent_at",
    "confirmed_at",
    "unsubscribed_at",
    "created_at",
]


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    list_display = ("title", "status", "published_at", "reviewed", "review_due", "updated_at")
    list_filter = ("status", "tags")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("readability_grade", "word_count", "source_path", "loaded_at")
    filter_horizontal = ("tags",)
    actions = ["email_subscribers"]

    @admin.action(description="Email subscribers about this article")
    def email_subscribers(self, request, queryset):
        articles = list(queryset.published())
        if len(articles) != queryset.count():
            self.message_user(
                request,
                "Only published articles can be sent. Publish the others first.",
                messages.WARNING,
            )
        for article in articles:
            updates.queue_article(article)
        report = updates.send_pending(updates.UpdateReport())
        if report.emails_sent:
            self.message_user(request, f"Emailed {report.emails_sent} subscriber(s).")
        elif not report.emails_failed:
            self.message_user(request, "Every confirmed subscriber has already been told.")
        if report.emails_failed:
            self.message_user(
                request,
                f"{report.emails_failed} email(s) could not be sent. They are kept and will go "
                "out with the next run of send_updates.",
                messages.ERROR,
            )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(admin.ModelAdmin):
    """One set of details, shown beside every article: it can be changed, never deleted."""

    list_display = ("name", "phone", "booking_url")
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def has_add_permission(self, request) -> bool:
        return not ClinicDetails.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _Echo:
    """A file-like object whose write() hands back the line, so rows stream one at a time."""

    def write(self, value: str) -> str:
        return value


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "created_at", "confirmed_at", "consent_page")
    list_filter = ("status",)
    search_fields = ("email",)
    date_hierarchy = "created_at"
    readonly_fields = (*CSV_COLUMNS,)
    fields = readonly_fields
    actions = ["export_csv"]
    change_list_template = "admin/articles/subscriber/change_list.html"

    def has_add_permission(self, request) -> bool:
        # Only the sign-up form adds people: it records their consent and confirms the address.
        return False

    def changelist_view(self, request, extra_context=None):
        counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        summary = [(label, counts.get(value, 0)) for value, label in Subscriber.Status.choices]
        return super().changelist_view(request, {"status_counts": summary, **(extra_context or {})})

    @admin.action(description="Export selected subscribers to CSV (with consent record)")
    def export_csv(self, request, queryset):
        writer = csv.writer(_Echo())
        rows = queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator(chunk_size=2000)
        lines = (writer.writerow([_csv_value(v) for v in row]) for row in rows)
        response = StreamingHttpResponse(
            _with_header(writer.writerow(CSV_COLUMNS), lines), content_type="text/csv"
        )
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response


def _with_header(header: str, lines):
    yield header
    yield from lines


def _csv_value(value) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
    # A cell starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text
