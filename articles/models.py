import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, timedelta

import reversion
import textstat
from django.core.cache import cache
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from .markdown import render, renderer_fingerprint
from .uploads import ALT_PLACEHOLDER

WORDS_PER_MINUTE = 200
UNDESCRIBED_PICTURE = re.compile(r"!\[\s*(?:" + re.escape(ALT_PLACEHOLDER) + r")?\s*\]\(")
RELATED_COUNT = 3
MIN_SEARCH_WORD = 2
MAX_SEARCH_WORDS = 8
SEARCH_WEIGHTS = {"title": 5, "summary": 3, "search_text": 1}


def default_review_due(reviewed: date) -> date:
    """One year after the review; 29 February falls back to 28 February."""
    try:
        return reviewed.replace(year=reviewed.year + 1)
    except ValueError:
        return reviewed + timedelta(days=365)


def normalise_body(text: str) -> str:
    """Unix line ends, no blank lines at either end, one final newline, as in a content file."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="A condition or topic.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """What the public may see: published, and not scheduled for later."""
        now = timezone.now()
        return self.filter(status=Article.Status.PUBLISHED).filter(
            Q(published_at__isnull=True) | Q(published_at__lte=now)
        )

    def newest_first(self) -> "ArticleQuerySet":
        return self.annotate(sort_date=Coalesce("published_at", "created_at")).order_by(
            "-sort_date", "title"
        )

    def in_guide_order(self) -> "ArticleQuerySet":
        return self.filter(order__isnull=False).order_by("order", "title")

    def search(self, query: str) -> "ArticleQuerySet":
        """Articles with any word of the query, best first: a title match outweighs the body."""
        terms = list(dict.fromkeys(w for w in query.lower().split() if len(w) >= MIN_SEARCH_WORD))
        if not terms:
            return self.none()
        score = Value(0)
        for term in terms[:MAX_SEARCH_WORDS]:
            for name, weight in SEARCH_WEIGHTS.items():
                score += Case(
                    When(**{f"{name}__icontains": term}, then=Value(weight)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
        return self.annotate(score=score).filter(score__gt=0).order_by("-score", "order", "title")


@reversion.register()
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200, help_text="The page heading patients see.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the page address. Letters, numbers and hyphens only.",
    )
    summary = models.CharField(
        max_length=160,
        help_text="One or two plain sentences (at most 160 characters). Shown in lists and "
        "search results.",
    )
    body = MarkdownxField(
        help_text="The article, written in markdown. The preview shows it "
        "exactly as patients will see it."
    )
    reviewed = models.DateField(help_text="When a clinician last checked this article.")
    review_due = models.DateField(
        blank=True,
        help_text="When it should next be checked. Leave empty for one year after the review.",
    )
    reviewer = models.CharField(
        max_length=200, blank=True, help_text="Who reviewed it: a role, or a name and role."
    )
    order = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Position in the step-by-step guide (1 comes first). Leave empty to keep it "
        "out of the guide.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published articles are shown to the public.",
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="Optional. A future time keeps a published article hidden until then.",
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="articles", help_text="Conditions or topics."
    )
    image = models.ImageField(upload_to="articles/", blank=True, help_text="Optional picture.")
    image_alt = models.CharField(
        "image description",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for people who cannot see it. Needed with a picture.",
    )

    body_html = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    rendered_with = models.CharField(max_length=64, editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    word_count = models.PositiveIntegerField(editable=False, default=0)
    readability_grade = models.FloatField(
        "reading grade",
        editable=False,
        null=True,
        help_text="Flesch-Kincaid grade of the body: 9 or below reads easily for most adults.",
    )

    source_path = models.CharField(
        max_length=500, blank=True, editable=False, help_text="The content file it was loaded from."
    )
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of what was last loaded from the file, to notice edits made here.",
    )
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.review_due and self.reviewed:
            self.review_due = default_review_due(self.reviewed)
        self.body = normalise_body(self.body)
        rendered = render(self.body)
        self.body_html = rendered.html
        self.rendered_with = renderer_fingerprint()
        self.search_text = rendered.text
        self.toc = rendered.toc
        self.word_count = len(rendered.text.split())
        self.readability_grade = (
            textstat.flesch_kincaid_grade(rendered.text) if rendered.text else None
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def display_date(self):
        return self.published_at or self.created_at

    def neighbours(self) -> "Neighbours":
        """Previous and next in the guide, and related articles, in one query."""
        own_tags = Article.tags.through.objects.filter(article_id=self.pk).values("tag_id")
        others = list(
            Article.objects.published()
            .exclude(pk=self.pk)
            .annotate(shared=Count("tags", filter=Q(tags__in=own_tags)))
            .filter(Q(order__isnull=False) | Q(shared__gt=0))
            .only("title", "slug", "summary", "order")
            .order_by("order", "title")
        )
        guide = [a for a in others if a.order is not None]
        previous = None
        following = None
        if self.order is not None:
            previous = next((a for a in reversed(guide) if a.order < self.order), None)
            following = next((a for a in guide if a.order > self.order), None)
        related = sorted(
            (a for a in others if a.shared and a not in (previous, following)),
            key=lambda a: (-a.shared, a.order if a.order is not None else 10**6, a.title),
        )
        return Neighbours(previous=previous, next=following, related=related[:RELATED_COUNT])

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < timezone.localdate()

    def publishing_problems(self) -> dict[str, str]:
        """Why this article may not be published yet, by field; empty when it may."""
        problems = {}
        if not self.reviewed:
            problems["reviewed"] = "A clinician must review the article first: enter the date."
        elif self.reviewed > timezone.localdate():
            problems["reviewed"] = "The review date cannot be in the future."
        if self.image and not self.image_alt.strip():
            problems["image_alt"] = "Describe the picture for people who cannot see it."
        if UNDESCRIBED_PICTURE.search(self.body):
            problems["body"] = (
                "Every picture in the text needs a description between the square brackets: "
                f"replace '{ALT_PLACEHOLDER}' (or an empty ![]) with what the picture shows."
            )
        return problems

    def rerender(self) -> None:
        """Render the body again (the renderer changed) without touching anything staff wrote."""
        self.save(
            update_fields=[
                "body_html",
                "toc",
                "search_text",
                "word_count",
                "readability_grade",
                "rendered_with",
                "review_due",
            ]
        )

    @property
    def render_is_stale(self) -> bool:
        return self.rendered_with != renderer_fingerprint()

    def content_fields(self) -> dict:
        """What a content file says about this article, in the form the importer compares."""
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "review_due": (self.review_due or default_review_due(self.reviewed)).isoformat(),
            "reviewer": self.reviewer,
            "slug": self.slug,
            "order": self.order,
            "status": self.status,
            "published": self.published_at.astimezone(UTC).isoformat()
            if self.published_at
            else None,
            "tags": sorted(tag.name for tag in self.tags.all()),
            "image": self.image_digest(),
            "image_alt": self.image_alt,
        }

    def image_digest(self) -> str:
        if not self.image:
            return ""
        try:
            with self.image.open("rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:
            return "missing"

    def current_hash(self) -> str:
        return fingerprint(self.content_fields())


def fingerprint(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Neighbours:
    previous: Article | None
    next: Article | None
    related: list[Article]


class ClinicDetails(models.Model):
    """The clinic's contact details, shown beside every article. There is one row."""

    CACHE_KEY = "clinic-details"

    name = models.CharField(
        max_length=200, default="[Clinic name]", help_text="As patients know it."
    )
    phone = models.CharField(
        max_length=40, default="[Clinic phone number]", help_text="The number patients should call."
    )
    email = models.EmailField(blank=True, help_text="Optional: an address patients may write to.")
    address = models.TextField(
        default="[Clinic address]", help_text="The full address, one part per line."
    )
    opening_hours = models.TextField(
        default="[Opening hours]", help_text="For example: Monday to Friday, 8am to 6pm."
    )
    booking_url = models.URLField(
        "booking address",
        blank=True,
        help_text="The web address where patients book an appointment (starting https://).",
    )

    class Meta:
        verbose_name = "clinic details"
        verbose_name_plural = "clinic details"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @property
    def phone_href(self) -> str:
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return f"tel:{digits}" if sum(c.isdigit() for c in digits) >= 6 else ""

    @classmethod
    def load(cls) -> "ClinicDetails":
        """The details, from the cache when possible; the placeholders if none were saved."""
        details = cache.get(cls.CACHE_KEY)
        if details is None:
            details = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(cls.CACHE_KEY, details, timeout=None)
        return details


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def awaiting_confirmation_email(self) -> "SubscriberQuerySet":
        """Pending sign-ups whose confirmation email has not gone out (say, SMTP was down)."""
        return self.filter(status=Subscriber.Status.PENDING, confirmation_sent_at__isnull=True)


class Subscriber(models.Model):
    """Someone who asked for emails about new articles. Their address is personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    key = models.CharField(
        max_length=32,
        editable=False,
        help_text="Random value inside this person's links, so old links stop working if they "
        "are removed and sign up again.",
    )
    consent_wording_version = models.CharField(
        max_length=20, help_text="Which version of the sign-up wording they agreed to."
    )
    consent_given_at = models.DateTimeField(help_text="When they ticked the consent box.")
    consent_page = models.CharField(
        max_length=200, blank=True, help_text="The page they signed up on."
    )
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the confirmation email was last sent."
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When they confirmed by pressing the button."
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Not the address: the admin's history keeps this text after a subscriber is deleted.
        return f"Subscriber {self.pk}"


class Delivery(models.Model):
    """One article that one subscriber is told about: recorded, so no one is emailed twice."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deliveries")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "article"], name="one_delivery_each")
        ]

    def __str__(self) -> str:
        return f"{self.article} to subscriber {self.subscriber_id}"
