"""Text written once and used on many pages, and the tags articles share."""

from django import forms
from django.contrib import admin
from django.db import models
from markdownx.admin import MarkdownxModelAdmin

from ..forms import BlockForm, ReferenceForm, TagForm
from ..models import (
    Block,
    Reference,
    Tag,
)
from .articles import ArticleAdmin
from .history import OneObjectHistory


class KeptWhileUsed:
    """A block or source that articles use cannot be deleted: the delete page (one, or several
    from the list) names the articles that use it, as Django names protected objects."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, missing, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            users = obj.named_by()
            if users:
                protected = [*protected, f"{obj}: {obj.in_use_message(users)}"]
        return deleted, counts, missing, protected


@admin.register(Block)
class BlockAdmin(KeptWhileUsed, OneObjectHistory, MarkdownxModelAdmin):
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
class ReferenceAdmin(KeptWhileUsed, OneObjectHistory):
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
