"""The named states of an article, each a queryset method here and a property on ``Article``:
the status staff choose, what patients can see now (that status with the publication time
applied), review overdue or due soon, signed off or changed since, untouched drafts, and how
helpful readers found it."""

from datetime import timedelta

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

REVIEW_SOON_DAYS = 30
STALE_DRAFT_DAYS = 90
# Readers' answers count for this many days.
RECENT_FEEDBACK_DAYS = 90


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Visibility(models.TextChoices):
    """What patients can see now: the status staff chose, with the publication time
    applied."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


# Signed off by a named clinician, and patients read exactly what they signed.
_SIGN_OFF_HOLDS = (
    Q(signed_off_on__isnull=False)
    & ~Q(signed_off_checksum="")
    & Q(signed_off_checksum=F("content_checksum"))
)


def published_now(through: str = "") -> Q:
    """Published and not scheduled for later, as a condition (``through``: the path to the
    article from another model, such as ``"article__"``)."""
    return Q(**{f"{through}status": Status.PUBLISHED}) & (
        Q(**{f"{through}published_at__isnull": True})
        | Q(**{f"{through}published_at__lte": timezone.now()})
    )


class ArticleQuerySet(models.QuerySet):
    def drafts(self) -> "ArticleQuerySet":
        return self.filter(status=Status.DRAFT)

    def scheduled(self) -> "ArticleQuerySet":
        """Published by staff, but with a publication time still to come."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def published(self) -> "ArticleQuerySet":
        """What the public may see: published, and not scheduled for later."""
        return self.filter(published_now())

    def with_visibility(self, visibility: str) -> "ArticleQuerySet":
        return {
            Visibility.DRAFT: self.drafts,
            Visibility.SCHEDULED: self.scheduled,
            Visibility.PUBLISHED: self.published,
        }[visibility]()

    def review_overdue(self) -> "ArticleQuerySet":
        return self.filter(review_due__lt=timezone.localdate())

    def signed_off(self) -> "ArticleQuerySet":
        """Signed off by a named clinician, and still as they signed it."""
        return self.filter(_SIGN_OFF_HOLDS)

    def needs_sign_off(self) -> "ArticleQuerySet":
        """Never signed off, or changed since it was."""
        return self.exclude(_SIGN_OFF_HOLDS)

    def sign_off_ended(self) -> "ArticleQuerySet":
        """Signed off once, but what patients read has changed since."""
        return self.needs_sign_off().filter(signed_off_on__isnull=False)

    def review_due_within(self, days: int = REVIEW_SOON_DAYS) -> "ArticleQuerySet":
        """Due in the next ``days`` days, not yet overdue."""
        today = timezone.localdate()
        return self.filter(review_due__gte=today, review_due__lte=today + timedelta(days=days))

    def stale_drafts(self, days: int = STALE_DRAFT_DAYS) -> "ArticleQuerySet":
        """Drafts nobody has touched for ``days`` days."""
        return self.drafts().filter(updated_at__lt=timezone.now() - timedelta(days=days))

    def with_helpfulness(self, days: int = RECENT_FEEDBACK_DAYS) -> "ArticleQuerySet":
        """Each with ``answers`` and ``yes``: readers' answers to "Was this page helpful?" over
        the last ``days`` days."""
        recent = Q(feedback__created_at__gte=timezone.now() - timedelta(days=days))
        return self.annotate(
            answers=Count("feedback", filter=recent, distinct=True),
            yes=Count("feedback", filter=recent & Q(feedback__helpful=True), distinct=True),
        )

    def newest_first(self) -> "ArticleQuerySet":
        return self.annotate(sort_date=Coalesce("published_at", "created_at")).order_by(
            "-sort_date", "title"
        )

    def in_guide_order(self) -> "ArticleQuerySet":
        return self.filter(order__isnull=False).order_by("order", "title")
