"""What search reads of each article, kept beside it: one row for the whole page and one for
each of its sections. ``articles/searchindex.py`` writes them whenever an article is saved or
rendered again; the database keeps its own full-text index of them (see that module)."""

from django.db import models

from .article import Article


class SearchPage(models.Model):
    """One article as search reads it: its title, its summary, its tags and address, its
    headings and all of its text."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="search_page")
    title = models.TextField(default="")
    summary = models.TextField(default="")
    keywords = models.TextField(default="")
    headings = models.TextField(default="")
    text = models.TextField(default="")

    class Meta:
        ordering = ["article"]

    def __str__(self) -> str:
        return self.title


class SearchSection(models.Model):
    """One section of an article (the text before its first heading, or a heading and the text
    under it), so that a result can lead to the part of the page that answers."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_sections")
    position = models.PositiveIntegerField()
    # The heading's id on the page; "" for the text before the first heading.
    anchor = models.CharField(max_length=200, blank=True, default="")
    heading = models.TextField(default="")
    text = models.TextField(default="")

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="one_search_section_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.heading or "(start of the page)"
