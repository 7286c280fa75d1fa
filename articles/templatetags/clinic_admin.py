"""The admin's front page: what needs doing, each with a link to the list that shows it."""

from django import template
from django.urls import reverse

from articles.models import Article, Delivery, Feedback, Subscriber
from articles.models.states import REVIEW_SOON_DAYS, STALE_DRAFT_DAYS

register = template.Library()


@register.inclusion_tag("admin/attention.html", takes_context=True)
def needs_attention(context) -> dict:
    user = context["request"].user
    articles = reverse("admin:articles_article_changelist")
    items = []
    if user.has_perm("articles.view_article"):
        items += [
            ("Reviews overdue", Article.objects.review_overdue(), f"{articles}?review=overdue"),
            (
                f"Reviews due in the next {REVIEW_SOON_DAYS} days",
                Article.objects.review_due_within(REVIEW_SOON_DAYS),
                f"{articles}?review=soon",
            ),
            (
                "Articles awaiting clinical sign-off",
                Article.objects.needs_sign_off(),
                f"{articles}?sign_off=needed",
            ),
            (
                f"Drafts untouched for {STALE_DRAFT_DAYS} days",
                Article.objects.stale_drafts(),
                f"{articles}?untouched=90",
            ),
        ]
    if user.has_perm("articles.view_feedback"):
        items.append(
            (
                "New comments from readers",
                Feedback.objects.needing_attention(),
                reverse("admin:articles_feedback_changelist") + "?comment=new",
            )
        )
    if user.has_perm("articles.view_subscriber"):
        subscribers = reverse("admin:articles_subscriber_changelist")
        items += [
            (
                "Confirmation emails that could not be sent",
                Subscriber.objects.awaiting_confirmation_email(),
                f"{subscribers}?failed=confirmation",
            ),
            (
                "Update emails that could not be sent",
                Delivery.objects.failed().values("subscriber").distinct(),
                f"{subscribers}?failed=update",
            ),
        ]
    return {"items": [(label, queryset.count(), url) for label, queryset, url in items]}
