"""Text written once and used on many pages: blocks that articles include by name
(``[[block:urgent-help]]``), the reference list that articles cite by key (``[^gattie2017]``),
and risk figures that articles state in words or draw (``[[risk:ireland-mild]]``,
``[[risk-picture:ireland-mild]]``). Saving any of them renders again every article that uses
it, so one change reaches every page."""

import re
from urllib.parse import urlsplit

import reversion
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import ProtectedError, Q
from markdownx.models import MarkdownxField

from .. import risks
from ..markdown import Rendered, RenderError, render, unknown_includes
from .article import Article, normalise_body, pages_with_change, validate_slug
from .origin import LoadedFromFile


def validate_block_includes(body: str) -> None:
    problems = unknown_includes(body, in_block=True)
    if problems:
        raise ValidationError(problems)


class ShownOnPages:
    """Something article pages show (a block, a source, a risk figure, the clinic's details).
    A change must leave every page that shows it a page that can be shown: ``check_pages``
    (from ``clean``) renders each with the change, and refuses the change naming the article
    it would break; ``rerender_pages`` (after saving) stores those pages, which also ends the
    clinical sign-off of any whose words changed."""

    # How an article's use of it reads in a message, and the field such a message goes with.
    used_as = ""
    used_field = NON_FIELD_ERRORS
    # The pages that show it, by article id, rendered with the change by ``check_pages``.
    _pages: dict[int, Rendered] | None = None

    def used_by(self) -> list[Article]:
        """The articles whose page shows it."""
        raise NotImplementedError

    def check_pages(self) -> None:
        self._pages, problems = pages_with_change(self.used_by(), self, self.used_as)
        if problems:
            raise ValidationError({self.used_field: problems})

    def rerender_pages(self) -> None:
        for article in self.used_by():
            article.rerender((self._pages or {}).get(article.pk))


class UsedByArticles(ShownOnPages, LoadedFromFile):
    """What blocks, sources and risk figures have in common: where they were loaded from, the
    articles that use them, and that they keep their name, and are kept, while those do."""

    # The field articles name it by.
    key_field = ""
    # How the articles that name it are said to, in a message: one, then several.
    in_use_verbs = ("uses it", "use it")
    in_use_where = ""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if hasattr(self, "body"):
            self.body = normalise_body(self.body)
        super().save(*args, **kwargs)
        self.rerender_pages()

    def clean(self) -> None:
        """Articles name it, and a change shows at once on every page that uses it: it keeps
        its name while they do, and must leave each of them a page that can be shown (a change
        that would make one too long, say, is refused here with the article's name, not met
        when the pages are rendered again after saving)."""
        super().clean()
        self._pages = {}
        stored = type(self).objects.filter(pk=self.pk).first() if self.pk else None
        if stored is None:
            return
        if getattr(stored, self.key_field) != getattr(self, self.key_field):
            users = stored.named_by()
            if users:
                raise ValidationError({self.key_field: stored.in_use_message(users)})
        if stored.shown != self.shown:
            self.check_pages()

    def delete(self, *args, **kwargs):
        users = self.named_by()
        if users:
            raise ProtectedError(self.in_use_message(users), set(users))
        return super().delete(*args, **kwargs)

    def named_by(self) -> list[Article]:
        """The articles whose text names it, itself or in a block the article includes: it
        keeps its name, and is not deleted, while they do."""
        return naming(self.markers)

    def used_by(self) -> list[Article]:
        """The articles whose page shows it: rendered again whenever it changes."""
        return self.named_by()

    def in_use_message(self, users: list[Article]) -> str:
        titles = ", ".join(f"“{article.title}”" for article in users)
        verb = self.in_use_verbs[len(users) != 1]
        return (
            f"{titles} {verb} as {' or '.join(self.markers)}{self.in_use_where}. Take it "
            "out of those articles first, so that no page loses it without anyone noticing."
        )

    @property
    def marker(self) -> str:
        """How an article's text names this."""
        raise NotImplementedError

    @property
    def markers(self) -> tuple[str, ...]:
        """Every way an article's text names this."""
        return (self.marker,)

    @property
    def shown(self) -> tuple[str, str]:
        """What an article that names it shows: the name, and what is filled in for it."""
        raise NotImplementedError


def naming(markers) -> list[Article]:
    """The articles whose text holds one of ``markers``, itself or in a block it includes."""
    names = Q()
    for marker in markers:
        names |= Q(body__contains=marker)
    if not names:
        return []
    if not any(marker.startswith("[[block:") for marker in markers):
        for block in Block.objects.filter(names).values_list("name", flat=True):
            names |= Q(body__contains=f"[[block:{block}]]")
    return list(Article.objects.filter(names))


@reversion.register()
class Block(UsedByArticles):
    key_field = "name"

    name = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text="Articles include this block by writing [[block:name]] on a line of its own.",
    )
    title = models.CharField(max_length=200, help_text="What this block is, for staff.")
    # Rendered, and refused when it cannot be, in clean().
    body = MarkdownxField(
        validators=[validate_block_includes],
        help_text="Written in markdown, as an article is. Every article that includes it shows "
        "the change at once.",
    )

    used_as = "uses this block"
    used_field = "body"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.body:
            try:
                render(self.body)
            except RenderError as refused:
                raise ValidationError({"body": refused.messages}) from None
        super().clean()

    @property
    def marker(self) -> str:
        return f"[[block:{self.name}]]"

    @property
    def shown(self) -> tuple[str, str]:
        return self.marker, self.body.strip("\n")


@reversion.register()
class Reference(UsedByArticles):
    key_field = "key"

    key = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text="Articles cite this source by writing [^key] after the claim.",
    )
    authors = models.CharField(
        max_length=300, blank=True, help_text="People or organisation, as the source gives them."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(
        max_length=400,
        help_text="The title; where the source has none, a short plain description of it.",
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="Journal, volume and pages, or publisher."
    )
    url = models.URLField(
        "address",
        blank=True,
        help_text="The source's own address (the journal, PubMed, a DOI, or the page of the "
        "organisation that published it), never a copy elsewhere.",
    )

    used_as = "cites this source"

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def used_by(self) -> list[Article]:
        """The articles that cite it, and those that state a risk figure it is the source of
        (which cites it for them)."""
        if not self.pk:
            return self.named_by()
        stated = [marker for risk in self.risks.all() for marker in risk.markers]
        return naming((*self.markers, *stated))

    @property
    def marker(self) -> str:
        return f"[^{self.key}]"

    @property
    def shown(self) -> tuple[str, str]:
        return self.marker, self.as_markdown()

    def as_markdown(self) -> str:
        """The entry as it appears under References on every page that cites it."""
        parts = []
        authors = self.authors.rstrip(".")
        if authors:
            parts.append(f"{authors} ({self.year})." if self.year else f"{authors}.")
        elif self.year:
            parts.append(f"({self.year}).")
        parts.append(f"{self.title.rstrip('.')}.")
        if self.source:
            parts.append(f"*{self.source.rstrip('.')}*.")
        if self.url:
            parts.append(f"[{urlsplit(self.url).hostname}]({self.url})")
        return " ".join(parts)


UPPER_FORMAT = "Write the upper limit as “N in D”, for example “4 in 10,000”."
# Plain words only: a risk's event goes into a sentence as it is.
NOT_PLAIN = re.compile(r"[\[\]<>*_`#|\\%\n\r]")


def validate_upper(value: str) -> None:
    limit = risks.parse_upper(value)
    if limit is None:
        raise ValidationError(UPPER_FORMAT, code="invalid")
    if not 0 < limit[0] <= limit[1]:
        raise ValidationError(
            "An upper limit is at least 1, and no more than the number it is out of.",
            code="invalid",
        )


def validate_event(value: str) -> None:
    if NOT_PLAIN.search(value):
        raise ValidationError(
            "Write plain words: no brackets, markdown or % sign. The figure is written from "
            "the numbers.",
            code="not_plain",
        )
    if value.strip().lower().startswith("had "):
        raise ValidationError(
            "Leave out “had”: pages write “had” and then these words.", code="had"
        )
    if value.rstrip().endswith((".", "!", "?", ";")):
        raise ValidationError(
            "Leave out the full stop: these words go in the middle of a sentence.",
            code="full_stop",
        )


@reversion.register()
class Risk(UsedByArticles):
    """A figure from a study: how many times something happened, out of how many treatments or
    people. Articles state it in words with ``[[risk:key]]`` and draw it with
    ``[[risk-picture:key]]``; risks.py writes both, citing the source."""

    class Of(models.TextChoices):
        TREATMENTS = "treatments", "treatments"
        PEOPLE = "people", "people"

    key_field = "key"

    key = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text="Articles state this figure in words with [[risk:key]], anywhere in a "
        "sentence, and draw it with [[risk-picture:key]] on a line of its own.",
    )
    event = models.CharField(
        max_length=200,
        validators=[validate_event],
        help_text="What happened, in plain words that follow “had”: for example “a mild side "
        "effect such as a bruise”. Start with a small letter and leave out the full stop.",
    )
    count = models.PositiveIntegerField(
        help_text="How many times it happened: a whole number, never a percentage. Where the "
        "study gives only a percentage of a known total, work it out and say so in the note.",
    )
    total = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Out of how many treatments or people: a whole number.",
    )
    of = models.CharField(
        max_length=20,
        choices=Of.choices,
        default=Of.TREATMENTS,
        help_text="Whether the study counted treatments or people.",
    )
    source = models.ForeignKey(
        Reference,
        on_delete=models.PROTECT,
        related_name="risks",
        help_text="The study the figure comes from, from the reference list: every page that "
        "states the figure cites it.",
    )
    upper = models.CharField(
        "upper limit",
        max_length=40,
        blank=True,
        validators=[validate_upper],
        help_text="Only when the count is 0: the highest the study says the risk could be, as "
        "“N in D”, for example “4 in 10,000”.",
    )
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="For staff, never shown to patients: how the figures were taken from the "
        "study (for example, worked out from a percentage).",
    )

    used_as = "states this risk"
    in_use_verbs = ("states it,", "state it,")
    in_use_where = ", in the text or in a block included there"

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        errors = {}
        if self.count is not None and self.total and self.count > self.total:
            errors["count"] = "The count cannot be more than the total it is out of."
        if self.upper and self.count:
            errors["upper"] = (
                "Give an upper limit only when the count is 0: otherwise the count says it."
            )
        if errors:
            raise ValidationError(errors)
        super().clean()

    @property
    def marker(self) -> str:
        return f"[[risk:{self.key}]]"

    @property
    def picture_marker(self) -> str:
        return f"[[risk-picture:{self.key}]]"

    @property
    def markers(self) -> tuple[str, ...]:
        return (self.marker, self.picture_marker)

    @property
    def shown(self) -> tuple:
        return (self.key, self.event, self.count, self.total, self.of, self.upper, self.source_id)
