"""Every email the site sends: plain text, full links from SITE_URL, one-click unsubscribe.

No tracking pixels, no click tracking: links go straight to the page they name.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .links import absolute_url as absolute
from .models import Article, ClinicDetails, Subscriber
from .tokens import confirm_token, unsubscribe_token


def _message(subscriber: Subscriber, subject: str, template: str, **context) -> EmailMessage:
    unsubscribe_url = absolute(reverse("unsubscribe", args=[unsubscribe_token(subscriber)]))
    clinic = ClinicDetails.load()
    body = render_to_string(
        template,
        {
            "clinic": clinic,
            "unsubscribe_url": unsubscribe_url,
            "home_url": absolute("/"),
            **context,
        },
    )
    return EmailMessage(
        # One line whatever the names hold: a line break in a header would stop the email.
        subject=" ".join(f"{subject} | {clinic.name}".split()),
        body=body,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def confirmation(subscriber: Subscriber) -> EmailMessage:
    confirm_url = absolute(reverse("subscribe-confirm", args=[confirm_token(subscriber)]))
    return _message(
        subscriber,
        "Please confirm your subscription",
        "emails/confirm.txt",
        confirm_url=confirm_url,
    )


def already_subscribed(subscriber: Subscriber) -> EmailMessage:
    return _message(subscriber, "You are already subscribed", "emails/already_subscribed.txt")


def new_articles(subscriber: Subscriber, articles: list[Article]) -> EmailMessage:
    subject = articles[0].title if len(articles) == 1 else f"{len(articles)} new articles"
    return _message(
        subscriber,
        f"New in the dry needling guide: {subject}",
        "emails/new_articles.txt",
        articles=[(article, absolute(article.get_absolute_url())) for article in articles],
    )
