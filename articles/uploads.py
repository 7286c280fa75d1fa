"""Pictures uploaded from the article editor: checked, decoded and saved again with Pillow, so
what is stored is a plain image whatever was sent (no SVG, no scripts, no hidden extras)."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

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
    data = upload.read()
    try:
        picture = pictures.inspect(data)
    except pictures.PictureError as error:
        raise UploadError(error.message) from None
    output = _reencode(data, picture.kind)
    name = default_storage.save(
        f"uploads/{uuid.uuid4().hex}.{picture.extension}", ContentFile(output)
    )
    return default_storage.url(name)


def _reencode(data: bytes, kind: str) -> bytes:
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(data)) as picture:
        if kind == "GIF":
            picture.save(buffer, "GIF", save_all=True)
        elif kind == "JPEG":
            picture.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
        else:
            picture.save(buffer, kind)
    return buffer.getvalue()
