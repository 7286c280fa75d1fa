"""Pictures uploaded from the article editor: checked, decoded and saved again with Pillow, so
what is stored is a plain image whatever was sent (no SVG, no scripts, no hidden extras)."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
ALT_PLACEHOLDER = "Describe the picture here"


class UploadError(Exception):
    """Says, in words for staff, why a file was refused."""


def save_upload(upload: UploadedFile | None) -> str:
    """Check and store an uploaded picture; return its address."""
    if upload is None:
        raise UploadError("Choose a picture to upload.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"That file is {upload.size / 1024 / 1024:.1f} MB. Pictures can be at most 5 MB: "
            "make it smaller and try again."
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in FORMATS:
            raise UploadError(_wrong_kind(kind))
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                raise UploadError(
                    "That picture has too many pixels. Make it smaller and try again."
                )
            output = _reencode(picture, kind)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(_wrong_kind(None)) from None
    name = default_storage.save(f"uploads/{uuid.uuid4().hex}.{FORMATS[kind]}", ContentFile(output))
    return default_storage.url(name)


def _wrong_kind(kind: str | None) -> str:
    found = f"That file is {kind}. " if kind else "That file is not a picture we can read. "
    return found + "Upload a PNG, JPEG, WebP or GIF picture."


def _reencode(picture: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "GIF":
        picture.save(buffer, "GIF", save_all=True)
    elif kind == "JPEG":
        picture.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    else:
        picture.save(buffer, kind)
    return buffer.getvalue()
