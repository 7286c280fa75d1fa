"""Pictures uploaded from the article editor: checked and stored the one way every picture is
(see pictures.py), so what is stored is a plain image whatever was sent (no SVG, no scripts, no
hidden extras)."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from . import pictures

ALT_PLACEHOLDER = pictures.ALT_PLACEHOLDER


class UploadError(Exception):
    """Says, in words for staff, why a file was refused."""


def save_upload(upload: UploadedFile | None) -> str:
    """Check and store an uploaded picture; return its address."""
    if upload is None:
        raise UploadError("Choose a picture to upload.")
    if upload.size > pictures.MAX_BYTES:
        # Refused before reading it into memory.
        raise UploadError(pictures.size_message(upload.size))
    try:
        picture = pictures.clean(upload.read())
    except pictures.PictureError as error:
        raise UploadError(error.message) from None
    name = default_storage.save(
        f"uploads/{uuid.uuid4().hex}.{picture.extension}", ContentFile(picture.data)
    )
    return default_storage.url(name)
