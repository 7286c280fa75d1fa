from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from .models import Article, Tag


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
