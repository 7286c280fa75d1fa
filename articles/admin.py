
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import updates
from .exports import csv_download
from .forms import ArticleForm, BlockForm, ReferenceForm
from .models import (
    Article,
    Block,
    ClinicDetails,
    Reference,
    Subscriber,
    Tag,
    default_review_due,
)
from .models.article import REVIEW_SOON_DAYS
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


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.State.choices

    def queryset(self, request, queryset):
        return queryset.in_state(self.value()) if self.value() in Article.State else queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Review overdue"),
            ("soon", f"Due in the next {REVIEW_SOON_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_within(REVIEW_SOON_DAYS)
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin, MarkdownxModelAdmin):
    """Every save keeps a version: History lists them, compares two and restores one; deleted
    articles come back through "Recover deleted articles"."""

    form = ArticleForm
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
        if article.state == Article.State.SCHEDULED:
            return f"Scheduled for {timezone.localtime(article.published_at):%-d %b %Y %H:%M}"
        return article.state.label

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
            article.status = Article.Status.PUBLISHED
            try:
                article.full_clean()
            except ValidationError as error:
                refused.append(f"{article.title}: {' '.join(error.messages)}")
                continue
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


@admin.register(Block)
class BlockAdmin(VersionAdmin, MarkdownxModelAdmin):
    """Text written once and included in articles by name; a change shows on every page at
    once."""

    form = BlockForm
    list_display = ("title", "name", "used_in", "updated_at")
    search_fields = ("title", "name", "body")
    prepopulated_fields = {"name": ("title",)}
    Media = ArticleAdmin.Media

    @admin.display(description="used in")
    def used_in(self, block: Block) -> str:
        titles = Article.objects.filter(body__contains=block.marker).values_list("title", flat=True)
        return ", ".join(titles) or "No article yet"


@admin.register(Reference)
class ReferenceAdmin(VersionAdmin):
    """Each source written once; articles cite it by key and list it under References."""

    form = ReferenceForm
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    list_display = ("key", "authors", "year", "title")
    search_fields = ("key", "authors", "title", "source")


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
        return csv_download(queryset.order_by("pk"), CSV_COLUMNS, "subscribers")
