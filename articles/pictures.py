"""Every picture, whichever door it comes through (the editor's upload, the article's Picture
field in the admin, a picture beside a content file), is checked and stored the one way:
``clean`` turns it the right way up and keeps its pixels and colour profile, nothing else (no
EXIF, GPS position, text, comments or thumbnails), under the extension of its real format.

Cleaning what ``clean`` made gives the same bytes back, so a picture loaded, exported and loaded
again is unchanged. PNG and GIF are saved again by Pillow, which gives the same bytes for the
same pixels. JPEG and WebP would lose quality each time they were saved again, so their own
compressed data is kept and only the metadata around it is taken out; one whose EXIF says to
turn it is turned and saved again, once.

A colour profile is kept only if LittleCMS reads it as one, and only its header and tags. A
JPEG's scan data is kept only when decoding it needs all of it: a JPEG of one scan, without
restart markers, that cannot be decoded without its last byte. Any other JPEG (progressive, with
restart markers, or with bytes after what its scan needs, where text can hide) is saved again
once, with its own quantisation tables, and is then an ordinary one.
"""

import hashlib
import io
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# All the frames of an animation together: each frame is decoded at the full picture size when
# it is stored again (a 28 KB GIF of 30 frames of 6000 x 6000 once took 30 s and 860 MB).
MAX_ANIMATION_PIXELS = 20_000_000
# And however small the frames, each costs time of its own (200,000 frames of one pixel, a 4.6 MB
# GIF, once took 26 s and 630 MB).
MAX_FRAMES = 1000
# Pillow's own guard, for any code that opens a picture (it refuses twice this many outright).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
JPEG_QUALITY = 88
# JPEG segments kept besides the image data itself, by the start of their contents: the JFIF
# header (without a thumbnail), the colour profile (once checked, see _colour_profile), and
# Adobe's colour transform flag (its fixed 12 bytes: name, version, two flag words, transform).
JPEG_APP0, JPEG_APP2, JPEG_APP14, JPEG_COMMENT = 0xE0, 0xE2, 0xEE, 0xFE
JPEG_KEPT_APPS = {JPEG_APP0: b"JFIF\0", JPEG_APP2: b"ICC_PROFILE\0", JPEG_APP14: b"Adobe"}
JPEG_ADOBE_LENGTH = 12
# A colour profile: a header of 128 bytes (its profile ID, a checksum of the rest, from byte 84,
# then reserved bytes), then the number of tags and, for each, its name, offset and size.
ICC_ID_START, ICC_TAGS_START, ICC_MOST_TAGS = 84, 128, 1000
# A profile in a JPEG is cut into segments of at most this many bytes, as Pillow cuts it.
JPEG_PROFILE_PART = 65533 - 14
# WebP chunks that make up the picture; EXIF, XMP and anything unknown are left out.
WEBP_CHUNKS = {b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L"}
WEBP_EXIF_AND_XMP_FLAGS = 0x08 | 0x04
WEBP_PROFILE_FLAG = 0x20
ALT_PLACEHOLDER = "Describe the picture here"
MISSING = "missing"
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
        with warnings.catch_warnings():
            # Pillow only warns between its pixel limit and twice it: too many either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                probe.verify()
            if kind not in FORMATS:
                raise PictureError(_wrong_kind(kind))
            with Image.open(io.BytesIO(data)) as picture:
                if kind == "GIF":
                    width, height, frames = _gif_canvas(data, *picture.size)
                else:
                    width, height = picture.size
                if width * height > MAX_PIXELS:
                    raise PictureError(TOO_MANY_PIXELS)
                if kind != "GIF":
                    frames = getattr(picture, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PictureError(_wrong_kind(None)) from None
    if frames > MAX_FRAMES:
        raise PictureError(
            f"That animation has {frames:,} frames: pictures can have at most {MAX_FRAMES:,}. "
            "Use fewer frames."
        )
    if frames > 1 and frames * width * height > MAX_ANIMATION_PIXELS:
        raise PictureError(
            f"That animation has {frames} frames of {width} × {height} pixels: more than "
            f"{MAX_ANIMATION_PIXELS // 1_000_000} million pixels in all. Use fewer frames or make "
            "it smaller."
        )
    return Picture(kind=kind, width=width, height=height)


def _gif_canvas(data: bytes, width: int, height: int) -> tuple[int, int, int]:
    """The size of a GIF's canvas once every frame has been read, and its number of frames,
    read from its blocks as Pillow reads them, without decoding any frame.

    The header gives the canvas a size, but a frame may lie partly or wholly outside it: Pillow
    then grows the canvas to hold the frame and decodes every later frame at the grown size, so
    a GIF of a few dozen bytes can hold a canvas of millions of pixels. ``width`` and ``height``
    are the size Pillow gives the picture when it opens it (the header's, or its first frame's
    if that lies outside)."""
    if len(data) < 13:
        raise ValueError("cut short")
    position = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    frames = 0
    while position < len(data):
        block = data[position]
        position += 1
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: a label, then sub-blocks
            position = _after_gif_sub_blocks(data, position + 1)
        elif block == 0x2C:  # a frame: where it goes, its size, its colours, its data
            if position + 10 > len(data):
                raise ValueError("cut short")
            left, top, frame_width, frame_height, flags = struct.unpack_from(
                "<HHHHB", data, position
            )
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            frames += 1
            position += 9 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            position = _after_gif_sub_blocks(data, position + 1)  # after the LZW code size
        # Pillow passes over any other byte, and so does this.
    return width, height, max(frames, 1)


def _after_gif_sub_blocks(data: bytes, position: int) -> int:
    """Where a run of GIF sub-blocks (each a length byte and that many bytes, ending with a
    zero length) that starts at ``position`` ends."""
    while position < len(data):
        length = data[position]
        position += 1 + length
        if not length:
            break
    return position


@dataclass(frozen=True)
class CleanPicture(Picture):
    """A picture as it is stored: ``data`` is what goes into storage."""

    data: bytes = b""

    def as_upload(self, name: str) -> SimpleUploadedFile:
        """The picture as an uploaded file named ``name`` with its real extension."""
        return SimpleUploadedFile(
            f"{Path(name).stem or 'picture'}.{self.extension}",
            self.data,
            content_type=Image.MIME[self.kind],
        )


def clean(data: bytes) -> CleanPicture:
    """Check ``data`` (see ``inspect``) and make it the picture that is stored; raise
    PictureError saying why not."""
    picture = inspect(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            profile = _colour_profile(image.info.get("icc_profile"))
            stored = None
            if image.format == "JPEG" and not _needs_turning(image):
                stripped, plain = _strip_jpeg(data, profile)
                if plain and _decoding_needs_the_last_byte(stripped):
                    stored, size = stripped, image.size
            elif image.format == "WEBP" and not _needs_turning(image):
                stored, size = _strip_webp(data, profile), image.size
            if stored is None:
                stored, size = _save_again(image, data, profile)
    except Image.DecompressionBombError:
        raise PictureError(TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError, IndexError, EOFError, OverflowError):
        # OverflowError: Pillow joins identical frames, and their times together may not fit.
        raise PictureError(_wrong_kind(None)) from None
    return CleanPicture(data=stored, kind=picture.kind, width=size[0], height=size[1])


def _needs_turning(image: Image.Image) -> bool:
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    return orientation not in (0, 1) and not getattr(image, "is_animated", False)


def _save_again(
    image: Image.Image, data: bytes, profile: bytes | None
) -> tuple[bytes, tuple[int, int]]:
    """Pillow saves the pixels, the colour profile and what an animation needs (frame times,
    transparency), and nothing else unless asked. A JPEG that needs no turning keeps its own
    quantisation tables and colour sampling."""
    kind = image.format
    options = {}
    if getattr(image, "is_animated", False):
        options["save_all"] = True
    elif _needs_turning(image):
        image = ImageOps.exif_transpose(image)
    if kind in ("GIF", "JPEG"):
        # Pillow would copy the picture's comment.
        options["comment"] = b""
    if kind != "GIF":
        options["icc_profile"] = profile
    if kind == "JPEG" and image.format == "JPEG":  # not turned
        options.update(quality="keep", subsampling="keep", optimize=True)
    elif kind == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif kind == "WEBP" and any(name == b"VP8L" for name, _ in _webp_chunks(data)):
        options["lossless"] = True
    elif kind == "WEBP":
        options["quality"] = JPEG_QUALITY
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue(), image.size


def _colour_profile(profile: bytes | None) -> bytes | None:
    """``profile`` with nothing but its header, its list of tags and the tags' data (any other
    byte zero, nothing after the last tag), if LittleCMS then reads it as a colour profile;
    otherwise None. A profile that holds nothing else keeps its bytes, so a picture stored
    before cleans the same."""
    if not profile or len(profile) < ICC_TAGS_START + 4:
        return None
    length = int.from_bytes(profile[:4], "big")
    count = int.from_bytes(profile[ICC_TAGS_START : ICC_TAGS_START + 4], "big")
    tags_end = ICC_TAGS_START + 4 + 12 * count
    if not tags_end <= length <= len(profile) or count > ICC_MOST_TAGS:
        return None
    used = [(0, tags_end)]
    for start in range(ICC_TAGS_START + 4, tags_end, 12):
        offset, size = struct.unpack_from(">II", profile, start + 4)
        if offset + size > length:
            return None
        used.append((offset, offset + size))
    kept = bytearray(length)
    end = 0
    for start, stop in sorted(used):
        kept[start:stop] = profile[start:stop]
        end = max(end, stop)
    end += -end % 4  # tags start on a multiple of four bytes, and so does what follows them
    kept = kept[:end]
    if kept != profile:
        kept[:4] = len(kept).to_bytes(4, "big")
        kept[ICC_ID_START:ICC_TAGS_START] = bytes(ICC_TAGS_START - ICC_ID_START)
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(kept))
    except (OSError, ValueError, ImageCms.PyCMSError):
        return None
    return bytes(kept)


def _jpeg_profile_segments(profile: bytes | None) -> list[bytes]:
    """``profile`` as the APP2 segments that hold it in a JPEG."""
    if not profile:
        return []
    parts = [
        profile[start : start + JPEG_PROFILE_PART]
        for start in range(0, len(profile), JPEG_PROFILE_PART)
    ]
    return [
        _jpeg_segment(JPEG_APP2, JPEG_KEPT_APPS[JPEG_APP2] + bytes([number, len(parts)]) + part)
        for number, part in enumerate(parts, start=1)
    ]


def _jpeg_segment(marker: int, contents: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(contents) + 2).to_bytes(2, "big") + contents


def _decoding_needs_the_last_byte(jpeg: bytes) -> bool:
    """Whether decoding a JPEG of one scan needs the last byte of its scan data. An encoder
    ends the scan with the byte that holds its last bits; a JPEG that decodes to the end
    without that byte (and its end marker) has bytes after what its scan needs. (libjpeg reads
    up to 7 bytes ahead, so fewer than 8 such bytes may pass unseen.)"""
    with Image.open(io.BytesIO(jpeg[:-3])) as probe:
        # Scaled down: every coefficient is still read, but little is computed from them.
        probe.draft(probe.mode, (probe.width // 8 or 1, probe.height // 8 or 1))
        try:
            probe.load()
        except OSError:  # cut short
            return True
    return False


def _strip_jpeg(data: bytes, profile: bytes | None) -> tuple[bytes, bool]:
    """The JPEG with only the segments needed to show it (and ``profile``, a colour profile
    already checked, in place of the segments that held it), its compressed image data
    untouched, and nothing after its end; and whether it is plain: one scan and no restart
    markers, so that its scan data ends where decoding it ends."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    kept = [b"\xff\xd8"]
    scans = restarts = 0
    position = 2
    while True:
        if data[position] != 0xFF:
            raise ValueError("not a marker")
        while data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker == 0xD9:  # end of image
            kept.append(b"\xff\xd9")
            return b"".join(kept), scans == 1 and not restarts
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            kept.append(bytes([0xFF, marker]))
            continue
        length = int.from_bytes(data[position : position + 2], "big")
        contents = data[position + 2 : position + length]
        if length < 2 or len(contents) != length - 2:
            raise ValueError("cut short")
        position += length
        if marker == JPEG_APP0 and contents.startswith(JPEG_KEPT_APPS[JPEG_APP0]):
            # Version, units and density; no thumbnail.
            contents = contents[:12] + b"\0\0"
        elif marker == JPEG_APP2 and contents.startswith(JPEG_KEPT_APPS[JPEG_APP2]):
            # The checked profile, once, where its first segment was.
            kept.extend(_jpeg_profile_segments(profile))
            profile = None
            continue
        elif marker == JPEG_APP14 and contents.startswith(JPEG_KEPT_APPS[JPEG_APP14]):
            if len(contents) < JPEG_ADOBE_LENGTH:
                continue
            contents = contents[:JPEG_ADOBE_LENGTH]
        elif (0xE0 <= marker <= 0xEF or marker == JPEG_COMMENT) and not contents.startswith(
            JPEG_KEPT_APPS.get(marker, b"\0\0never")
        ):
            continue
        kept.append(_jpeg_segment(marker, contents))
        if marker == 0xDA:  # start of scan: the compressed data runs to the next marker
            scans += 1
            end = position
            while True:
                end = data.index(b"\xff", end)
                following = data[end + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    if following != 0x00:
                        restarts += 1
                    end += 2
                    continue
                break
            kept.append(data[position:end])
            position = end


def _strip_webp(data: bytes, profile: bytes | None) -> bytes:
    """The WebP with only the chunks that make up the picture, and ``profile`` (a colour profile
    already checked) in place of its own."""
    chunks = []
    for name, chunk in _webp_chunks(data):
        if name == b"VP8X":
            dropped = WEBP_EXIF_AND_XMP_FLAGS | (0 if profile else WEBP_PROFILE_FLAG)
            chunk = bytes([*chunk[:8], chunk[8] & ~dropped, *chunk[9:]])
        elif name == b"ICCP":
            if not profile:
                continue
            chunk = (
                b"ICCP" + len(profile).to_bytes(4, "little") + profile + b"\0" * (len(profile) % 2)
            )
        if name in WEBP_CHUNKS:
            chunks.append(chunk)
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each chunk of a WebP file, as (name, the whole chunk with its padding)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    position = 12
    while position + 8 <= end:
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        chunk = data[position : position + 8 + length + length % 2]
        if len(chunk) < 8 + length:
            raise ValueError("cut short")
        yield data[position : position + 4], chunk
        position += len(chunk)


def checksum(image) -> str:
    """A stored picture by what its file holds (its stored name differs from machine to
    machine): empty for none, "missing" when its file has gone."""
    if not image:
        return ""
    if not image._committed:  # chosen in this save, and not stored yet
        image.file.seek(0)
        data = image.file.read()
        image.file.seek(0)
        return hashlib.sha256(data).hexdigest()
    try:
        with image.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return MISSING


def size_message(size: int) -> str:
    return (
        f"That file is {size / 1024 / 1024:.1f} MB. Pictures can be at most 5 MB: "
        "make it smaller and try again."
    )


def _wrong_kind(kind: str | None) -> str:
    found = f"That file is {kind}. " if kind else "That file is not a picture we can read. "
    return found + "Upload a PNG, JPEG, WebP or GIF picture."


class PictureFormField(forms.FileField):
    """A file field that accepts only what ``clean`` accepts, with its messages, and gives the
    picture as ``clean`` makes it."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        upload.seek(0)
        return clean(upload.read()).as_upload(upload.name)


class PictureField(models.ImageField):
    """The article's picture: its form field stores it as the editor's upload does.

    Its size (``width_field``, ``height_field``) is read from a picture as it is assigned, never
    from storage as an article is loaded; if the file has gone, the size is left empty rather
    than the page failing."""

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        value = instance.__dict__.get(self.attname)
        stored = isinstance(value, str) or getattr(value, "_committed", False)
        if stored and not force:
            return
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except OSError:
            for name in (self.width_field, self.height_field):
                if name:
                    setattr(instance, name, None)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PictureFormField, **kwargs})
