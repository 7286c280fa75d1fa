"""How long subscribers' data is kept: sign-ups never confirmed are deleted after 30 days, and
unsubscribed addresses are reduced to what honours the unsubscribe (a keyed one-way code of the
address and the date), with the record of the emails sent deleted."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Delivery, Subscriber

KEEP_UNCONFIRMED = timedelta(days=30)
KEEP_UNSUBSCRIBED = timedelta(days=30)
FORGOTTEN_PREFIX = "forgotten:"
FORGOTTEN_KEY_SALT = "articles.retention.forgotten_address"


def forgotten_address(email: str, secret: str | None = None) -> str:
    """The one-way code kept in place of an unsubscribed address: keyed with a key made from the
    site's secret key (an HMAC), so that nobody without it can tell whether a guessed address is
    among the codes. It is taken over the address's SHA-256, which is what the codes were before
    they were keyed: migration 0023 keyed those without needing the addresses back."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    keyed = salted_hmac(FORGOTTEN_KEY_SALT, digest, secret=secret, algorithm="sha256")
    return FORGOTTEN_PREFIX + keyed.hexdigest()


def forgotten_addresses(email: str) -> list[str]:
    """The code under the secret key and under each one it replaced (SECRET_KEY_FALLBACKS), so a
    new key does not leave a forgotten address with two rows when it signs up again."""
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [forgotten_address(email, secret) for secret in secrets_in_use]


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
