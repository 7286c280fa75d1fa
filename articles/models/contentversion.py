"""The version of what the public pages show, kept in the database beside what they show."""

from django.db import models


class ContentVersion(models.Model):
    """One row, whose number moves on with every change to anything a public page shows, in the
    transaction that makes the change (``articles/pagecache.py``). A cached page records the
    version it was made at and is served only while the database still says that version, so a
    cache that missed an invalidation (Redis away while staff saved) cannot bring back an old
    page when it returns."""

    number = models.BigIntegerField(default=0)
    # A new random value with each move, so that no two databases sharing a cache (a restored
    # backup, another copy of the site) name the same version.
    token = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        verbose_name = "version of the public pages"

    def __str__(self) -> str:
        return f"version {self.number} of the public pages"
