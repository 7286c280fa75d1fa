"""The app's models, one module each: articles, what articles share (blocks, references and
risk figures), the clinic's details, readers' feedback, subscribers, what search reads, and
the version of the public pages."""

from .article import (
    Article,
    Neighbours,
    Tag,
    default_review_due,
    normalise_body,
)
from .clinic import ClinicDetails, ClinicianProfile
from .contentversion import ContentVersion
from .feedback import Feedback, ReviewReminder
from .included import Block, Reference, Risk
from .searchindex import SearchPage, SearchSection
from .states import ArticleQuerySet
from .subscriber import Delivery, Subscriber, SubscriberQuerySet

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Block",
    "ClinicDetails",
    "ClinicianProfile",
    "ContentVersion",
    "Delivery",
    "Feedback",
    "Neighbours",
    "Reference",
    "ReviewReminder",
    "Risk",
    "SearchPage",
    "SearchSection",
    "Subscriber",
    "SubscriberQuerySet",
    "Tag",
    "default_review_due",
    "normalise_body",
]
