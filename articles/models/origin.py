"""Where a row came from, for the rows content files describe: articles, blocks and references.

``load_content`` (articles/importers.py) reads it to tell a change made in a file from an edit
made in the admin since the last load, and writes it each time it loads a row.
"""

from django.db import models


class LoadedFromFile(models.Model):
    source_path = models.CharField(
        max_length=500, blank=True, editable=False, help_text="The content file it was loaded from."
    )
    # contentformat.fingerprint() of the row as loaded: a row whose fingerprint differs from
    # it now was edited here since.
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of what was last loaded from the file, to notice edits made here.",
    )
    # Kept only for speed: a file that is one row's alone (an article, a block) is not parsed
    # and checked again while its bytes are unchanged. Empty for sources, which share one file.
    source_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Checksum of the file as last loaded, when the file holds only this: an "
        "unchanged file is not read again.",
    )
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
