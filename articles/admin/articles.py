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
from django.utils.formats import date_format
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from reversion.models import Version

from .. import emails, patienttext, updates
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
        css = {"all": ["articles/editor.css", "articles/compare.css", "css/admin-articles.css"]}

    # Seven columns that fit beside the menu and the filters on a 1280 px screen: the status
    # with the sign-off under it, and the sources-checked date with the review due under it.
    list_display = (
        "title",
        "status_shown",
        "helpfulness",
        "review_shown",
        "readability_grade",
        "updated_shown",
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
        email = path(
            "email-subscribers/",
            self.admin_site.admin_view(self.email_subscribers_view),
            name="articles_article_email_subscribers",
        )
        return [compare, sign_off, email, *super().get_urls()]

    def email_subscribers_view(self, request):
        """Emailing subscribers about articles (``?ids=1,2``), in steps: the email as they will
        read it and how many it goes to; a test to oneself; then sending, only on the last
        button. Sending again sends nothing twice: each delivery is recorded (``updates``)."""
        if not (
            self.has_email_subscribers_permission(request)
            and self.has_view_or_change_permission(request)
        ):
            raise PermissionDenied
        ids = request.GET.get("ids", "").split(",")
        articles = list(
            Article.objects.published()
            .filter(pk__in=[pk for pk in ids if pk.isdigit()])
            .order_by("order", "pk")
        )
        if not articles:
            self.message_user(
                request, "Choose one or more published articles to email.", messages.WARNING
            )
            return redirect("admin:articles_article_changelist")
        if request.method == "POST" and "send" in request.POST:
            self._email_subscribers(request, articles)
            return redirect("admin:articles_article_changelist")
        if request.method == "POST" and "test" in request.POST:
            self._email_test(request, articles)
            return redirect(request.get_full_path())
        audience = updates.not_yet_told(articles)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Email subscribers",
            "articles": articles,
            "message": emails.new_articles_copy(articles),
            "count": audience.count(),
            "partly_told": len(articles) > 1
            and audience.filter(
                deliveries__article__in=articles, deliveries__sent_at__isnull=False
            ).exists(),
        }
        return render(request, "admin/articles/article/email_subscribers.html", context)

    def _email_test(self, request, articles: list[Article]) -> None:
        address = request.user.email
        if not address:
            self.message_user(
                request,
                "No test was sent: your account has no email address. Ask whoever looks after "
                "the staff accounts to add one (Users, in the admin).",
                messages.ERROR,
            )
            return
        try:
            emails.new_articles_copy(articles, to=address).send()
        except Exception as error:  # the mail server's refusal, shown to staff
            self.message_user(request, f"The test could not be sent: {error}", messages.ERROR)
            return
        self.message_user(request, f"Sent a test to you at {address}. Nobody else was emailed.")

    def _email_subscribers(self, request, articles: list[Article]) -> None:
        report = updates.send_articles(articles)
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

    @admin.display(description="status and sign-off")
    def status_shown(self, article: Article) -> str:
        return format_html(
            '{}<br><span class="sign-off">{}</span>',
            self.visibility_shown(article),
            self.sign_off_shown(article),
        )

    def visibility_shown(self, article: Article) -> str:
        if article.visibility == Article.Visibility.SCHEDULED:
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return article.visibility.label

    def sign_off_shown(self, article: Article) -> str:
        if article.is_signed_off:
            return f"Signed off {article.signed_off_on:%-d %b %Y}, {article.signed_off_by}"
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

    @admin.display(description="sources checked, review due", ordering="review_due")
    def review_shown(self, article: Article) -> str:
        checked = format_html('<span class="nowrap">{}</span>', f"{article.reviewed:%-d %b %Y}")
        due = f"{article.review_due:%-d %b %Y}"
        if article.review_overdue:
            return format_html(
                '{}<br><strong class="overdue">Overdue since {}</strong>',
                checked,
                due,
            )
        return format_html('{}<br>due <span class="nowrap">{}</span>', checked, due)

    @admin.display(description="updated", ordering="updated_at")
    def updated_shown(self, article: Article) -> str:
        updated = timezone.localtime(article.updated_at)
        return format_html(
            '<span class="nowrap">{},</span> {}', f"{updated:%-d %b %Y}", f"{updated:%H:%M}"
        )

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
        """Opens the page that shows the email and to how many it goes; nothing is sent yet."""
        articles = list(queryset.published().values_list("pk", flat=True))
        if len(articles) != queryset.count():
            self.message_user(
                request,
                "Only published articles can be sent. Publish the others first.",
                messages.WARNING,
            )
        if not articles:
            return None
        ids = ",".join(str(pk) for pk in sorted(articles))
        return redirect(f"{reverse('admin:articles_article_email_subscribers')}?ids={ids}")
