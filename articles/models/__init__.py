"""The app's models, one module each: articles, the clinic's details, subscribers."""

from .article import (
    Article,
    ArticleQuerySet,
    Neighbours,
    Tag,
    default_review_due,
    normalise_body,
)
from .clinic import ClinicDetails
from .subscriber import Delivery, Subscriber, SubscriberQuerySet

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ClinicDetails",
    "Delivery",
    "Neighbours",
    "Subscriber",
    "SubscriberQuerySet",
    "Tag",
    "default_review_due",
    "normalise_body",
]
