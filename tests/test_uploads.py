"""The editor's picture upload: staff only, pictures only, re-encoded, clear refusals."""

import json

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
    response = upload(staff_client, "wide.png", picture("PNG", size=(10_000, 5_000)))

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
