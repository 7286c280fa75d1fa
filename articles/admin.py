import csv
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import updates
from .models import Article, ClinicDetails, Subscriber, Tag, default_review_due
from .revisions import changes_between

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


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "status",
            "published_at",
            "reviewed",
            "reviewer",
            "review_due",
            "order",
            "tags",
            "image",
            "image_alt",
        ]

    def clean(self):
        cleaned = super().clean()
        reviewed, due = cleaned.get("reviewed"), cleaned.get("review_due")
        if reviewed and due and due <= reviewed:
            self.add_error("review_due", "The next review must come after the last one.")
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", "Describe the picture for people who cannot see it.")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # Only now does the instance hold the values typed in, which the publishing rules read.
        if self.instance.status == Article.Status.PUBLISHED and not self.errors:
            for field, problem in self.instance.publishing_problems().items():
                self.add_error(field if field in self.fields else None, problem)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published")]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        if self.value() == "scheduled":
            return published.filter(published_at__gt=now)
        if self.value() == "live":
            return queryset.published()
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("soon", "Due in the next 30 days")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(review_due__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                review_due__gte=today, review_due__lte=today + timedelta(days=30)
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin, MarkdownxModelAdmin):
    """Every save keeps a version: History lists them, compares two and restores one; deleted
    articles come back through "Recover deleted articles"."""

    form = ArticleAdminForm
    object_history_template = "reversion/articles/article/object_history.html"

    class Media:
        js = ["articles/editor.js"]
        css = {"all": ["articles/editor.css"]}

    list_display = (
        "title",
        "state",
        "reviewed",
        "review_due_shown",
        "readability_grade",
        "updated_at",
    )
    list_filter = (StatusFilter, ReviewFilter, "tags")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "preview_link",
        "readability_grade",
        "reading_time",
        "word_count",
        "source_path",
        "loaded_at",
        "updated_at",
    )
    filter_horizontal = ("tags",)
    fieldsets = [
        (None, {"fields": ["preview_link", "title", "slug", "summary", "body"]}),
        (
            "Review and publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "reviewed",
                    "reviewer",
                    "review_due",
                ]
            },
        ),
        ("Guide and topics", {"fields": ["order", "tags"]}),
        ("Picture", {"fields": ["image", "image_alt"]}),
        ("How it reads", {"fields": ["readability_grade", "reading_time", "word_count"]}),
        (
            "Where it came from",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_path",
                    "loaded_at",
                    "updated_at",
                ],
            },
        ),
    ]
    actions = ["publish", "unpublish", "mark_reviewed_today", "email_subscribers"]

    def get_urls(self):
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        return [compare, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(Article, object_id)
        return super().history_view(
            request, object_id, {"versions": versions, **(extra_context or {})}
        )

    def compare_view(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=object_id)
        versions = Version.objects.get_for_object_reference(Article, object_id)
        older = get_object_or_404(versions, pk=request.GET.get("from", "0"))
        newer = get_object_or_404(versions, pk=request.GET.get("to", "0"))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Compare versions of {article}",
            "older": older,
            "newer": newer,
            "changes": changes_between(older.field_dict, newer.field_dict),
        }
        return render(request, "admin/articles/article/compare.html", context)

    @admin.display(description="status")
    def state(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft"
        if article.is_scheduled:
            return f"Scheduled for {timezone.localtime(article.published_at):%-d %b %Y %H:%M}"
        return "Published"

    @admin.display(description="review due", ordering="review_due")
    def review_due_shown(self, article: Article) -> str:
        due = f"{article.review_due:%-d %b %Y}"
        if article.review_overdue:
            return format_html('<strong class="overdue">Overdue since {}</strong>', due)
        return due

    @admin.display(description="reading time")
    def reading_time(self, article: Article) -> str:
        return f"About {article.reading_minutes} minute(s)" if article.pk else "-"

    @admin.display(description="see it")
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "Save the article to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview this article as patients will '
            "see it</a>",
            reverse("articles:preview", args=[article.slug]),
        )

    @admin.action(description="Publish")
    def publish(self, request, queryset):
        published, refused = 0, []
        for article in queryset:
            problems = article.publishing_problems()
            if problems:
                refused.append(f"{article.title}: {' '.join(problems.values())}")
                continue
            article.status = Article.Status.PUBLISHED
            article.save()
            published += 1
        self.message_user(request, f"Published {published} article(s).")
        for line in refused:
            self.message_user(request, f"Not published. {line}", messages.ERROR)

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset):
        for article in queryset:
            article.status = Article.Status.DRAFT
            article.save()
        self.message_user(request, f"Moved {len(queryset)} article(s) back to draft.")

    @admin.action(description="Mark as reviewed today")
    def mark_reviewed_today(self, request, queryset):
        today = timezone.localdate()
        for article in queryset:
            article.reviewed = today
            article.review_due = default_review_due(today)
            article.save()
        self.message_user(
            request,
            f"Marked {len(queryset)} article(s) as reviewed today; next review due "
            f"{default_review_due(today):%-d %B %Y}.",
        )

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
