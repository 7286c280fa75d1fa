"""Double opt-in: sign up, confirm through a signed link, unsubscribe in one click.

Whatever state an address is in, signing it up looks the same from outside and sends exactly one
email, so the form never reveals who is on the list.
"""

import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import emails
from .models import Subscriber
from .retention import forgotten_addresses

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-11"
CONSENT_WORDING = (
    "Email me when the clinic publishes a new article in this guide. I can unsubscribe at any "
    "time with the link in every email."
)
RESEND_COOLDOWN_SECONDS = 300
# What signing up again may change on a subscriber's row.
SIGN_UP_FIELDS = [
    "key",
    "unsubscribed_at",
    "status",
    "consent_wording_version",
    "consent_given_at",
    "consent_page",
    "confirmation_sent_at",
]
# One mailbox under two names, where a dot in the name makes no other mailbox.
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


@dataclass(frozen=True)
class Answer:
    """What became of a sign-up, as far as the visitor who sent it may know: it depends only on
    whether an email went to the mailbox in the last 5 minutes, never on the address's state."""

    sent: bool
    # When the mailbox was sent an email in the last 5 minutes: when it may be sent another.
    held_until: datetime | None = None


def sign_up(email: str, page: str = "") -> Answer:
    """Record the sign-up and send its one email. ``sent`` is False when that email could not be
    sent (the sign-up is kept, and ``send_updates`` sends a missing confirmation later) or when
    it was held back.

    One sign-up email per mailbox per 5 minutes, however the address is spelled
    (``mailbox``). A sign-up within those minutes stores and sends nothing, and its answer says
    when the mailbox may be sent another: it has just been sent a link, and a spelling held back
    is never sent later either."""
    cooldown = _cooldown_key(mailbox(email))
    held_until = _start_cooldown(cooldown)
    if held_until is not None:
        return Answer(sent=False, held_until=held_until)
    sent = False
    try:
        sent = _sign_up(email, page)
    finally:
        if not sent:
            cache.delete(cooldown)  # nothing went out, so trying again straight away must send
    return Answer(sent=sent)


def _start_cooldown(key: str) -> datetime | None:
    """Start the mailbox's 5 minutes, or, if they have already started, say when they end (to
    the next whole minute, so that trying again at the time shown is never too early)."""
    for _ in range(2):
        now = time.time()
        if cache.add(key, now + RESEND_COOLDOWN_SECONDS, timeout=RESEND_COOLDOWN_SECONDS):
            return None
        ends = cache.get(key)
        if ends is not None:
            break
        # The minutes ended between the two looks: start them again.
    else:
        ends = None
    if not isinstance(ends, int | float) or not now < ends <= now + RESEND_COOLDOWN_SECONDS:
        # None, or kept by a version that stored no time: the latest they can end.
        ends = now + RESEND_COOLDOWN_SECONDS
    return datetime.fromtimestamp(math.ceil(ends / 60) * 60, tz=UTC)


def _sign_up(email: str, page: str) -> bool:
    """Every state takes the same path, so the time an answer takes does not tell who is on the
    list: the row is written (and changed) once, one email is built and sent, and its sending
    recorded once. Before, a confirmed address, which needed no change, answered in well under
    half the time of the others.

    ``confirmation_sent_at`` is emptied while the email is on its way and set once it has gone.
    That is the change a confirmed row gets too: SQLite does not write a row whose bytes are the
    same, so writing it back unchanged would still have been quicker. A pending sign-up whose
    email could not be sent is left empty, which is what ``send_updates`` looks for."""
    now = timezone.now()
    with transaction.atomic():
        # Signing up again after the address was forgotten: one row for the mailbox again.
        Subscriber.objects.filter(email__in=forgotten_addresses(email)).delete()
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email,
            defaults={
                "key": secrets.token_hex(16),
                "consent_wording_version": CONSENT_VERSION,
                "consent_given_at": now,
                "consent_page": page[:200],
            },
        )
        confirmed = subscriber.status == Subscriber.Status.CONFIRMED
        if not created:
            # A confirmed subscriber's consent record is theirs: a stranger signing their
            # address up again changes nothing in it.
            if not confirmed:
                if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                    subscriber.key = secrets.token_hex(16)
                    subscriber.unsubscribed_at = None
                subscriber.status = Subscriber.Status.PENDING
                subscriber.consent_wording_version = CONSENT_VERSION
                subscriber.consent_given_at = now
                subscriber.consent_page = page[:200]
            subscriber.confirmation_sent_at = None
            subscriber.save(update_fields=SIGN_UP_FIELDS)
    if confirmed:
        message = emails.already_subscribed(subscriber)
    else:
        message = emails.confirmation(subscriber)
    if not _send(message):
        return False
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now())
    return True


def mailbox(email: str) -> str:
    """The mailbox an address reaches, for counting: the part after ``+`` dropped, case folded,
    and at Gmail (gmail.com and googlemail.com are one) the dots too. Only ever a key: mail goes
    to the address as it was typed."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = GMAIL_DOMAINS[0]
    return f"{local}@{domain}"


def _cooldown_key(mailbox: str) -> str:
    return "signup-email:" + hashlib.sha256(mailbox.encode()).hexdigest()


def send_confirmation(subscriber: Subscriber) -> bool:
    if not _send(emails.confirmation(subscriber)):
        return False
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now())
    return True


def _send(message) -> bool:
    try:
        message.send()
    # smtplib's errors and refused connections are OSErrors; a header that cannot be sent
    # (BadHeaderError) is a ValueError.
    except (OSError, ValueError):
        logger.exception("could not send a sign-up email")
        return False
    return True


def confirm(subscriber: Subscriber) -> None:
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
