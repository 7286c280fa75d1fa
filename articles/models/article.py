"""An article and its tags: the fields, the rules every door runs (``clean``), and what is
worked out from them on every save (the page, how it reads, whether the sign-off still holds).
Its named states are in states.py."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from markdownx.models import MarkdownxField

from .. import patienttext
from ..markdown import (
    Rendered,
    RenderError,
    render,
    renderer_fingerprint,
    unix_line_ends,
    unknown_includes,
)
from ..pictures import ALT_PLACEHOLDER, PictureField
from ..searchindex import index_article
from ..writing import reading_length, reading_minutes
from .origin import LoadedFromFile
from .states import REVIEW_SOON_DAYS, ArticleQuerySet, Status, Visibility, published_now

# One pass whatever the text (a "![" followed by thousands of spaces must not take seconds).
UNDESCRIBED_PICTURE = re.compile(r"!\[\s*(?:" + re.escape(ALT_PLACEHOLDER) + r"\s*)?\]\(")
RELATED_COUNT = 3
SIGN_OFF_FIELDS = (
    "signed_off_by",
    "signed_off_profession",
    "signed_off_registration",
    "signed_off_on",
    "signed_off_checksum",
)

validate_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use only lower-case letters, numbers and single hyphens (for example: after-needling).",
)


validate_checksum = RegexValidator(
    r"^[0-9a-f]{64}$", "Give the checksum exactly as export_content wrote it (64 characters)."
)


def validate_includes(body: str) -> None:
    """Kept for migrations 0006 and 0015, which name it. The body's names are a publishing rule,
    checked in ``Article.clean``, so that a draft may name a block or source not written yet."""
    problems = unknown_includes(body)
    if problems:
        raise ValidationError(problems)


def default_review_due(reviewed: date) -> date:
    """One year after the review; 29 February falls back to 28 February."""
    try:
        return reviewed.replace(year=reviewed.year + 1)
    except ValueError:
        return reviewed + timedelta(days=365)


def normalise_body(text: str) -> str:
    """Unix line ends, no blank lines at either end, one final newline, as in a content file."""
    return unix_line_ends(text).strip("\n") + "\n"


def pages_with_change(
    articles: list["Article"], edited, how_used: str
) -> tuple[dict[int, Rendered], list[str]]:
    """Each of ``articles`` rendered with ``edited`` (a block, source, risk or the clinic's
    details, not yet saved) as it now reads, by id, for saving it later; and, for each that
    could not be shown with the change, why, naming the article (``how_used``: how it uses it,
    "uses this block")."""
    pages, problems = {}, []
    for article in articles:
        try:
            pages[article.pk] = render(normalise_body(article.body), edited=edited)
        except RenderError as refused:
            problems.append(
                f"The article “{article.title}” {how_used}, and could not be shown with this "
                f"change: {' '.join(refused.messages)}"
            )
    return pages, problems


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="A condition or topic.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@reversion.register()
class Article(LoadedFromFile):
    Status = Status
    Visibility = Visibility

    title = models.CharField(max_length=200, help_text="The page heading patients see.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        validators=[validate_slug],
        help_text="The last part of the page address. Lower-case letters, numbers and hyphens.",
    )
    summary = models.CharField(
        max_length=160,
        help_text="One or two plain sentences (at most 160 characters). Shown in lists and "
        "search results.",
    )
    # Rendered, and refused when it cannot be, in clean(), which keeps the page for save().
    body = MarkdownxField(
        help_text="The article. The buttons above it add pictures, blocks, boxes, links and risk "
        "figures where the cursor is; “How to write each part” shows headings, lists and the "
        "rest, with examples. The preview shows it exactly as patients will see it.",
    )
    reviewed = models.DateField(
        "sources checked",
        help_text="When the text was last checked against its sources. This is not a clinical "
        "sign-off: that is recorded below, by the clinician who gives it.",
    )
    review_due = models.DateField(
        blank=True,
        help_text="When it should next be checked. Leave empty for one year after the last check.",
    )
    reviewer = models.CharField(
        "checked by",
        max_length=200,
        blank=True,
        help_text="Who checked it against its sources: a role, or a name and role.",
    )
    signed_off_by = models.CharField(
        "clinician's name",
        max_length=200,
        blank=True,
        help_text="The clinician who read the article and agreed it is right for patients.",
    )
    signed_off_profession = models.CharField(
        "clinician's profession",
        max_length=100,
        blank=True,
        help_text="For example: Physiotherapist.",
    )
    signed_off_registration = models.CharField(
        "clinician's registration number",
        max_length=50,
        blank=True,
        help_text="For example their HCPC number, which patients can look up.",
    )
    signed_off_on = models.DateField("signed off on", null=True, blank=True)
    signed_off_checksum = models.CharField(
        "checksum of the signed text",
        max_length=64,
        blank=True,
        validators=[validate_checksum],
        help_text="Recorded with the sign-off: the checksum of what patients read when the "
        "clinician signed it. The page claims the review only while it still has this checksum.",
    )
    signed_off_text = models.JSONField(
        editable=False,
        default=list,
        blank=True,
        help_text="What patients read when the clinician signed it off, part by part.",
    )
    sign_off_ended = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="What changed, when and by whom, so that the sign-off no longer covers the page.",
    )
    signed_off_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff account that recorded the sign-off.",
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
    image = PictureField(
        upload_to="articles/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="Optional. A PNG, JPEG, WebP or GIF picture of at most 5 MB.",
    )
    # Stored when the picture is, so that a page never reads the picture's file.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image description",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for people who cannot see it. Needed with a picture.",
    )

    body_html = models.TextField(editable=False, default="")
    content_checksum = models.CharField(
        max_length=64,
        editable=False,
        default="",
        help_text="Checksum of what patients read (see articles/patienttext.py).",
    )
    search_text = models.TextField(editable=False, default="")
    rendered_with = models.CharField(max_length=64, editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    word_count = models.PositiveIntegerField(editable=False, default=0)
    readability_grade = models.FloatField(
        "reading grade",
        editable=False,
        null=True,
        help_text="Flesch-Kincaid grade of the body: 8 or below reads easily for most adults.",
    )
    smog_grade = models.FloatField(
        "SMOG grade",
        editable=False,
        null=True,
        help_text="SMOG grade of the same text, from its long words: aim for 9 or below. Empty "
        "for a text of fewer than three sentences.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    # The body's last rendering (see ``rendered``).
    _rendered: Rendered | None = None

    class Meta:
        ordering = ["order", "title"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # ``neighbours`` reads what it needs of the articles (the previous and next in the
            # guide, and each article sharing a tag) from this index, not from their long rows.
            models.Index(
                fields=["status", "order", "title", "published_at"], name="articles_ar_guide_idx"
            ),
        ]
        permissions = [
            ("sign_off_article", "Can give an article its clinical sign-off"),
            ("email_subscribers", "Can email subscribers about an article"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self._derive()
        super().save(*args, **kwargs)
        index_article(self)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def _derive(self) -> None:
        """Everything worked out from what staff wrote: the page, how it reads, and whether the
        clinical sign-off still covers it."""
        held = self.is_signed_off
        if not self.review_due and self.reviewed:
            self.review_due = default_review_due(self.reviewed)
        self.body = normalise_body(self.body)
        rendered = self.rendered()
        self.body_html = rendered.html
        self.rendered_with = renderer_fingerprint()
        self.search_text = rendered.text
        self.toc = rendered.toc
        self.word_count = reading_length(rendered).words
        self.readability_grade = rendered.reading_grade
        self.smog_grade = rendered.smog_grade
        now = patienttext.of_article(self)
        self.content_checksum = patienttext.checksum(now)
        if self.is_signed_off:
            self.sign_off_ended = ""
            self.signed_off_text = self.signed_off_text or now
        elif self.signed_off_checksum and (held or not self.sign_off_ended):
            self.sign_off_ended = self._what_ended_it(now)

    def _what_ended_it(self, now: patienttext.Parts) -> str:
        """Which part changed, when, and through which door (the user and comment of the
        revision being saved, when there is one)."""
        labels = (
            patienttext.changed_labels(self.signed_off_text, now) if self.signed_off_text else []
        )
        what = " and ".join(filter(None, [", ".join(labels[:-1]), *labels[-1:]]))
        ended = f"{capfirst(what or 'what patients read')} changed on "
        ended += f"{timezone.localtime():%-d %B %Y, %H:%M}"
        if reversion.is_active():
            user, comment = reversion.get_user(), reversion.get_comment()
            ended += f", by {user.get_username()}" if user else ""
            ended += f" ({comment})" if comment else ""
        return ended[: self._meta.get_field("sign_off_ended").max_length - 1] + "."

    def rendered(self) -> Rendered:
        """The body as patients will see it. One save renders it once: what ``clean`` made of
        it is used again by ``save`` and by the checks shown after saving, unless the text, or a
        block or source it names, has changed since."""
        self._rendered = render(normalise_body(self.body), previous=self._rendered)
        return self._rendered

    def clean(self) -> None:
        """The rules every article meets, whichever door it comes through (the admin's form, a
        content file, an admin action); publishing adds its own."""
        errors = {}
        body_errors = []
        today = timezone.localdate()
        if self.body and not self.body.strip():
            body_errors.append("Write the article: the text is empty.")
        elif self.body:
            try:
                self.rendered()
            except RenderError as refused:
                body_errors.extend(refused.messages)
        if self.reviewed and self.reviewed > today:
            errors["reviewed"] = "The review date cannot be in the future."
        if self.reviewed and self.review_due and self.review_due <= self.reviewed:
            errors["review_due"] = "The next review must come after the last one."
        sign_off = [getattr(self, name) for name in SIGN_OFF_FIELDS]
        if any(sign_off) and not all(sign_off):
            errors["signed_off_by"] = (
                "A clinical sign-off needs the clinician's name, profession, registration number, "
                "the date and the checksum of the signed text, as export_content writes them: "
                "give all five, or none. A clinician signs off in the admin."
            )
        elif self.signed_off_on and self.signed_off_on > today:
            errors["signed_off_on"] = "The sign-off date cannot be in the future."
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = "Describe the picture for people who cannot see it."
        if self.status == self.Status.PUBLISHED:
            if UNDESCRIBED_PICTURE.search(self.body or ""):
                body_errors.append(
                    "Every picture in the text needs a description between the square brackets "
                    f"before it is published: replace '{ALT_PLACEHOLDER}' (or an empty ![]) "
                    "with what the picture shows."
                )
            # A published page would show the name in place of what is missing; a draft may
            # name a block or source still to be written (saving shows the same as a warning).
            body_errors.extend(unknown_includes(self.body or ""))
        if body_errors:
            errors["body"] = body_errors
        if errors:
            raise ValidationError(errors)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    @property
    def display_date(self):
        return self.published_at or self.created_at

    @property
    def visibility(self) -> "Article.Visibility":
        if self.status == self.Status.DRAFT:
            return self.Visibility.DRAFT
        if self.published_at is not None and self.published_at > timezone.now():
            return self.Visibility.SCHEDULED
        return self.Visibility.PUBLISHED

    @property
    def is_scheduled(self) -> bool:
        return self.visibility == self.Visibility.SCHEDULED

    @property
    def is_signed_off(self) -> bool:
        """Signed off by a named clinician, and patients read exactly what they signed."""
        return (
            all(getattr(self, name) for name in SIGN_OFF_FIELDS)
            and self.signed_off_checksum == self.content_checksum
        )

    def sign_off(
        self, user, name: str, profession: str, registration: str, text: patienttext.Parts
    ) -> None:
        """Record the clinical sign-off of ``text`` (what the clinician read), today, and set
        the next review a year on."""
        today = timezone.localdate()
        self.signed_off_by, self.signed_off_profession = name, profession
        self.signed_off_registration, self.signed_off_on = registration, today
        self.signed_off_checksum = patienttext.checksum(text)
        self.signed_off_text = text
        self.sign_off_ended = ""
        self.signed_off_user = user
        self.review_due = default_review_due(today)

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < timezone.localdate()

    def review_due_within(self, days: int = REVIEW_SOON_DAYS) -> bool:
        today = timezone.localdate()
        return self.review_due is not None and today <= self.review_due <= today + timedelta(
            days=days
        )

    def neighbours(self) -> "Neighbours":
        """Previous and next in the guide, and the articles sharing most tags with this one,
        in one query that reads a few rows whatever the size of the site: each part is a
        limited subquery, found through an index."""
        published = Article.objects.published().exclude(pk=self.pk)
        own_tags = Article.tags.through.objects.filter(article_id=self.pk).values("tag_id")
        related = (
            Article.tags.through.objects.filter(published_now("article__"), tag_id__in=own_tags)
            .exclude(article_id=self.pk)
            .values("article_id")
            .alias(shared=Count("tag_id"))
            .order_by("-shared", F("article__order").asc(nulls_last=True), "article__title")
        )
        # Two more than shown: the previous and next articles are not listed again.
        wanted = Q(pk__in=related.values("article_id")[: RELATED_COUNT + 2])
        if self.order is not None:
            before = published.filter(order__lt=self.order).order_by("-order", "-title")
            after = published.filter(order__gt=self.order).order_by("order", "title")
            wanted |= Q(pk__in=before.values("pk")[:1]) | Q(pk__in=after.values("pk")[:1])
        found = list(
            Article.objects.filter(wanted)
            .annotate(shared=Count("tags", filter=Q(tags__in=own_tags)))
            .only("title", "slug", "order")
        )
        guide = sorted((a for a in found if a.order is not None), key=lambda a: (a.order, a.title))
        previous = following = None
        if self.order is not None:
            previous = next((a for a in reversed(guide) if a.order < self.order), None)
            following = next((a for a in guide if a.order > self.order), None)
        related = sorted(
            (a for a in found if a.shared and a not in (previous, following)),
            key=lambda a: (-a.shared, a.order if a.order is not None else 10**9, a.title),
        )
        return Neighbours(previous=previous, next=following, related=related[:RELATED_COUNT])

    def rerender(self, made_earlier: Rendered | None = None) -> None:
        """Render the body again (the renderer, or a block or source it names, changed) without
        touching anything staff wrote. ``made_earlier``: the body rendered with the change while
        the change was checked, used as it is unless something changed since. Written straight
        to its row: not an edit, so no version of its own (whatever changed keeps one) and no
        signals (that change has made the pages stale)."""
        self._rendered = made_earlier
        self._derive()
        derived = [
            "body_html",
            "toc",
            "search_text",
            "word_count",
            "readability_grade",
            "smog_grade",
            "rendered_with",
            "review_due",
            "content_checksum",
            "signed_off_text",
            "sign_off_ended",
        ]
        Article.objects.filter(pk=self.pk).update(**{name: getattr(self, name) for name in derived})
        index_article(self)

    @property
    def render_is_stale(self) -> bool:
        return self.rendered_with != renderer_fingerprint()


@dataclass(frozen=True)
class Neighbours:
    previous: Article | None
    next: Article | None
    related: list[Article]
