"""Signed links in emails: confirm (expires after a week) and unsubscribe (never expires)."""

from datetime import timedelta

from django.core import signing

from .models import Subscriber

CONFIRM_MAX_AGE = timedelta(days=7)
_CONFIRM_SALT = "articles.subscribe.confirm"
_UNSUBSCRIBE_SALT = "articles.unsubscribe"


class InvalidLinkError(Exception):
    """The link was altered, or belongs to an address that is no longer on the list."""


class ExpiredLinkError(InvalidLinkError):
    """The link was genuine but is too old."""


class UsedLinkError(InvalidLinkError):
    """A confirmation link for an address that has since unsubscribed: confirming again needs
    a new sign-up, with consent given again."""


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.key], salt=_CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.key], salt=_UNSUBSCRIBE_SALT)


def _subscriber_from(token: str, salt: str, max_age: timedelta | None = None) -> Subscriber:
    try:
        pk, key = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLinkError from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidLinkError from error
    subscriber = Subscriber.objects.filter(pk=pk, key=key).first()
    if subscriber is None:
        raise InvalidLinkError
    return subscriber


def subscriber_to_confirm(token: str) -> Subscriber:
    subscriber = _subscriber_from(token, _CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise UsedLinkError
    return subscriber


def subscriber_to_unsubscribe(token: str) -> Subscriber:
    return _subscriber_from(token, _UNSUBSCRIBE_SALT)
