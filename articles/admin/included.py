"""Text written once and used on many pages (blocks, sources, risk figures), and the tags
articles share."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join
from markdownx.admin import MarkdownxModelAdmin

from .. import risks
from ..editconflicts import NoLostEdits
from ..forms import BlockForm, ReferenceForm, RiskForm, TagForm
from ..models import (
    Block,
    Reference,
    Risk,
    Tag,
)
from .articles import ArticleAdmin
from .history import OneObjectHistory


class KeptWhileUsed:
    """A block, source or risk that articles use cannot be deleted: the delete page (one, or
    several from the list) names the articles that use it, as Django names protected objects."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, missing, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            users = obj.named_by()
            if users:
                protected = [*protected, f"{obj}: {obj.in_use_message(users)}"]
        return deleted, counts, missing, protected


@admin.register(Block)
class BlockAdmin(NoLostEdits, KeptWhileUsed, OneObjectHistory, MarkdownxModelAdmin):
    """Text written once and included in articles by name; a change shows on every page at
    once."""

    form = BlockForm
    list_display = ("title", "name", "used_in", "updated_at")
    search_fields = ("title", "name", "body")
    prepopulated_fields = {"name": ("title",)}
    Media = ArticleAdmin.Media

    @admin.display(description="used in")
    def used_in(self, block: Block) -> str:
        return ", ".join(article.title for article in block.used_by()) or "No article yet"


@admin.register(Reference)
class ReferenceAdmin(NoLostEdits, KeptWhileUsed, OneObjectHistory):
    """Each source written once; articles cite it by key and list it under References."""

    form = ReferenceForm
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    list_display = ("key", "authors", "year", "title")
    search_fields = ("key", "authors", "title", "source")


@admin.register(Risk)
class RiskAdmin(NoLostEdits, KeptWhileUsed, OneObjectHistory):
    """Each risk figure written once, as numbers; pages state it in words and draw it."""

    form = RiskForm
    list_display = ("key", "in_words", "source", "used_in")
    search_fields = ("key", "event", "note")
    readonly_fields = ("how_it_reads",)

    @admin.display(description="in words, on a page of its own")
    def in_words(self, risk: Risk) -> str:
        return risks.figure(risk, risks.smallest_denominator(risk)).sentence()

    @admin.display(description="how pages state it")
    def how_it_reads(self, risk: Risk) -> str:
        if not risk.pk:
            return "Save the figure to see how pages state it."
        return format_html_join(
            "",
            "<p>Where a page counts out of {}: “{}”</p>",
            ((f"{per:,}", risks.figure(risk, per).sentence()) for per in risks.DENOMINATORS),
        )

    @admin.display(description="used in")
    def used_in(self, risk: Risk) -> str:
        return ", ".join(article.title for article in risk.used_by()) or "No article yet"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    search_fields = ("name",)
