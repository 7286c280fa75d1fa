"""Text written once and used on many pages: blocks that articles include by name
(``[[block:urgent-help]]``) and the reference list that articles cite by key (``[^gattie2017]``).
Saving either renders again every article that uses it, so one change reaches every page."""

from urllib.parse import urlsplit

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from markdownx.models import MarkdownxField

from ..markdown import unknown_includes, validate_body
from .article import Article, normalise_body, validate_slug
from .origin import LoadedFromFile


def validate_block_includes(body: str) -> None:
    problems = unknown_includes(body, in_block=True)
    if problems:
        raise ValidationError(problems)


class Shared(LoadedFromFile):
    """What blocks and references have in common: where they were loaded from, and the articles
    that use them."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if hasattr(self, "body"):
            self.body = normalise_body(self.body)
        super().save(*args, **kwargs)
        for article in Article.objects.filter(body__contains=self.marker):
            article.rerender()

    @property
    def marker(self) -> str:
        """How an article's text names this."""
        raise NotImplementedError


@reversion.register()
class Block(Shared):
    name = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text="Articles include this block by writing [[block:name]] on a line of its own.",
    )
    title = models.CharField(max_length=200, help_text="What this block is, for staff.")
    body = MarkdownxField(
        validators=[validate_block_includes, validate_body],
        help_text="Written in markdown, as an article is. Every article that includes it shows "
        "the change at once.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title

    @property
    def marker(self) -> str:
        return f"[[block:{self.name}]]"


@reversion.register()
class Reference(Shared):
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

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @property
    def marker(self) -> str:
        return f"[^{self.key}]"

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
