from django import forms
from django.contrib import admin
from django.db import models
from markdownx.admin import MarkdownxModelAdmin

from .models import Article, ClinicDetails, Tag


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    list_display = ("title", "status", "published_at", "reviewed", "review_due", "updated_at")
    list_filter = ("status", "tags")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("readability_grade", "word_count", "source_path", "loaded_at")
    filter_horizontal = ("tags",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(admin.ModelAdmin):
    """One set of details, shown beside every article: it can be changed, never deleted."""

    list_display = ("name", "phone", "booking_url")
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def has_add_permission(self, request) -> bool:
        return not ClinicDetails.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
