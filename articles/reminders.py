"""Remind the clinic's editors of article reviews that are overdue or due within 30 days, by
email, at most once a week for each article."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .links import absolute_url
from .models import Article, ClinicDetails, ReviewReminder
from .models.states import REVIEW_SOON_DAYS

logger = logging.getLogger(__name__)
EDITORS_GROUP = "Clinic editor"
ONCE_EVERY = timedelta(days=7)


class ReminderError(Exception):
    """The reminder could not be sent; nothing was recorded, so the next run tries again."""


@dataclass
class Reminder:
    overdue: list[Article]
    due_soon: list[Article]
    recipients: list[str]

    @property
    def articles(self) -> list[Article]:
        return self.overdue + self.due_soon


def due_reminder() -> Reminder:
    """What is due for a reminder now, and who gets it."""
    recently = ReviewReminder.objects.filter(sent_at__gte=timezone.now() - ONCE_EVERY)
    articles = Article.objects.exclude(pk__in=recently.values("article_id")).order_by(
        "review_due", "title"
    )
    recipients = (
        User.objects.filter(is_active=True, groups__name=EDITORS_GROUP)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return Reminder(
        overdue=list(articles.review_overdue()),
        due_soon=list(articles.review_due_within(REVIEW_SOON_DAYS)),
        recipients=list(recipients),
    )


def send_reminder(reminder: Reminder) -> int:
    """Email the reminder and record it; return how many articles it named."""
    if not reminder.articles:
        return 0
    if not reminder.recipients:
        raise ReminderError(
            f'no one to send it to: give the staff in the "{EDITORS_GROUP}" group an email address'
        )
    clinic = ClinicDetails.load()
    body = render_to_string(
        "emails/review_reminders.txt",
        {
            "clinic": clinic,
            "overdue": [(a, _admin_link(a)) for a in reminder.overdue],
            "due_soon": [(a, _admin_link(a)) for a in reminder.due_soon],
            "days": REVIEW_SOON_DAYS,
            "list_url": absolute_url(reverse("admin:articles_article_changelist")),
        },
    )
    count = len(reminder.articles)
    message = EmailMessage(
        subject=" ".join(f"{count} article review(s) due | {clinic.name}".split()),
        body=body,
        to=reminder.recipients,
    )
    try:
        message.send()
    except (OSError, ValueError) as error:
        logger.exception("could not send the review reminder")
        raise ReminderError(str(error) or type(error).__name__) from error
    ReviewReminder.objects.bulk_create(ReviewReminder(article=a) for a in reminder.articles)
    return count


def _admin_link(article: Article) -> str:
    return absolute_url(reverse("admin:articles_article_change", args=[article.pk]))
