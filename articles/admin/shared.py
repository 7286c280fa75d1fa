"""Text written once and used on many pages, and the tags articles share."""

from django import forms
from django.contrib import admin
from django.db import models
from markdownx.admin import MarkdownxModelAdmin

from ..forms import BlockForm, ReferenceForm, TagForm
from ..models import (
    Article,
    Block,
    Reference,
    Tag,
)
from .articles import ArticleAdmin
from .history import HistoryAdmin


@admin.register(Block)
class BlockAdmin(HistoryAdmin, MarkdownxModelAdmin):
    """Text written once and included in articles by name; a change shows on every page at
    once."""

    form = BlockForm
    list_display = ("title", "name", "used_in", "updated_at")
    search_fields = ("title", "name", "body")
    prepopulated_fields = {"name": ("title",)}
    Media = ArticleAdmin.Media

    @admin.display(description="used in")
    def used_in(self, block: Block) -> str:
        titles = Article.objects.filter(body__contains=block.marker).values_list("title", flat=True)
        return ", ".join(titles) or "No article yet"


@admin.register(Reference)
class ReferenceAdmin(HistoryAdmin):
    """Each source written once; articles cite it by key and list it under References."""

    form = ReferenceForm
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    list_display = ("key", "authors", "year", "title")
    search_fields = ("key", "authors", "title", "source")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    search_fields = ("name",)
