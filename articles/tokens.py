"""Signed links in emails: confirm (expires after a week) and unsubscribe (never expires)."""

from datetime import timedelta

from django.core import signing

from .models import Subscriber

CONFIRM_MAX_AGE = timedelta(days=7)
CONFIRM_SALT = "articles.subscribe.confirm"
UNSUBSCRIBE_SALT = "articles.unsubscribe"


class InvalidLinkError(Exception):
    """The link was altered, or belongs to an address that is no longer on the list."""


class ExpiredLinkError(InvalidLinkError):
    """The link was genuine but is too old."""


class UsedLinkError(InvalidLinkError):
    """A confirmation link for an address that has since unsubscribed: confirming again needs
    a new sign-up, with consent given again."""


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.key, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.key, salt=UNSUBSCRIBE_SALT)


def _subscriber_from(token: str, salt: str, max_age: timedelta | None = None) -> Subscriber:
    """The subscriber a link names by their random key, which says nothing about them (not how
    many signed up before them). Links sent before carried ``[number, key]``; they keep working
    (a confirmation link for its week, an unsubscribe link for ever) and still need both to
    match."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLinkError from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidLinkError from error
    if isinstance(payload, str):
        found = Subscriber.objects.filter(key=payload)
    elif isinstance(payload, list) and len(payload) == 2:
        pk, key = payload
        found = Subscriber.objects.filter(pk=pk, key=key)
    else:
        raise InvalidLinkError
    subscriber = found.first()
    if subscriber is None:
        raise InvalidLinkError
    return subscriber


def subscriber_to_confirm(token: str) -> Subscriber:
    subscriber = _subscriber_from(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise UsedLinkError
    return subscriber


def subscriber_to_unsubscribe(token: str) -> Subscriber:
    return _subscriber_from(token, UNSUBSCRIBE_SALT)
