"""What makes a file an acceptable picture, for every door a picture comes through: the editor's
upload, the article's Picture field in the admin, and a picture beside a content file."""

import io
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# All the frames of an animation together: each frame is decoded at the full picture size when
# it is stored again (a 28 KB GIF of 30 frames of 6000 x 6000 once took 30 s and 860 MB).
MAX_ANIMATION_PIXELS = 20_000_000
# Pillow's own guard, for any code that opens a picture (it refuses twice this many outright).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
ALT_PLACEHOLDER = "Describe the picture here"
TOO_MANY_PIXELS = "That picture has too many pixels. Make it smaller and try again."


class PictureError(ValidationError):
    """Says, in words for staff, why a file was refused."""


@dataclass(frozen=True)
class Picture:
    kind: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.kind]


def inspect(data: bytes) -> Picture:
    """Check that ``data`` is a picture the site accepts; raise PictureError saying why not.
    Nothing is decoded here: the size and the number of frames are read from the headers."""
    if len(data) > MAX_BYTES:
        raise PictureError(size_message(len(data)))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in FORMATS:
            raise PictureError(_wrong_kind(kind))
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise PictureError(TOO_MANY_PIXELS)
            frames = getattr(picture, "n_frames", 1)
    except Image.DecompressionBombError:
        raise PictureError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PictureError(_wrong_kind(None)) from None
    if frames > 1 and frames * width * height > MAX_ANIMATION_PIXELS:
        raise PictureError(
            f"That animation has {frames} frames of {width} × {height} pixels: more than "
            f"{MAX_ANIMATION_PIXELS // 1_000_000} million pixels in all. Use fewer frames or make "
            "it smaller."
        )
    return Picture(kind=kind, width=width, height=height)


def size_message(size: int) -> str:
    return (
        f"That file is {size / 1024 / 1024:.1f} MB. Pictures can be at most 5 MB: "
        "make it smaller and try again."
    )


def _wrong_kind(kind: str | None) -> str:
    found = f"That file is {kind}. " if kind else "That file is not a picture we can read. "
    return found + "Upload a PNG, JPEG, WebP or GIF picture."


class PictureFormField(forms.FileField):
    """A file field that accepts only what ``inspect`` accepts, with its messages."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        upload.seek(0)
        inspect(upload.read())
        upload.seek(0)
        return upload


class PictureField(models.ImageField):
    """The article's picture: its form field runs the same checks as the editor's upload."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PictureFormField, **kwargs})
