"""Articles: writing, checking, publishing, sign-off, history."""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from reversion.models import Version

from .. import patienttext, updates
from ..editconflicts import NoLostEdits
from ..forms import ArticleForm, SignOffForm
from ..models import Article, ClinicianProfile, default_review_due
from ..revisions import changes_between, signed_text_changes
from ..writing import check_writing
from .feedback import FeedbackColumns
from .filters import ReviewFilter, SignOffFilter, StaleDraftFilter, StatusFilter
from .history import OneObjectHistory


@admin.register(Article)
class ArticleAdmin(NoLostEdits, FeedbackColumns, OneObjectHistory, MarkdownxModelAdmin):
    """Every save keeps a version: History lists them, compares two and restores one; deleted
    articles come back through "Recover deleted articles"."""

    form = ArticleForm
    object_history_template = "reversion/articles/article/object_history.html"

    class Media:
        js = ["articles/editor.js"]
        css = {"all": ["articles/editor.css", "articles/compare.css"]}

    list_display = (
        "title",
        "visibility_shown",
        "sign_off_shown",
        "helpfulness",
        "reviewed",
        "review_due_shown",
        "readability_grade",
        "updated_at",
    )
    list_filter = (StatusFilter, SignOffFilter, ReviewFilter, StaleDraftFilter, "tags")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "preview_link",
        "feedback_summary",
        "sign_off_status",
        "readability_grade",
        "smog_grade",
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
        ("Clinical sign-off", {"fields": ["sign_off_status"]}),
        ("Guide and topics", {"fields": ["order", "tags"]}),
        ("What readers said", {"fields": ["feedback_summary"]}),
        ("Picture", {"fields": ["image", "image_alt"]}),
        (
            "How it reads",
            {"fields": ["readability_grade", "smog_grade", "reading_time", "word_count"]},
        ),
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
        sign_off = path(
            "<path:object_id>/sign-off/",
            self.admin_site.admin_view(self.sign_off_view),
            name="articles_article_sign_off",
        )
        return [compare, sign_off, *super().get_urls()]

    def sign_off_view(self, request, object_id):
        """The clinical sign-off: one step, by a member of staff who may give it, of the text
        the page showed them. If what patients read changed since, nothing is signed and the
        new text is shown."""
        # It vouches for the text, so it also needs leave to read the article; not to change it:
        # a clinician signs off what others wrote.
        may_sign_off = request.user.has_perm("articles.sign_off_article")
        if not (may_sign_off and self.has_view_or_change_permission(request)):
            raise PermissionDenied
        if not object_id.isdigit():
            raise Http404("No such article.")
        article = get_object_or_404(Article, pk=object_id)
        profile = ClinicianProfile.objects.filter(user=request.user).first() or ClinicianProfile()
        text = patienttext.of_article(article)
        form = SignOffForm(
            request.POST or None, instance=profile, initial={"checksum": patienttext.checksum(text)}
        )
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                article = Article.objects.select_for_update().get(pk=article.pk)
                text = patienttext.of_article(article)
                if patienttext.checksum(text) == form.cleaned_data["checksum"]:
                    return self._signed_off(request, form, article, text)
            form = SignOffForm(
                {**request.POST.dict(), "checksum": patienttext.checksum(text), "confirm": ""},
                instance=profile,
            )
            form.is_valid()
            form.add_error(
                None,
                "The article changed while this page was open, so it was not signed off. Read "
                "it again as it is now (below), then tick the box and sign it off.",
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Clinical sign-off: {article}",
            "form": form,
            "text": text,
            "changes": signed_text_changes(article.signed_off_text, text),
        }
        return render(request, "admin/articles/article/sign_off.html", context)

    def _signed_off(self, request, form, article, text):
        profile = form.save(commit=False)
        profile.user = request.user
        profile.save()
        article.sign_off(request.user, profile.name, profile.profession, profile.registration, text)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Clinical sign-off by {profile}")
            article.save()
        self.log_change(request, article, f"Clinical sign-off by {profile}")
        self.message_user(
            request,
            f"Signed off by {profile}. The page now shows it; next review due "
            f"{article.review_due:%-d %B %Y}.",
        )
        return redirect("admin:articles_article_change", article.pk)

    def history_view(self, request, object_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(Article, object_id)
        return super().history_view(
            request, object_id, {"versions": versions, **(extra_context or {})}
        )

    def compare_view(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        ids = [object_id, request.GET.get("from", ""), request.GET.get("to", "")]
        if not all(value.isdigit() for value in ids):
            raise Http404("No such article or version.")
        article = get_object_or_404(Article, pk=object_id)
        versions = Version.objects.get_for_object_reference(Article, object_id)
        older = get_object_or_404(versions, pk=ids[1])
        newer = get_object_or_404(versions, pk=ids[2])
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
    def visibility_shown(self, article: Article) -> str:
        if article.visibility == Article.Visibility.SCHEDULED:
            return f"Scheduled for {timezone.localtime(article.published_at):%-d %b %Y %H:%M}"
        return article.visibility.label

    @admin.display(description="clinical sign-off", ordering="signed_off_on")
    def sign_off_shown(self, article: Article) -> str:
        if article.is_signed_off:
            return f"{article.signed_off_on:%-d %b %Y}, {article.signed_off_by}"
        needed = format_html(
            '<strong class="needs-sign-off">{}</strong>', "Needs clinical sign-off"
        )
        if article.signed_off_on:
            return format_html("{} (changed since {})", needed, article.signed_off_by)
        return needed

    @admin.display(description="clinical sign-off")
    def sign_off_status(self, article: Article) -> str:
        if not article.pk:
            return "Save the article first; then a clinician can sign it off."
        link = reverse("admin:articles_article_sign_off", args=[article.pk])
        return render_to_string(
            "admin/articles/article/sign_off_status.html",
            {
                "article": article,
                "link": link,
                "changes": signed_text_changes(
                    article.signed_off_text, patienttext.of_article(article)
                ),
            },
        )

    def save_model(self, request, obj, form, change):
        held = change and Article.objects.signed_off().filter(pk=obj.pk).exists()
        super().save_model(request, obj, form, change)
        if held and not obj.is_signed_off:
            self.message_user(
                request,
                f"What patients read changed since {obj.signed_off_by} signed it off, so the "
                "page no longer claims a clinical review. Ask a clinician to read it and sign "
                "it off again.",
                messages.WARNING,
            )
        # The editor's writing checks, once more on save: advice, not a refusal.
        for warning in check_writing(obj.body, obj.rendered()).warnings:
            self.message_user(request, f"Before patients read it: {warning}", messages.WARNING)

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

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request, queryset):
        self._change_each(
            request, queryset, "Published {} article(s).", "Not published", status="published"
        )

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._change_each(
            request, queryset, "Moved {} article(s) back to draft.", "Not moved", status="draft"
        )

    @admin.action(description="Mark as reviewed today", permissions=["change"])
    def mark_reviewed_today(self, request, queryset):
        today = timezone.localdate()
        due = default_review_due(today)
        done = f"Marked {{}} article(s) as reviewed today; next review due {due:%-d %B %Y}."
        self._change_each(request, queryset, done, "Not marked", reviewed=today, review_due=due)

    def _change_each(self, request, queryset, done: str, refusal: str, **values) -> None:
        """Set ``values`` on each article and save it under the rules every door runs
        (``full_clean``); an article they refuse is left as it was and named, with the reason."""
        changed, refused = 0, []
        for article in queryset:
            for name, value in values.items():
                setattr(article, name, value)
            try:
                article.full_clean()
            except ValidationError as error:
                refused.append(f"{refusal}. {article.title}: {' '.join(error.messages)}")
                continue
            article.save()
            changed += 1
        self.message_user(request, done.format(changed))
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def has_email_subscribers_permission(self, request) -> bool:
        """Writing to every subscriber is a permission of its own: not everyone who may edit
        an article may email the clinic's readers."""
        return request.user.has_perm("articles.email_subscribers")

    @admin.action(
        description="Email subscribers about this article", permissions=["email_subscribers"]
    )
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
