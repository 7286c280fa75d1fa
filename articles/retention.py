"""How long subscribers' data is kept: sign-ups never confirmed are deleted after 30 days, and
unsubscribed addresses are reduced to what honours the unsubscribe (a one-way code of the
address and the date), with the record of the emails sent deleted."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Subscriber

KEEP_UNCONFIRMED = timedelta(days=30)
KEEP_UNSUBSCRIBED = timedelta(days=30)
FORGOTTEN_PREFIX = "forgotten:"


def forgotten_address(email: str) -> str:
    """The one-way code kept in place of an unsubscribed address."""
    return FORGOTTEN_PREFIX + hashlib.sha256(email.lower().encode()).hexdigest()


@dataclass
class Pruned:
    unconfirmed_deleted: int
    unsubscribed_reduced: int


def prune_subscribers() -> Pruned:
    now = timezone.now()
    with transaction.atomic():
        unconfirmed = Subscriber.objects.filter(
            status=Subscriber.Status.PENDING, created_at__lt=now - KEEP_UNCONFIRMED
        )
        deleted = unconfirmed.count()
        unconfirmed.delete()
        stale = Subscriber.objects.filter(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at__lt=now - KEEP_UNSUBSCRIBED,
        ).exclude(email__startswith=FORGOTTEN_PREFIX)
        reduced = 0
        for subscriber in stale.select_for_update():
            Delivery.objects.filter(subscriber=subscriber).delete()
            subscriber.email = forgotten_address(subscriber.email)
            subscriber.key = secrets.token_hex(16)  # every old link stops working
            subscriber.consent_page = ""
            subscriber.save(update_fields=["email", "key", "consent_page"])
            reduced += 1
    return Pruned(unconfirmed_deleted=deleted, unsubscribed_reduced=reduced)
