"""One way in for every picture: the editor's upload, the article's Picture field and a picture
beside a content file are all checked and stored by pictures.clean, which keeps the pixels and
colour profile and nothing else, turns a photo the right way up, and names the file after its
real format."""

import importlib
import io
import struct
import time
import zlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageDraw, ImageStat, PngImagePlugin

from articles import pictures
from articles.importers import ContentError, load_content
from articles.models import Article
from tests.test_uploads import animation as animation_of_dots

pytestmark = pytest.mark.django_db

SECRET = b"51.5007 N, 0.1246 W, the patient's home"


def photo(kind="JPEG", size=(40, 30), **options) -> bytes:
    """A small picture with some detail (a flat colour hides lossy re-encoding)."""
    image = Image.new("RGB", size, "teal")
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, size[0] // 2, size[1] - 2), fill="orange")
    draw.line((0, size[1] - 1, size[0] - 1, 0), fill="navy", width=2)
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.ImageDescription] = SECRET.decode()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 2.5)
    gps[ExifTags.GPS.GPSAreaInformation] = SECRET.decode()
    return exif.tobytes()


def jpeg_with_every_extra() -> bytes:
    """A JPEG with GPS EXIF, XMP, an IPTC block, a comment and a file hidden after its end."""
    data = photo(exif=gps_exif(), xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>", comment=SECRET)
    iptc = b"Photoshop 3.0\0" + SECRET
    app13 = b"\xff\xed" + (len(iptc) + 2).to_bytes(2, "big") + iptc
    return data[:2] + app13 + data[2:] + b"PK\x03\x04" + SECRET


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", SECRET.decode())
    return photo("PNG", pnginfo=info, exif=gps_exif())


def animation(kind: str, **options) -> bytes:
    frames = [Image.new("RGB", (30, 20), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, kind, save_all=True, append_images=frames[1:], duration=100, **options)
    return buffer.getvalue()


KINDS = {
    "jpeg": photo(),
    "jpeg with every extra": jpeg_with_every_extra(),
    "jpeg to turn": photo(exif=gps_exif(orientation=6)),
    "png with text": png_with_text(),
    "animated png": animation("PNG"),
    "gif with comment": photo("GIF", comment=SECRET),
    "animated gif": animation("GIF", loop=0, comment=SECRET),
    "webp": photo("WEBP", exif=gps_exif(), xmp=SECRET),
    "lossless webp": photo("WEBP", lossless=True, exif=gps_exif()),
    "webp to turn": photo("WEBP", exif=gps_exif(orientation=8)),
    "animated webp": animation("WEBP"),
}


@pytest.mark.parametrize("data", KINDS.values(), ids=KINDS.keys())
def test_nothing_but_the_picture_is_kept(data):
    stored = pictures.clean(data).data

    assert SECRET not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert "comment" not in image.info


@pytest.mark.parametrize("data", KINDS.values(), ids=KINDS.keys())
def test_cleaning_a_stored_picture_gives_the_same_bytes(data):
    stored = pictures.clean(data).data

    assert pictures.clean(stored).data == stored


def test_a_jpeg_keeps_its_image_data_exactly():
    original = jpeg_with_every_extra()

    stored = pictures.clean(original).data

    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stored)) as after:
        assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is None
    assert len(stored) < len(original)


@pytest.mark.parametrize("kind", ["JPEG", "WEBP", "PNG"])
def test_a_photo_taken_sideways_is_stored_the_right_way_up(kind):
    stored = pictures.clean(photo(kind, size=(40, 30), exif=gps_exif(orientation=6)))

    assert (stored.width, stored.height) == (30, 40)
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.size == (30, 40)
        assert ExifTags.Base.Orientation not in image.getexif()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("orientation", [1, 6])
def test_the_colour_profile_is_kept(kind, orientation):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = photo(kind, icc_profile=icc, exif=gps_exif(orientation))

    with Image.open(io.BytesIO(pictures.clean(data).data)) as image:
        assert image.info.get("icc_profile") == icc


# A JPEG can hide text where a reader never looks: after the image data its scan needs, in a
# segment labelled as a colour profile, or after the few bytes of an Adobe segment.

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def segment(marker: int, contents: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(contents) + 2).to_bytes(2, "big") + contents


def after_start(data: bytes, extra: bytes) -> bytes:
    """``extra`` placed just after a JPEG's start marker."""
    return data[:2] + extra + data[2:]


def before_end(data: bytes, extra: bytes) -> bytes:
    """``extra`` placed in the scan data, just before the JPEG's end marker."""
    assert data.endswith(b"\xff\xd9")
    return data[:-2] + extra + data[-2:]


def before_first_restart(data: bytes, extra: bytes) -> bytes:
    position = data.index(b"\xff\xd0", data.index(b"\xff\xda"))
    return data[:position] + extra + data[position:]


def with_profile(profile: bytes) -> bytes:
    return segment(0xE2, b"ICC_PROFILE\0\x01\x01" + profile)


def profile_with_text_after_it() -> bytes:
    """A valid profile, with text after its end and its length saying the text belongs."""
    grown = SRGB + SECRET
    return len(grown).to_bytes(4, "big") + grown[4:]


def scene(**options) -> bytes:
    """A JPEG photo large enough to be saved again without visible loss."""
    return photo(size=(160, 120), **options)


def profile_with_text_between_tags() -> bytes:
    """A valid profile whose last tag's data has moved past some text, so the text sits
    between tags."""
    last = 128 + 4 + 12 * (int.from_bytes(SRGB[128:132], "big") - 1)
    offset, size = struct.unpack_from(">II", SRGB, last + 4)
    moved = len(SRGB) + len(SECRET) + (-len(SECRET) % 4)
    grown = bytearray(SRGB + SECRET.ljust(moved - len(SRGB), b" ") + SRGB[offset : offset + size])
    struct.pack_into(">II", grown, last + 4, moved, size)
    grown[:4] = len(grown).to_bytes(4, "big")
    return bytes(grown)


HIDDEN_IN_JPEG = {
    "after the scan data": before_end(scene(), SECRET),
    "after the scan data, a long way": before_end(scene(), SECRET * 50),
    "after the scan data of a progressive jpeg": before_end(scene(progressive=True), SECRET),
    "before a restart marker": before_first_restart(scene(restart_marker_blocks=2), SECRET),
    "after the scan data, with restart markers": before_end(scene(restart_marker_rows=1), SECRET),
    "in a profile that is not one": after_start(scene(), with_profile(SECRET)),
    "in a profile with text after it": after_start(
        scene(), with_profile(profile_with_text_after_it())
    ),
    "in a profile, between its tags": after_start(
        scene(), with_profile(profile_with_text_between_tags())
    ),
    "in a second copy of the profile": scene(icc_profile=SRGB).replace(
        b"\xff\xda", segment(0xE2, b"ICC_PROFILE\0\x05\x01" + SECRET) + b"\xff\xda", 1
    ),
    "after an adobe segment": after_start(
        scene(), segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01" + SECRET)
    ),
}


@pytest.mark.parametrize("data", HIDDEN_IN_JPEG.values(), ids=HIDDEN_IN_JPEG.keys())
def test_text_hidden_in_a_jpeg_is_not_kept(data):
    with Image.open(io.BytesIO(data)) as original:
        original.load()  # a picture Pillow reads without complaint
        pixels = original.convert("RGB")

    stored = pictures.clean(data).data

    assert SECRET not in stored
    assert pictures.clean(stored).data == stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == pixels.size
        # The same picture, give or take what one more save at its own quality loses.
        difference = ImageChops.difference(pixels, image.convert("RGB"))
        assert max(ImageStat.Stat(difference).mean) < 4


def test_a_valid_profile_is_kept_without_what_was_hidden_after_it():
    stored = pictures.clean(after_start(photo(), with_profile(profile_with_text_after_it())))

    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.info["icc_profile"] == SRGB


def test_a_profile_that_is_not_one_is_left_out():
    stored = pictures.clean(after_start(photo(), with_profile(SECRET)))

    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.info.get("icc_profile") is None


def test_an_adobe_segment_keeps_its_colour_transform():
    adobe = segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01" + SECRET)

    stored = pictures.clean(after_start(photo(), adobe))

    assert segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01") in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.info["adobe_transform"] == 1


def test_an_ordinary_jpeg_keeps_its_scan_data_byte_for_byte():
    for original in (photo(), photo(icc_profile=SRGB), photo(exif=gps_exif())):
        scan = original[original.index(b"\xff\xda") :]

        assert pictures.clean(original).data.endswith(scan)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_a_png_or_webp_keeps_no_profile_that_is_not_one(kind):
    stored = pictures.clean(photo(kind, icc_profile=b"ICC " + SECRET)).data

    assert SECRET not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.info.get("icc_profile") is None
    assert pictures.clean(stored).data == stored


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_a_png_or_webp_keeps_a_valid_profile_without_what_was_hidden_after_it(kind):
    stored = pictures.clean(photo(kind, icc_profile=profile_with_text_after_it())).data

    with Image.open(io.BytesIO(stored)) as image:
        assert image.info["icc_profile"] == SRGB


def test_the_editor_upload_keeps_no_text_hidden_after_the_scan_data(staff_client):
    response = staff_client.post(
        "/markdownx/upload/",
        {"image": upload("photo.jpg", before_end(photo(), SECRET))},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    with default_storage.open(response.json()["image_code"].split("(/media/")[1][:-1]) as f:
        assert SECRET not in f.read()


# The article's Picture field in the admin.


def admin_form(**changes) -> dict:
    data = {
        "title": "Pain after needling",
        "slug": "pain-after-needling",
        "summary": "What is normal.",
        "body": "Some soreness is common.\r\n",
        "status": "published",
        "reviewed": "2026-01-15",
        "image_alt": "A body map",
    }
    data.update(changes)
    return data


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_bytes(article: Article) -> bytes:
    with article.image.open("rb") as handle:
        return handle.read()


def test_the_picture_field_keeps_no_gps_position(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/", admin_form(image=upload("walk.jpg", photo(exif=gps_exif())))
    )

    assert response.status_code == 302
    stored = stored_bytes(Article.objects.get())
    assert SECRET not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


@pytest.mark.parametrize(
    ("name", "data", "stored_as"),
    [
        ("x.pdf", photo("PNG"), "articles/x.png"),
        ("map.tiff", photo("PNG"), "articles/map.png"),
        ("photo.png", photo("JPEG"), "articles/photo.jpg"),
        ("no-extension", photo("WEBP"), "articles/no-extension.webp"),
    ],
)
def test_the_picture_is_named_after_its_real_format(staff_client, client, name, data, stored_as):
    staff_client.post("/admin/articles/article/add/", admin_form(image=upload(name, data)))

    assert Article.objects.get().image.name == stored_as


def test_the_picture_is_served_as_what_it_is(staff_client, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    staff_client.post(
        "/admin/articles/article/add/", admin_form(image=upload("x.pdf", photo("PNG")))
    )

    response = client.get(Article.objects.get().image.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "scan.png",
            photo("BMP"),
            "That file is BMP. Upload a PNG, JPEG, WebP or GIF picture.",
        ),
        (
            "notes.png",
            b"just some text",
            "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture.",
        ),
        (
            "cut-off.jpg",
            photo()[:200],
            "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture.",
        ),
    ],
)
def test_the_picture_field_refuses_anything_else_next_to_the_field(
    staff_client, name, data, message
):
    response = staff_client.post(
        "/admin/articles/article/add/", admin_form(image=upload(name, data))
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [message]
    assert not Article.objects.exists()


def test_every_door_stores_the_same_bytes(staff_client, write_article, content_dir):
    data = photo(exif=gps_exif(orientation=3))
    editor = staff_client.post(
        "/markdownx/upload/",
        {"image": upload("a.jpg", data)},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    staff_client.post("/admin/articles/article/add/", admin_form(image=upload("b.jpg", data)))
    (content_dir / "c.jpg").write_bytes(data)
    write_article("from-a-file", image="c.jpg", image_alt="A body map")
    load_content(content_dir)

    from_editor = editor.json()["image_code"].split("(/media/")[1][:-1]
    with default_storage.open(from_editor) as handle:
        stored = handle.read()
    assert stored == pictures.clean(data).data
    assert {stored_bytes(article) for article in Article.objects.all()} == {stored}


def test_the_picture_field_refuses_an_animation_too_big_to_decode(staff_client):
    response = staff_client.post(
        "/admin/articles/article/add/",
        admin_form(image=upload("bomb.gif", animation_of_dots(30, 6000))),
    )

    assert response.context["adminform"].form.errors["image"] == [
        "That animation has 30 frames of 6000 × 6000 pixels: more than 20 million pixels in "
        "all. Use fewer frames or make it smaller."
    ]


# The article page never reads the picture's file: its size is stored with the article.


@pytest.fixture
def article_with_picture(make_article):
    article = make_article("aftercare", image_alt="A body map")
    article.image.save("map.png", ContentFile(photo("PNG", size=(40, 30)), name="map.png"))
    return Article.objects.get(pk=article.pk)


def test_the_picture_size_is_stored_with_the_article(article_with_picture):
    assert (article_with_picture.image_width, article_with_picture.image_height) == (40, 30)


def test_the_page_answers_without_the_picture_file(client, article_with_picture):
    default_storage.delete(article_with_picture.image.name)

    response = client.get("/articles/aftercare/")

    assert response.status_code == 200
    assert (
        f'<img class="article-image" src="{article_with_picture.image.url}" alt="A body map" '
        'width="40" height="30">'
    ) in response.content.decode()


def test_the_page_never_opens_the_picture_file(client, article_with_picture, monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("the page read a media file")

    monkeypatch.setattr(default_storage, "open", no_reading)

    assert client.get("/articles/aftercare/").status_code == 200


def test_an_article_whose_picture_has_gone_and_no_size_still_has_a_page(client, make_article):
    article = make_article("aftercare", image_alt="A body map")
    Article.objects.filter(pk=article.pk).update(image="articles/gone.png")

    response = client.get("/articles/aftercare/")

    assert response.status_code == 200
    assert '<img class="article-image" src="/media/articles/gone.png" alt="A body map">' in (
        response.content.decode()
    )


def test_the_picture_field_stores_the_size_of_the_picture_as_stored(staff_client):
    data = photo(size=(40, 30), exif=gps_exif(orientation=6))

    staff_client.post("/admin/articles/article/add/", admin_form(image=upload("walk.jpg", data)))

    article = Article.objects.get()
    assert (article.image_width, article.image_height) == (30, 40)


def test_the_migration_stores_the_size_of_every_picture_it_can_read(make_article):
    store_picture_sizes = importlib.import_module(
        "articles.migrations.0016_article_image_size"
    ).store_picture_sizes
    readable = make_article("aftercare")
    readable.image.save("map.png", ContentFile(photo("PNG", size=(40, 30)), name="map.png"))
    make_article("gone", image="articles/gone.png")
    Article.objects.update(image_width=None, image_height=None)

    store_picture_sizes(apps, None)

    assert list(Article.objects.order_by("slug").values_list("image_width", "image_height")) == [
        (40, 30),
        (None, None),
    ]


# A GIF's header gives its canvas size, but Pillow grows the canvas for a later frame that lies
# outside it, and then decodes every frame at the grown size.


def growing_gif(frames: int = 3, size: int = 6000) -> bytes:
    """A GIF of 66 bytes or so whose header says 1 x 1 pixel: its first frame is that pixel,
    and every later one is one pixel at (size - 1, size - 1)."""
    parts = [b"GIF89a", struct.pack("<HHBBB", 1, 1, 0xF0, 0, 0), b"\0\0\0\xff\xff\xff"]
    for frame in range(frames):
        corner = 0 if frame == 0 else size - 1
        parts.append(b"\x21\xf9\x04\x04\x0a\x00\x00\x00")  # 0.1 s, keep the frame
        parts.append(b"\x2c" + struct.pack("<HHHHB", corner, corner, 1, 1, 0))
        parts.append(b"\x02\x02\x4c\x01\x00")  # one white pixel
    return b"".join([*parts, b"\x3b"])


GROWN_TOO_BIG = (
    "That animation has 3 frames of 6000 × 6000 pixels: more than 20 million pixels in all. "
    "Use fewer frames or make it smaller."
)


class Timer:
    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started


def test_a_gif_whose_frames_grow_its_canvas_is_measured_by_the_grown_canvas():
    with Timer() as timer, pytest.raises(pictures.PictureError) as refused:
        pictures.clean(growing_gif())

    assert refused.value.messages == [GROWN_TOO_BIG]
    assert timer.seconds < 2


def test_a_frame_far_outside_a_still_gif_is_too_many_pixels():
    # Two frames, the second one pixel at (65534, 65534): Pillow would refuse the canvas
    # outright, mid-decode.
    with pytest.raises(pictures.PictureError) as refused:
        pictures.clean(growing_gif(frames=2, size=65535))

    assert refused.value.messages == [pictures.TOO_MANY_PIXELS]


def test_a_gif_that_grows_a_little_is_kept_at_its_grown_size():
    grown = growing_gif(frames=3, size=50)

    assert (pictures.inspect(grown).width, pictures.inspect(grown).height) == (50, 50)
    stored = pictures.clean(grown)
    assert (stored.width, stored.height) == (50, 50)
    with Image.open(io.BytesIO(stored.data)) as image:
        assert (image.format, image.size) == ("GIF", (50, 50))


def one_pixel_frames(frames: int, hundredths: int = 2) -> bytes:
    """A 1 x 1 GIF of ``frames`` frames, black and white by turns, each shown ``hundredths``
    of a second: 23 bytes a frame."""
    parts = [b"GIF89a", struct.pack("<HHBBB", 1, 1, 0xF0, 0, 0), b"\0\0\0\xff\xff\xff"]
    for frame in range(frames):
        parts.append(b"\x21\xf9\x04\x04" + struct.pack("<H", hundredths) + b"\x00\x00")
        parts.append(b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0))
        parts.append(b"\x02\x02\x4c\x01\x00" if frame % 2 else b"\x02\x02\x44\x01\x00")
    return b"".join([*parts, b"\x3b"])


def test_an_animation_of_too_many_frames_is_refused_however_small_they_are():
    # 200,000 such frames (4.6 MB) took 26 s and 630 MB to store again.
    with pytest.raises(pictures.PictureError) as refused:
        pictures.clean(one_pixel_frames(1001))

    assert refused.value.messages == [
        "That animation has 1,001 frames: pictures can have at most 1,000. Use fewer frames."
    ]
    assert pictures.clean(one_pixel_frames(1000)).kind == "GIF"


def test_an_animation_whose_frames_last_too_long_in_all_is_refused_not_an_error():
    # Two identical frames of 655 s each: Pillow joins them into one it cannot save.
    frames = growing_gif(frames=2, size=1).replace(b"\x04\x04\x0a\x00", b"\x04\x04\xff\xff")

    with pytest.raises(pictures.PictureError) as refused:
        pictures.clean(frames)

    assert refused.value.messages == [
        "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture."
    ]


def frame_moved_outside(kind: str) -> bytes:
    """An animated PNG or WebP of 30 x 20 pixels whose second frame says it lies at
    (2999, 2999)."""
    frames = [Image.new("RGB", (30, 20), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, kind, save_all=True, append_images=frames[1:], lossless=True)
    data = bytearray(buffer.getvalue())
    if kind == "PNG":
        chunk = data.index(b"fcTL", data.index(b"fcTL") + 4)  # name, then sequence, w, h, x, y
        struct.pack_into(">II", data, chunk + 16, 2999, 2999)
        end = chunk + 4 + int.from_bytes(data[chunk - 4 : chunk], "big")
        struct.pack_into(">I", data, end, zlib.crc32(data[chunk:end]))
    else:
        chunk = data.index(b"ANMF", data.index(b"ANMF") + 4)  # name, size, then x, y (3 bytes)
        data[chunk + 8 : chunk + 14] = (2999).to_bytes(3, "little") * 2
    return bytes(data)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_an_animated_png_or_webp_never_grows_its_canvas(kind):
    with pytest.raises(pictures.PictureError) as refused:
        pictures.clean(frame_moved_outside(kind))

    assert refused.value.messages == [
        "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture."
    ]


def test_the_editor_upload_refuses_a_growing_gif_at_once(staff_client):
    with Timer() as timer:
        response = staff_client.post(
            "/markdownx/upload/",
            {"image": upload("grows.gif", growing_gif())},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )

    assert timer.seconds < 2
    assert response.status_code == 400
    assert response.json() == {"image": [GROWN_TOO_BIG]}


def test_the_picture_field_refuses_a_growing_gif_at_once(staff_client):
    with Timer() as timer:
        response = staff_client.post(
            "/admin/articles/article/add/", admin_form(image=upload("grows.gif", growing_gif()))
        )

    assert timer.seconds < 2
    assert response.context["adminform"].form.errors["image"] == [GROWN_TOO_BIG]
    assert not Article.objects.exists()


def test_a_growing_gif_beside_a_content_file_is_refused_at_once(write_article, content_dir):
    (content_dir / "grows.gif").write_bytes(growing_gif())
    path = write_article("grows", image="grows.gif", image_alt="A body map")

    with Timer() as timer, pytest.raises(ContentError) as refused:
        load_content(content_dir)

    assert timer.seconds < 2
    assert refused.value.problems == [f"{path}: image: {GROWN_TOO_BIG}"]
    assert not Article.objects.exists()
