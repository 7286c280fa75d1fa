"""What readers tell the clinic about a page, kept without personal data: the page, yes or no,
an optional comment (with any email address or phone number masked before it is stored), and
when. No address, cookie or IP address is kept."""

import re
from datetime import timedelta

from django.db import models
from django.utils import timezone

from .article import Article
from .states import RECENT_FEEDBACK_DAYS as RECENT_DAYS

# An email address however it is written: "jane.doe@example.com", "jane.doe @ example.com", with
# a full-width ＠ or ．, and spelled out ("jane dot doe at example dot com", "jane (at) example
# (dot) com"). Spelled out, "at" and "dot" stand between spaces or in brackets; a written dot
# stands between letters with no space, and the address ends in a name of letters, so sentences
# such as "I looked at it", "at home. Then" or "at 3.30pm" are left alone.
_AT_SIGN = r"\s*[@＠﹫]\s*"
_AT_WORD = r"(?:\s+at\s+|\s*[(\[{<]\s*at\s*[)\]}>]\s*)"
_DOT = r"(?:[.．。]|\s+dot\s+|\s*[(\[{<]\s*dot\s*[)\]}>]\s*)"
_NAME = rf"(?<![\w.+-])[\w+-]+(?:{_DOT}[\w+-]+)*"
_DOMAIN = rf"[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,}}\b"
EMAIL_MASK = "[email address removed]"
# In this order: addresses with an at sign first, so that in "write to me at jane.doe@example.com"
# the words before the address are not taken for its name; then spelled-out ones; then what is
# left of "me at jane dot doe at example dot com" once "me at jane dot doe" has gone.
EMAIL_PASSES = [
    re.compile(rf"{_NAME}{_AT_SIGN}{_DOMAIN}", re.IGNORECASE),
    re.compile(rf"{_NAME}{_AT_WORD}{_DOMAIN}", re.IGNORECASE),
    re.compile(rf"{re.escape(EMAIL_MASK)}(?:(?:{_AT_SIGN}|{_AT_WORD}){_DOMAIN})+", re.IGNORECASE),
]
PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s().-]*\d){6,}")


def mask_personal_data(text: str) -> str:
    """The comment with email addresses and phone numbers taken out."""
    for email in EMAIL_PASSES:
        text = email.sub(EMAIL_MASK, text)
    return PHONE.sub("[phone number removed]", text)


class FeedbackQuerySet(models.QuerySet):
    def recent(self, days: int = RECENT_DAYS) -> "FeedbackQuerySet":
        return self.filter(created_at__gte=timezone.now() - timedelta(days=days))

    def with_comments(self) -> "FeedbackQuerySet":
        return self.exclude(comment="")

    def needing_attention(self) -> "FeedbackQuerySet":
        """Comments no one has dealt with yet."""
        return self.with_comments().filter(dealt_with=False)


class Feedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(help_text="Did the reader find the page helpful?")
    comment = models.TextField(
        blank=True,
        max_length=1000,
        help_text="What the reader said was missing or unclear. Email addresses and phone "
        "numbers are removed before it is stored.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dealt_with = models.BooleanField(
        default=False, help_text="Tick when the comment has been read and acted on."
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.article}"

    def save(self, *args, **kwargs) -> None:
        self.comment = mask_personal_data(self.comment.strip())
        super().save(*args, **kwargs)


class ReviewReminder(models.Model):
    """That the clinic editors were reminded of an article's review, so nobody is reminded of
    the same article more than once a week."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Review reminder for {self.article}"
