"""Every email the site sends: plain text, full links from SITE_URL, one-click unsubscribe.

No tracking pixels, no click tracking: links go straight to the page they name.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .links import absolute_url as absolute
from .models import Article, ClinicDetails, Subscriber
from .tokens import confirm_token, unsubscribe_token

# Where each subscriber's own unsubscribe link goes, in the copy of an email staff read first.
OWN_UNSUBSCRIBE_LINK = "[each subscriber's own unsubscribe link]"


def _message(subscriber: Subscriber, subject: str, template: str, **context) -> EmailMessage:
    unsubscribe_url = absolute(reverse("unsubscribe", args=[unsubscribe_token(subscriber)]))
    message = _written(subject, template, unsubscribe_url, **context)
    message.to = [subscriber.email]
    message.extra_headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return message


def _written(subject: str, template: str, unsubscribe_url: str, **context) -> EmailMessage:
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
    subject, template, context = _new_articles(articles)
    return _message(subscriber, subject, template, **context)


def new_articles_copy(articles: list[Article], to: str = "") -> EmailMessage:
    """The email about ``articles`` as subscribers get it, for staff to read (and send to
    themselves, at ``to``) first: the unsubscribe link, each subscriber's own, is only named."""
    subject, template, context = _new_articles(articles)
    message = _written(subject, template, OWN_UNSUBSCRIBE_LINK, **context)
    message.to = [to] if to else []
    return message


def _new_articles(articles: list[Article]) -> tuple[str, str, dict]:
    subject = articles[0].title if len(articles) == 1 else f"{len(articles)} new articles"
    links = [(article, absolute(article.get_absolute_url())) for article in articles]
    return (
        f"New in the dry needling guide: {subject}",
        "emails/new_articles.txt",
        {"articles": links},
    )
