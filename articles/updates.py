"""Tell confirmed subscribers about new articles: one email per subscriber listing what is new.

Each (subscriber, article) pair is a Delivery row, created before anything is sent and marked
sent straight after its email is handed to the mail server. A re-run, or a run after a crash,
sends only what is still unmarked, so nobody is skipped and nobody is told twice. (The one email
in the mail server's hands at the very moment of a crash cannot be known to have gone out; it is
sent again.) A run claims each batch before sending it, so two runs at once (a cron job and a
member of staff, or a double click) never send the same delivery; the claim of a run that died
lapses after CLAIM_LAPSES.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import reduce
from itertools import groupby
from operator import or_

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import emails
from .models import Article, Delivery, Subscriber
from .subscriptions import send_confirmation

BATCH_SIZE = 100
CLAIM_LAPSES = timedelta(minutes=30)
logger = logging.getLogger(__name__)


@dataclass
class UpdateReport:
    confirmations_sent: int = 0
    confirmations_failed: int = 0
    emails_sent: int = 0
    articles: set[int] = field(default_factory=set)
    emails_failed: int = 0

    @property
    def failed(self) -> int:
        return self.confirmations_failed + self.emails_failed

    def counts(self) -> str:
        return (
            f"confirmations sent {self.confirmations_sent}, update emails sent "
            f"{self.emails_sent} about {len(self.articles)} article(s), failed {self.failed}"
        )


def queue_new_articles() -> int:
    """Record a delivery for every published article a confirmed subscriber has not been told of
    and that came out after they confirmed (new subscribers are not sent the back catalogue)."""
    articles = Article.objects.published().annotate(
        first_shown=Coalesce("published_at", "created_at")
    )
    return sum(
        _queue(
            article,
            Subscriber.objects.confirmed().filter(confirmed_at__lt=article.first_shown),
        )
        for article in articles
    )


def queue_article(article: Article) -> int:
    """Record a delivery of this article for every confirmed subscriber (staff asked for it)."""
    return _queue(article, Subscriber.objects.confirmed())


def not_yet_told(articles: Iterable[Article]):
    """The confirmed subscribers an email about ``articles`` would go to: those not yet sent at
    least one of them."""
    sent = (
        Exists(Delivery.objects.filter(subscriber=OuterRef("pk"), article=a, sent_at__isnull=False))
        for a in articles
    )
    return Subscriber.objects.confirmed().filter(reduce(or_, (~told for told in sent)))


def send_articles(articles: list[Article]) -> UpdateReport:
    """Tell every confirmed subscriber not yet told about ``articles`` (staff asked for it), in
    one email each, and nothing else: other deliveries wait for send_updates."""
    for article in articles:
        queue_article(article)
    return send_pending(UpdateReport(), articles=articles)


def _queue(article: Article, subscribers) -> int:
    ids = subscribers.exclude(deliveries__article=article).values_list("pk", flat=True)
    rows = [Delivery(subscriber_id=pk, article=article) for pk in ids.iterator()]
    Delivery.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


def send_pending(
    report: UpdateReport,
    progress: Callable[[int, int], None] | None = None,
    articles: list[Article] | None = None,
) -> UpdateReport:
    """Send what is pending (only about ``articles``, when given), one email per subscriber."""
    pending = Delivery.objects.pending()
    if articles is not None:
        pending = pending.filter(article__in=articles)
    subscriber_ids = list(
        pending.order_by("subscriber_id").values_list("subscriber_id", flat=True).distinct()
    )
    for start in range(0, len(subscriber_ids), BATCH_SIZE):
        _send_batch(
            pending.filter(subscriber_id__in=subscriber_ids[start : start + BATCH_SIZE]), report
        )
        if progress:
            progress(min(start + BATCH_SIZE, len(subscriber_ids)), len(subscriber_ids))
    return report


def _claim(pending) -> list[int]:
    """Mark the batch's deliveries as being sent by this run, and return them: a delivery that
    another run is sending (and that run's claim has not lapsed) is left to it."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            pending.unclaimed(now - CLAIM_LAPSES)
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(sending_since=now)
    return ids


def _send_batch(pending, report: UpdateReport) -> None:
    claimed = _claim(pending)
    try:
        _send_claimed(claimed, report)
    finally:
        Delivery.objects.filter(pk__in=claimed).update(sending_since=None)


def _send_claimed(claimed: list[int], report: UpdateReport) -> None:
    deliveries = (
        Delivery.objects.filter(pk__in=claimed)
        .select_related("subscriber", "article")
        .order_by("subscriber_id", "article__order", "article_id")
    )
    groups = [
        (subscriber_id, list(items))
        for subscriber_id, items in groupby(deliveries, key=lambda d: d.subscriber_id)
    ]
    if not groups:
        return
    try:
        connection = get_connection()
        connection.open()
    except OSError as error:
        for _, items in groups:
            _record_failure(items, error)
        report.emails_failed += len(groups)
        return
    try:
        for _, items in groups:
            try:
                message = emails.new_articles(items[0].subscriber, [d.article for d in items])
                message.connection = connection
                message.send()
            except Exception as error:  # one email that fails never stops the others
                logger.exception("could not send an update email")
                _record_failure(items, error)
                report.emails_failed += 1
                continue
            Delivery.objects.filter(pk__in=[d.pk for d in items]).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            report.emails_sent += 1
            report.articles.update(d.article_id for d in items)
    finally:
        connection.close()


def _record_failure(items: list[Delivery], error: Exception) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in items]).update(
        attempts=F("attempts") + 1, last_error=str(error)[:300] or type(error).__name__
    )


def send_updates(
    *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None
) -> UpdateReport:
    """Send missing confirmation emails, then tell subscribers about new articles."""
    report = UpdateReport()
    if dry_run:
        with transaction.atomic():
            queue_new_articles()
            pending = Delivery.objects.pending()
            report.confirmations_sent = Subscriber.objects.awaiting_confirmation_email().count()
            report.emails_sent = pending.values("subscriber_id").distinct().count()
            report.articles = set(pending.values_list("article_id", flat=True))
            transaction.set_rollback(True)
        return report
    for subscriber in Subscriber.objects.awaiting_confirmation_email().iterator():
        if send_confirmation(subscriber):
            report.confirmations_sent += 1
        else:
            report.confirmations_failed += 1
    queue_new_articles()
    return send_pending(report, progress)
