"""load_content: counts over repeated runs, every kind of invalid file, staff edits kept."""

import datetime as dt
import gc
import io
import multiprocessing

import pytest
import reversion
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw
from reversion.models import Revision, Version

from articles.contentformat import fingerprint
from articles.importers import GC_EVERY, ContentError, export_content, load_content
from articles.markdown import PARALLEL_FROM
from articles.models import Article

pytestmark = pytest.mark.django_db


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_content", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_first_load_creates_and_second_load_changes_nothing(write_article, content_dir):
    write_article("one", order=1, tags=["neck pain", "basics"])
    write_article("two", order=2, status="draft")
    write_article("three", published="2026-02-01 09:30")

    first = load_content(content_dir)
    assert first.counts() == "created 3, updated 0, unchanged 0, kept 0"

    with CaptureQueriesContext(connection) as queries:
        second = load_content(content_dir)
    assert second.counts() == "created 0, updated 0, unchanged 3, kept 0"
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_loaded_article_holds_what_the_file_says(write_article, content_dir):
    write_article(
        "what-is-it",
        body="## First\n\nHello **there**.\n",
        title="What is it?",
        summary="Plain words.",
        reviewer="Clinical lead physiotherapist",
        order=3,
        tags=["neck pain", "basics"],
        published="2026-02-01 09:30",
    )
    load_content(content_dir)

    article = Article.objects.get(slug="what-is-it")
    assert article.title == "What is it?"
    assert article.summary == "Plain words."
    assert article.body == "## First\n\nHello **there**.\n"
    assert article.body_html == '<h2 id="first">First</h2>\n<p>Hello <strong>there</strong>.</p>'
    assert article.toc == [{"id": "first", "name": "First"}]
    assert article.reviewed == dt.date(2026, 1, 15)
    assert article.review_due == dt.date(2027, 1, 15)
    assert article.reviewer == "Clinical lead physiotherapist"
    assert article.order == 3
    assert article.status == "published"
    assert article.published_at == dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC)
    assert sorted(t.name for t in article.tags.all()) == ["basics", "neck pain"]
    assert article.source_path.endswith("content/what-is-it.md")
    assert article.word_count == 3
    assert article.loaded_at is not None


def test_changed_file_is_updated(write_article, content_dir):
    write_article("one")
    write_article("two")
    load_content(content_dir)
    write_article("two", body="New words.\n")

    report = load_content(content_dir)

    assert report.counts() == "created 0, updated 1, unchanged 1, kept 0"
    assert report.updated == ["two"]
    assert Article.objects.get(slug="two").body_html == "<p>New words.</p>"


def test_reimport_keeps_staff_edits(write_article, content_dir):
    write_article("one")
    load_content(content_dir)
    article = Article.objects.get(slug="one")
    article.body = "Edited by staff in the admin.\n"
    article.save()

    unchanged_file = load_content(content_dir)
    write_article("one", body="The file changed too.\n")
    changed_file = load_content(content_dir)

    assert unchanged_file.counts() == "created 0, updated 0, unchanged 0, kept 1"
    assert changed_file.counts() == "created 0, updated 0, unchanged 0, kept 1"
    assert changed_file.kept == ["one"]
    assert Article.objects.get(slug="one").body == "Edited by staff in the admin.\n"


def test_overwrite_replaces_staff_edits(write_article, content_dir):
    write_article("one", body="From the file.\n")
    load_content(content_dir)
    article = Article.objects.get(slug="one")
    article.title = "Staff title"
    article.save()

    report = load_content(content_dir, overwrite=True)

    assert report.counts() == "created 0, updated 1, unchanged 0, kept 0"
    article.refresh_from_db()
    assert article.title == "One"
    assert load_content(content_dir).counts() == "created 0, updated 0, unchanged 1, kept 0"


def test_staff_tag_edit_counts_as_an_edit(write_article, content_dir):
    write_article("one", tags=["neck pain"])
    load_content(content_dir)
    Article.objects.get(slug="one").tags.clear()

    assert load_content(content_dir).kept == ["one"]


def test_article_written_in_admin_with_a_files_slug_is_kept(
    make_article, write_article, content_dir
):
    make_article("one", body="Written in the admin.")
    write_article("one")

    report = load_content(content_dir)

    assert report.kept == ["one"]
    assert Article.objects.get(slug="one").body == "Written in the admin.\n"


def test_vanished_file_is_reported_and_its_article_kept(write_article, content_dir):
    write_article("one")
    gone = write_article("two")
    load_content(content_dir)
    gone.unlink()

    out, _ = run_command(content_dir)

    assert out.splitlines()[0] == "created 0, updated 0, unchanged 1, kept 0"
    assert out.splitlines()[1].startswith("no file for two (last loaded from ")
    assert out.splitlines()[1].endswith("content/two.md); the article was left as it is")
    assert Article.objects.filter(slug="two").exists()


def test_dry_run_reports_and_writes_nothing(write_article, content_dir):
    write_article("one")

    out, _ = run_command(content_dir, "--dry-run")

    assert out == "Dry run, nothing written: would have created 1, updated 0, unchanged 0, kept 0\n"
    assert Article.objects.count() == 0


def stored_pictures() -> set[str]:
    try:
        return set(default_storage.listdir("articles")[1])
    except FileNotFoundError:
        return set()


def test_dry_run_reports_what_a_load_would_do_and_keeps_none_of_it(
    picture, write_article, content_dir
):
    write_article("changed")
    write_article("edited")
    load_content(content_dir)
    Article.objects.filter(slug="edited").update(title="Staff title")
    write_article("changed", body="New words.\n")
    (content_dir / "map.png").write_bytes(picture(size=(8, 6)))
    write_article("new", image="map.png", image_alt="A body map")
    before = (list(Article.objects.values_list("slug", "title", "body")), Revision.objects.count())
    pictures = stored_pictures()

    dry = load_content(content_dir, dry_run=True)

    after = (list(Article.objects.values_list("slug", "title", "body")), Revision.objects.count())
    assert after == before
    assert stored_pictures() == pictures
    assert dry.counts() == load_content(content_dir).counts()
    assert dry.counts() == "created 1, updated 1, unchanged 0, kept 1"


def test_each_article_a_load_writes_gets_a_revision_of_its_own(write_article, content_dir):
    paths = {name: write_article(name) for name in ("one", "two")}
    load_content(content_dir)

    for name, path in paths.items():
        version = Version.objects.get_for_object(Article.objects.get(slug=name)).get()
        assert version.revision.comment == f"Loaded from {path}"
        assert list(version.revision.version_set.all()) == [version]

    revisions = Revision.objects.count()
    write_article("two", body="New words.\n")
    load_content(content_dir)
    load_content(content_dir)

    assert Revision.objects.count() == revisions + 1
    newest = Version.objects.get_for_object(Article.objects.get(slug="two")).first()
    assert newest.field_dict["body"] == "New words.\n"
    assert newest.revision.version_set.count() == 1


def test_a_loaded_version_holds_what_django_reversion_would_keep(write_article, content_dir):
    write_article("one", tags=["back pain", "neck pain"], order=3)
    load_content(content_dir)
    article = Article.objects.get(slug="one")
    loaded = Version.objects.get_for_object(article).get()

    with reversion.create_revision():
        reversion.add_to_revision(article)
    kept = Version.objects.get_for_object(article).first()

    assert kept != loaded
    assert loaded.serialized_data == kept.serialized_data
    assert loaded.field_dict["tags"] == sorted(article.tags.values_list("pk", flat=True))
    assert (loaded.object_repr, loaded.content_type, loaded.db) == (
        kept.object_repr,
        kept.content_type,
        kept.db,
    )


def test_a_database_that_gives_no_ids_from_a_bulk_insert_still_gets_a_revision_a_row(
    write_article, content_dir, monkeypatch
):
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    paths = {name: write_article(name) for name in ("one", "two")}
    load_content(content_dir)

    for name, path in paths.items():
        version = Version.objects.get_for_object(Article.objects.get(slug=name)).get()
        assert version.revision.comment == f"Loaded from {path}"
        assert list(version.revision.version_set.all()) == [version]


def test_command_prints_counts_and_kept_articles(write_article, content_dir):
    write_article("one")
    run_command(content_dir)
    Article.objects.filter(slug="one").update(title="Changed behind the importer's back")

    out, err = run_command(content_dir)

    assert out == (
        "created 0, updated 0, unchanged 0, kept 1\n"
        "kept one: edited in the admin since its last load (--overwrite replaces it with the "
        "file)\n"
    )
    assert err == ""


def test_file_slug_and_status_defaults(write_article, content_dir):
    write_article("my-page")
    write_article("other", slug="chosen-slug", status="draft")
    load_content(content_dir)

    assert Article.objects.get(slug="my-page").status == "published"
    assert Article.objects.get(slug="chosen-slug").status == "draft"


def test_image_beside_the_file_is_loaded_once(picture, write_article, content_dir):
    (content_dir / "map.png").write_bytes(picture(size=(8, 6)))
    write_article("one", image="map.png", image_alt="A body map")

    assert load_content(content_dir).counts() == "created 1, updated 0, unchanged 0, kept 0"
    article = Article.objects.get(slug="one")
    assert article.image.name == "articles/one.png"
    assert (article.image.width, article.image.height) == (8, 6)
    assert article.image_alt == "A body map"
    assert load_content(content_dir).counts() == "created 0, updated 0, unchanged 1, kept 0"

    (content_dir / "map.png").write_bytes(picture(size=(8, 6), colour="blue"))
    assert load_content(content_dir).counts() == "created 0, updated 1, unchanged 0, kept 0"


# Every kind of invalid file: the exact line the command prints, and nothing written. The
# messages are the admin form's own: both doors check an article with the same form.
REQUIRED = "This field is required."
NOT_DESCRIBED = (
    "Every picture in the text needs a description between the square brackets before it is "
    "published: replace 'Describe the picture here' (or an empty ![]) with what the picture shows."
)
INVALID = [
    ({"title": None}, "", f"title: {REQUIRED}"),
    ({"title": "  "}, "", f"title: {REQUIRED}"),
    (
        {"title": 2024},
        "",
        "title: must be text (put it in quotes if it looks like a number or yes/no)",
    ),
    ({"summary": None}, "", f"summary: {REQUIRED}"),
    (
        {"summary": "x" * 161},
        "",
        "summary: Ensure this value has at most 160 characters (it has 161).",
    ),
    ({"reviewed": None}, "", f"reviewed: {REQUIRED}"),
    (
        {"reviewed": "last March"},
        "",
        "reviewed: Enter a date like 2026-01-31. (the file says 'last March')",
    ),
    ({"reviewed": "2999-01-01"}, "", "reviewed: The review date cannot be in the future."),
    (
        {"review_due": "2025-01-01"},
        "",
        "review_due: The next review must come after the last one.",
    ),
    (
        {"reviewer": "x" * 201},
        "",
        "reviewer: Ensure this value has at most 200 characters (it has 201).",
    ),
    (
        {"titel": "Typo"},
        "",
        "titel: unknown field (allowed: title, summary, reviewed, review_due, reviewer, signed_off_by, signed_off_profession, signed_off_registration, signed_off_on, signed_off_checksum, slug, order, status, published, tags, image, image_alt)",
    ),
    (
        {"slug": "Not-A-Slug"},
        "",
        "slug: Use only lower-case letters, numbers and single hyphens (for example: after-needling). (the file says 'Not-A-Slug')",
    ),
    ({"order": "first"}, "", "order: Enter a whole number, 0 or more. (the file says 'first')"),
    ({"order": -1}, "", "order: Enter a whole number, 0 or more. (the file says -1)"),
    ({"status": "live"}, "", "status: Choose draft or published. (the file says 'live')"),
    (
        {"published": "soon"},
        "",
        "published: Enter a date and time like 2026-01-31 09:00. (the file says 'soon')",
    ),
    (
        {"tags": "neck pain"},
        "",
        "tags: Give a list of words, one per line starting with '- '. (the file says 'neck pain')",
    ),
    (
        {"image": "missing.png", "image_alt": "A map"},
        "",
        "image: 'missing.png' was not found beside the article",
    ),
    (
        {"image": "../../etc/passwd", "image_alt": "x"},
        "",
        "image: '../../etc/passwd' is outside the content folder",
    ),
    (
        {"image": "notes.png", "image_alt": "x"},
        "",
        "image: That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture.",
    ),
    ({"image": "good.png"}, "", "image_alt: Describe the picture for people who cannot see it."),
    ({}, "   \n", "body: Write the article: the text is empty."),
    (
        {},
        "[[figure:nope]]\n",
        "body: There is no figure called 'nope' (there are: body-map, needle).",
    ),
    # Published is a file's default status: publishing rules apply as they do in the admin.
    ({}, "See ![](/media/x.png)\n", f"body: {NOT_DESCRIBED}"),
    ({}, "See ![Describe the picture here](/media/x.png)\n", f"body: {NOT_DESCRIBED}"),
]


@pytest.mark.parametrize(("fields", "body", "problem"), INVALID, ids=[p for _, _, p in INVALID])
def test_invalid_file_names_file_and_field_and_changes_nothing(
    picture, write_article, content_dir, fields, body, problem
):
    (content_dir / "notes.png").write_text("I am not a picture")
    (content_dir / "good.png").write_bytes(picture(size=(8, 6)))
    write_article("fine")
    path = write_article("broken", body=body or "Words.\n", **fields)

    with pytest.raises(CommandError) as error:
        run_command(content_dir)

    assert str(error.value) == "1 problem(s) found; nothing was changed in the database."
    with pytest.raises(ContentError) as raised:
        load_content(content_dir)
    assert raised.value.problems == [f"{path}: {problem}"]
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "No front matter here.\n",
            "front matter: the file must start with a '---' line, the "
            "fields, and another '---' line",
        ),
        (
            "---\ntitle: [unclosed\n---\nBody\n",
            "front matter: is not valid YAML at line 3: "
            "expected ',' or ']', but got '<stream end>'",
        ),
        (
            "---\n- just\n- a list\n---\nBody\n",
            "front matter: must be a list of 'key: value' lines",
        ),
    ],
)
def test_malformed_front_matter_is_reported(content_dir, text, problem):
    path = content_dir / "bad.md"
    path.write_text(text)

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [f"{path}: {problem}"]


def test_file_that_is_not_utf8_is_reported(content_dir):
    path = content_dir / "latin.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\n---\nBody\n")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [f"{path}: file: is not UTF-8 text (line 2); save it as UTF-8"]


def test_every_problem_in_a_file_is_listed(write_article, content_dir):
    path = write_article("bad", title=None, summary="x" * 200, colour="blue")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{path}: colour: unknown field (allowed: title, summary, reviewed, review_due, "
        "reviewer, signed_off_by, signed_off_profession, signed_off_registration, signed_off_on, "
        "signed_off_checksum, slug, order, status, published, tags, image, image_alt)",
        f"{path}: title: This field is required.",
        f"{path}: summary: Ensure this value has at most 160 characters (it has 200).",
    ]


def test_two_files_with_one_slug_or_one_place_are_both_named(write_article, content_dir):
    first = write_article("first", slug="same", order=1)
    second = write_article("second", slug="same", order=1)

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{first}: slug: the same slug as {second}",
        f"{second}: slug: the same slug as {first}",
        f"{first}: order: the same place in the guide (order) as {second}",
        f"{second}: order: the same place in the guide (order) as {first}",
    ]


def test_a_file_whose_slug_is_another_files_name_is_named_once(write_article, content_dir):
    named = write_article("beta", order=2)
    claims = write_article("alpha", slug="beta", order=1)

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{claims}: slug: the same slug as {named}",
        f"{named}: slug: the same slug as {claims}",
    ]
    assert Article.objects.count() == 0


def test_hundred_files_with_one_bad_name_it_and_leave_database_as_it_was(
    write_article, content_dir
):
    for number in range(100):
        write_article(f"article-{number:03d}", order=number)
    load_content(content_dir)
    before = list(Article.objects.order_by("slug").values_list("slug", "title", "body"))
    for number in range(100):
        write_article(f"article-{number:03d}", order=number, body=f"Version two of {number}.\n")
    bad = write_article("article-057", order=57, reviewed="57th of May")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{bad}: reviewed: Enter a date like 2026-01-31. (the file says '57th of May')"
    ]
    after = list(Article.objects.order_by("slug").values_list("slug", "title", "body"))
    assert after == before


def test_failure_half_way_rolls_back_every_write(write_article, content_dir, monkeypatch):
    for name in ("a", "b", "c"):
        write_article(name)
    saved = []
    real_save = Article.save

    def save_then_fail(self, *args, **kwargs):
        if len(saved) == 2:
            raise RuntimeError("disk full")
        saved.append(self.slug)
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Article, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        load_content(content_dir)
    monkeypatch.undo()

    assert saved == ["a", "b"]
    assert Article.objects.count() == 0
    assert load_content(content_dir).counts() == "created 3, updated 0, unchanged 0, kept 0"


def test_a_load_that_fails_half_way_leaves_no_workers_converting(
    write_article, content_dir, monkeypatch, two_cores
):
    for number in range(PARALLEL_FROM + 5):
        write_article(f"article-{number:03d}", body=f"Text {number}.\n")
    real_save = Article.save

    def save_then_fail(self, *args, **kwargs):
        if Article.objects.count() == 2:
            raise RuntimeError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Article, "save", save_then_fail)
    with pytest.raises(RuntimeError) as raised:
        load_content(content_dir)

    assert raised.value.__traceback__ is not None  # the failure, still held, holds the load
    assert multiprocessing.active_children() == []
    assert Article.objects.count() == 0


def test_a_load_looks_for_cycles_less_often_and_puts_the_setting_back(write_article, content_dir):
    write_article("a")
    write_article("b", reviewed="not a date")
    before = gc.get_threshold()
    seen = []

    with pytest.raises(ContentError):
        load_content(content_dir, progress=lambda *_: seen.append(gc.get_threshold()))
    assert gc.get_threshold() == before

    (content_dir / "b.md").unlink()
    load_content(content_dir, progress=lambda *_: seen.append(gc.get_threshold()))

    assert seen == [(GC_EVERY, *before[1:])] * 2
    assert gc.get_threshold() == before


def test_missing_folder_is_reported(tmp_path):
    with pytest.raises(ContentError) as raised:
        load_content(tmp_path / "nowhere")

    assert raised.value.problems == [f"{tmp_path / 'nowhere'}: folder: not found"]


def test_progress_is_reported_for_every_file(write_article, content_dir):
    for name in ("a", "b", "c"):
        write_article(name)
    seen = []

    load_content(content_dir, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_command_shows_progress_only_to_a_terminal(write_article, content_dir, monkeypatch):
    write_article("a")
    write_article("b")
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stderr", terminal)

    run_command(content_dir)

    assert terminal.getvalue() == "\rLoading articles 1/2\rLoading articles 2/2\n"


def test_stale_pages_are_rendered_again_without_counting_as_changes(write_article, content_dir):
    write_article("one", body="Hello.\n")
    write_article("two", body="Kept.\n")
    load_content(content_dir)
    Article.objects.update(body_html="<p>made by an older version</p>", rendered_with="old")
    Article.objects.filter(slug="two").update(title="Staff title")

    out, _ = run_command(content_dir)

    assert out.splitlines()[:2] == [
        "created 0, updated 0, unchanged 1, kept 1",
        "refreshed the page of 2 article(s) for a new version of the site",
    ]
    assert list(Article.objects.order_by("slug").values_list("body_html", "title")) == [
        ("<p>Hello.</p>", "One"),
        ("<p>Kept.</p>", "Staff title"),
    ]
    assert run_command(content_dir)[0] == "created 0, updated 0, unchanged 1, kept 1\n" + (
        "kept two: edited in the admin since its last load (--overwrite replaces it with the file)\n"
    )


def test_export_of_the_shipped_content_is_byte_for_byte_the_same(shipped_content, tmp_path):
    load_content(shipped_content)

    export_content(tmp_path)

    shipped = {p.name: p.read_bytes() for p in shipped_content.glob("*.md")}
    exported = {p.name: p.read_bytes() for p in tmp_path.glob("*.md")}
    assert exported == shipped


def test_round_trip_keeps_every_staff_edit_exactly(picture, write_article, content_dir, tmp_path):
    (content_dir / "map.png").write_bytes(picture(size=(8, 6)))
    write_article("one", tags=["b", "a"], order=2, image="map.png", image_alt="A map")
    load_content(content_dir)
    article = Article.objects.get(slug="one")
    article.title = "Yes"
    article.summary = "Words: with a colon, # and 'quotes'."
    article.body = "Edited in a browser.\r\n\r\n## Heading\r\n"
    article.status = Article.Status.DRAFT
    # Local summer time, as the admin's form gives it: the file must say the same instant.
    article.published_at = timezone.make_aware(dt.datetime(2027, 6, 1, 9, 0))
    article.review_due = dt.date(2026, 6, 1)
    article.reviewer = "Clinical lead physiotherapist"
    article.save()
    article.tags.create(name="zeta")
    before = fingerprint(article)

    out = io.StringIO()
    call_command("export_content", str(tmp_path / "out"), stdout=out)

    assert out.getvalue().endswith("exported 1 article(s)\n")
    assert load_content(tmp_path / "out").counts() == "created 0, updated 0, unchanged 1, kept 0"
    Article.objects.all().delete()
    assert load_content(tmp_path / "out").counts() == "created 1, updated 0, unchanged 0, kept 0"
    assert fingerprint(Article.objects.get(slug="one")) == before


def photo_with_gps(orientation: int) -> bytes:
    """A JPEG as a phone takes it: a GPS position, and turned by its EXIF, not its pixels."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSAreaInformation] = "the patient's home"
    image = Image.new("RGB", (40, 30), "teal")
    ImageDraw.Draw(image).ellipse((2, 2, 20, 28), fill="orange")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", [1, 6], ids=["upright", "sideways"])
def test_photo_beside_the_file_is_stored_without_its_gps_and_loaded_once(
    write_article, content_dir, orientation
):
    (content_dir / "walk.JPEG").write_bytes(photo_with_gps(orientation))
    write_article("one", image="walk.JPEG", image_alt="A walk by the river")

    assert load_content(content_dir).counts() == "created 1, updated 0, unchanged 0, kept 0"
    article = Article.objects.get(slug="one")
    with article.image.open("rb") as handle:
        stored = handle.read()
    assert article.image.name.startswith("articles/one") and article.image.name.endswith(".jpg")
    assert b"the patient's home" not in stored
    assert Image.open(io.BytesIO(stored)).size == ((40, 30) if orientation == 1 else (30, 40))
    assert load_content(content_dir).counts() == "created 0, updated 0, unchanged 1, kept 0"


@pytest.mark.parametrize("orientation", [1, 6], ids=["upright", "sideways"])
def test_round_trip_keeps_a_photo_exactly(write_article, content_dir, tmp_path, orientation):
    (content_dir / "walk.jpeg").write_bytes(photo_with_gps(orientation))
    write_article("one", image="walk.jpeg", image_alt="A walk by the river")
    load_content(content_dir)
    before = fingerprint(Article.objects.get(slug="one"))

    export_content(tmp_path / "out")

    assert load_content(tmp_path / "out").counts() == "created 0, updated 0, unchanged 1, kept 0"
    Article.objects.all().delete()
    assert load_content(tmp_path / "out").counts() == "created 1, updated 0, unchanged 0, kept 0"
    assert fingerprint(Article.objects.get(slug="one")) == before
