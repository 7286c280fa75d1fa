"""The editor's picture upload: staff only, pictures only, re-encoded, clear refusals."""

import json
import struct
import time
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db

REFUSED_KIND = "Upload a PNG, JPEG, WebP or GIF picture."


def upload(client, name: str, data: bytes, content_type="image/png"):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(
        "/markdownx/upload/", {"image": file}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )


@pytest.mark.parametrize(
    ("kind", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_pictures_are_stored_again_and_inserted_with_an_alt_text_prompt(
    staff_client, kind, extension, picture
):
    response = upload(staff_client, f"photo.{extension}", picture(kind))

    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![Describe the picture here](/media/uploads/")
    assert code.endswith(f".{extension})")
    stored = code[code.index("(/media/") + len("(/media/") : -1]
    with default_storage.open(stored) as handle, Image.open(handle) as saved:
        assert saved.format == kind
        assert saved.size == (40, 30)


def test_hidden_metadata_is_not_kept(staff_client, picture):
    exif = Image.Exif()
    exif[0x010E] = "GPS home address of the patient"
    response = upload(staff_client, "photo.jpg", picture("JPEG", exif=exif.tobytes()), "image/jpeg")

    stored = response.json()["image_code"].split("(/media/")[1][:-1]
    with default_storage.open(stored) as handle:
        assert b"GPS home address" not in handle.read()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "That file is not a picture we can read. " + REFUSED_KIND,
        ),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "That file is not a picture we can read. " + REFUSED_KIND,
        ),
        (
            "notes.png",
            b"just some text, not a picture",
            "That file is not a picture we can read. " + REFUSED_KIND,
        ),
        (
            "cut-off.png",
            lambda picture: picture("PNG")[:60],
            "That file is not a picture we can read. " + REFUSED_KIND,
        ),
        ("scan.bmp", lambda picture: picture("BMP"), "That file is BMP. " + REFUSED_KIND),
        (
            "huge.png",
            b"\x89PNG" + b"0" * (5 * 1024 * 1024),
            "That file is 5.0 MB. Pictures can be at most 5 MB: make it smaller and try again.",
        ),
    ],
    ids=["svg-onload", "svg-script", "text-as-png", "truncated", "bmp", "too-big"],
)
def test_anything_else_is_refused_with_a_clear_400(staff_client, picture, name, data, message):
    response = upload(staff_client, name, data(picture) if callable(data) else data)

    assert response.status_code == 400
    assert json.loads(response.content) == {"image": [message]}


def test_a_picture_with_too_many_pixels_is_refused(staff_client, picture):
    # Black and white, so the 50 million pixels are quick to make.
    response = upload(
        staff_client, "wide.png", picture("PNG", size=(10_000, 5_000), mode="1", colour=1)
    )

    assert response.status_code == 400
    assert response.json() == {
        "image": ["That picture has too many pixels. Make it smaller and try again."]
    }


def test_no_file_gets_a_clear_400(staff_client):
    response = staff_client.post("/markdownx/upload/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    assert response.status_code == 400
    assert response.json() == {"image": ["Choose a picture to upload."]}


def test_visitors_cannot_upload(client, picture):
    response = upload(client, "photo.png", picture("PNG"))

    assert response.status_code == 403


def test_stored_pictures_are_served_and_nothing_outside_the_folder(
    client, settings, tmp_path, picture
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "a.png").write_bytes(picture("PNG"))
    (tmp_path / "secret.txt").write_text("private")

    found = client.get("/media/uploads/a.png")
    escape = client.get("/media/../secret.txt")

    assert found.status_code == 200
    assert found["Content-Type"] == "image/png"
    assert found["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert escape.status_code == 400
    assert b"private" not in escape.content


def animation(frames: int, size: int) -> bytes:
    """A GIF of ``frames`` frames on a black ``size`` x ``size`` canvas, each adding one white
    pixel: a few hundred bytes that Pillow decodes as full frames."""
    parts = [b"GIF89a", struct.pack("<HHBBB", size, size, 0xF0, 0, 0), b"\0\0\0\xff\xff\xff"]
    for frame in range(frames):
        parts.append(b"\x21\xf9\x04\x04\x0a\x00\x00\x00")  # 0.1 s, keep the frame
        parts.append(b"\x2c" + struct.pack("<HHHHB", frame % size, 0, 1, 1, 0))
        parts.append(b"\x02\x02\x4c\x01\x00")  # one white pixel
    return b"".join([*parts, b"\x3b"])


def test_an_animation_with_too_many_pixels_in_all_is_refused_before_it_is_decoded(staff_client):
    started = time.monotonic()
    response = upload(staff_client, "bomb.gif", animation(30, 6000), "image/gif")

    assert time.monotonic() - started < 1
    assert response.status_code == 400
    assert response.json() == {
        "image": [
            "That animation has 30 frames of 6000 × 6000 pixels: more than 20 million pixels "
            "in all. Use fewer frames or make it smaller."
        ]
    }


def test_a_small_animation_is_stored_with_every_frame(staff_client):
    response = upload(staff_client, "wave.gif", animation(12, 200), "image/gif")

    assert response.status_code == 200
    stored = response.json()["image_code"].split("(/media/")[1][:-1]
    with default_storage.open(stored) as handle, Image.open(handle) as saved:
        assert (saved.format, saved.size, saved.n_frames) == ("GIF", (200, 200), 12)


def test_a_picture_too_big_for_pillow_to_open_says_it_has_too_many_pixels(staff_client):
    # A PNG header claiming 100,000 x 100,000 pixels: Pillow refuses it before reading more.
    header = b"\x89PNG\r\n\x1a\n" + png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", 10**5, 10**5, 8, 2, 0, 0, 0)
    )
    response = upload(staff_client, "huge.png", header + png_chunk(b"IEND", b""))

    assert response.status_code == 400
    assert response.json() == {
        "image": ["That picture has too many pixels. Make it smaller and try again."]
    }


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
