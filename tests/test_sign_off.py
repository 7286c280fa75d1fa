"""The clinical sign-off: one step in the admin by a named clinician, and honest pages."""

import datetime as dt
import io

import pytest
import reversion
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from articles.importers import ContentError, export_content, load_content
from articles.models import Article, Block, default_review_due

from .conftest import started_from

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLINICIAN = {
    "name": "Sam Patel",
    "profession": "Physiotherapist",
    "registration": "PH123456",
    "confirm": "on",
}


def sign_off(client, article, **changes):
    """Open the sign-off page, then send it, as a clinician does."""
    address = f"/admin/articles/article/{article.pk}/sign-off/"
    page = client.get(address)
    shown = page.context["form"]["checksum"].value() if page.status_code == 200 else ""
    return client.post(address, {**CLINICIAN, "checksum": shown, **changes}, follow=True)


def test_signing_off_is_one_step_that_records_who_when_and_the_next_review(
    staff_client, staff_user, client, make_article
):
    article = make_article("aftercare", title="Aftercare")
    listing = staff_client.get("/admin/articles/article/").content.decode()
    assert '<strong class="needs-sign-off">Needs clinical sign-off</strong>' in listing

    response = sign_off(staff_client, article)

    article.refresh_from_db()
    assert (article.signed_off_by, article.signed_off_profession) == (
        "Sam Patel",
        "Physiotherapist",
    )
    assert (article.signed_off_registration, article.signed_off_on) == ("PH123456", TODAY)
    assert article.signed_off_user == staff_user
    assert article.review_due == default_review_due(TODAY)
    assert [str(m) for m in response.context["messages"]] == [
        f"Signed off by Sam Patel, Physiotherapist. The page now shows it; next review due "
        f"{default_review_due(TODAY):%-d %B %Y}."
    ]
    assert Version.objects.get_for_object(article).first().revision.comment == (
        "Clinical sign-off by Sam Patel, Physiotherapist"
    )
    page = client.get("/articles/aftercare/").content.decode()
    assert "Signed off by Sam Patel, Physiotherapist (registration number PH123456)" in page


def test_the_clinician_types_their_details_once(staff_client, make_article):
    sign_off(staff_client, make_article("one"))

    form = staff_client.get(f"/admin/articles/article/{make_article('two').pk}/sign-off/")

    assert form.context["form"]["name"].value() == "Sam Patel"
    assert form.context["form"]["profession"].value() == "Physiotherapist"
    assert form.context["form"]["registration"].value() == "PH123456"


def test_sign_off_needs_every_detail_and_the_confirmation(staff_client, make_article):
    article = make_article("aftercare")

    response = sign_off(staff_client, article, registration="", confirm="")

    assert response.context["form"].errors == {
        "registration": ["This field is required."],
        "confirm": ["Tick the box to confirm you have read the article."],
    }
    article.refresh_from_db()
    assert not article.is_signed_off


def test_only_staff_allowed_to_sign_off_can(client, make_article):
    article = make_article("aftercare")
    client.force_login(User.objects.create_user("intern", password="pw", is_staff=True))

    assert client.get(f"/admin/articles/article/{article.pk}/sign-off/").status_code == 403
    assert sign_off(client, article).status_code == 403
    article.refresh_from_db()
    assert not article.is_signed_off


def clinician(*codenames: str) -> User:
    user = User.objects.create_user("clinician", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_a_clinician_who_may_only_read_articles_and_sign_them_off_can_sign_off(
    client, make_article
):
    article = make_article("aftercare")
    client.force_login(clinician("view_article", "sign_off_article"))

    response = sign_off(client, article)

    assert response.redirect_chain == [(f"/admin/articles/article/{article.pk}/change/", 302)]
    article.refresh_from_db()
    assert article.signed_off_by == "Sam Patel"


def test_signing_off_needs_leave_to_read_the_article(client, make_article):
    article = make_article("aftercare")
    client.force_login(clinician("sign_off_article"))

    assert client.get(f"/admin/articles/article/{article.pk}/sign-off/").status_code == 403
    assert sign_off(client, article).status_code == 403
    article.refresh_from_db()
    assert not article.is_signed_off


def test_changing_the_text_in_the_admin_ends_the_sign_off_and_says_what_changed(
    staff_client, make_article, edit_in_admin, client
):
    article = make_article("aftercare", title="Aftercare", body="Old advice.")
    sign_off(staff_client, article)
    article.refresh_from_db()

    response = edit_in_admin(staff_client, article, follow=True, body="New advice.")

    article.refresh_from_db()
    assert not article.is_signed_off
    assert (
        "What patients read changed since Sam Patel signed it off, so the page no longer "
        "claims a clinical review. Ask a clinician to read it and sign it off again."
        in [str(m) for m in response.context["messages"]]
    )
    assert article.sign_off_ended.startswith("The text changed on ")
    assert article.sign_off_ended.endswith(", by editor.")
    change_page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content
    assert b"The sign-off no longer covers the page." in change_page
    assert "<del>− Old advice.</del>".encode() in change_page
    assert b"<ins>+ New advice.</ins>" in change_page
    assert_no_claim(client, "/articles/aftercare/")


def test_an_unchanged_export_and_reload_keeps_the_sign_off(
    make_article, give_sign_off, tmp_path, client
):
    give_sign_off(make_article("aftercare"), on=dt.date(2026, 3, 1))
    export_content(tmp_path / "out")
    Article.objects.all().delete()

    assert load_content(tmp_path / "out").counts() == "created 1, updated 0, unchanged 0, kept 0"
    assert Article.objects.signed_off().get().signed_off_on == dt.date(2026, 3, 1)
    assert load_content(tmp_path / "out").counts() == "created 0, updated 0, unchanged 1, kept 0"
    assert "Signed off by Sam Patel" in client.get("/articles/aftercare/").content.decode()


def test_a_half_given_sign_off_in_a_file_is_refused(write_article, content_dir):
    path = write_article("aftercare", signed_off_by="Sam Patel")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{path}: signed_off_by: A clinical sign-off needs the clinician's name, profession, "
        "registration number, the date and the checksum of the signed text, as export_content "
        "writes them: give all five, or none. A clinician signs off in the admin."
    ]


def assert_no_claim(client, address):
    html = client.get(address).content.decode()
    assert "Not yet reviewed by a clinician at this clinic." in html
    assert "Signed off by" not in html
    assert "lastReviewed" not in html and "reviewedBy" not in html


def assert_claim(client, address):
    html = client.get(address).content.decode()
    assert "Signed off by Sam Patel, Physiotherapist (registration number PH123456)" in html
    assert '"lastReviewed"' in html and '"reviewedBy"' in html


@pytest.fixture
def boxed(make_article, give_sign_off):
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.")
    return give_sign_off(make_article("aftercare", body="Advice.\n\n[[block:urgent-help]]"))


def test_editing_a_block_the_article_includes_ends_the_sign_off(staff_client, boxed, client):
    assert_claim(client, "/articles/aftercare/")
    block = Block.objects.get()

    staff_client.post(
        f"/admin/articles/block/{block.pk}/change/",
        {**started_from(block), "title": block.title, "name": block.name, "body": "Call 111.\r\n"},
    )

    boxed.refresh_from_db()
    assert not boxed.is_signed_off
    assert boxed.sign_off_ended.startswith("The block “urgent-help” changed on ")
    assert boxed.sign_off_ended.endswith(", by editor.")
    assert_no_claim(client, "/articles/aftercare/")
    assert list(Article.objects.needs_sign_off()) == [boxed]
    listing = staff_client.get("/admin/articles/article/?sign_off=ended")
    assert list(listing.context["cl"].result_list) == [boxed]
    assert "Needs clinical sign-off</strong> (changed since Sam Patel)" in listing.content.decode()


def test_a_new_picture_description_ends_the_sign_off(
    staff_client, make_article, give_sign_off, edit_in_admin, picture, client
):
    upload = SimpleUploadedFile("needle.png", picture())
    article = make_article("aftercare", image=upload, image_alt="A needle.")
    give_sign_off(article)

    edit_in_admin(staff_client, article, image_alt="A fine needle beside a coin.")

    article.refresh_from_db()
    assert article.sign_off_ended.startswith("The picture description changed on ")
    assert_no_claim(client, "/articles/aftercare/")


def test_an_action_that_leaves_the_text_alone_keeps_the_sign_off(staff_client, boxed, client):
    staff_client.post(
        "/admin/articles/article/",
        {"action": "mark_reviewed_today", "_selected_action": [boxed.pk]},
    )

    boxed.refresh_from_db()
    assert boxed.reviewed == TODAY
    assert_claim(client, "/articles/aftercare/")


def test_restoring_an_older_text_ends_the_sign_off_and_the_signed_one_brings_it_back(
    staff_client, make_article, edit_in_admin, client
):
    with reversion.create_revision():
        article = make_article("aftercare", body="First advice.")
    edit_in_admin(staff_client, article, body="Second advice.")
    article.refresh_from_db()
    sign_off(staff_client, article)
    first, second = reversed(
        [v for v in Version.objects.get_for_object(article) if "sign-off" not in v.revision.comment]
    )

    restore(staff_client, article, first)

    article.refresh_from_db()
    assert article.body == "First advice.\n"
    assert article.sign_off_ended.startswith("The text changed on ")
    assert "(Restored the version saved on " in article.sign_off_ended
    assert_no_claim(client, "/articles/aftercare/")

    restore(staff_client, article, second)

    article.refresh_from_db()
    assert article.is_signed_off
    assert_claim(client, "/articles/aftercare/")


def restore(client, article, version):
    address = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    initial = client.get(address).context["adminform"].form.initial
    response = client.post(
        address,
        {
            "title": initial["title"],
            "slug": initial["slug"],
            "summary": initial["summary"],
            "body": initial["body"],
            "status": initial["status"],
            "reviewed": initial["reviewed"].isoformat(),
            "review_due": initial["review_due"].isoformat(),
            "started_from": initial["started_from"],
        },
    )
    assert response.status_code == 302


def test_a_sign_off_page_left_open_while_a_block_changes_signs_nothing(staff_client, make_article):
    Block.objects.create(name="urgent-help", title="When to get help", body="Call 999.")
    article = make_article("aftercare", body="Advice.\n\n[[block:urgent-help]]")
    address = f"/admin/articles/article/{article.pk}/sign-off/"
    shown = staff_client.get(address).context["form"]["checksum"].value()
    block = Block.objects.get()
    block.body = "Call 111."
    block.save()

    response = staff_client.post(address, {**CLINICIAN, "checksum": shown})

    article.refresh_from_db()
    assert response.status_code == 200
    assert not article.is_signed_off and article.signed_off_on is None
    assert response.context["form"].non_field_errors() == [
        "The article changed while this page was open, so it was not signed off. Read it again "
        "as it is now (below), then tick the box and sign it off."
    ]
    assert ["Block “urgent-help”", "Call 111.\n"] in response.context["text"]
    assert "Call 111." in response.content.decode()
    again = response.context["form"]["checksum"].value()
    assert sign_off(staff_client, article, checksum=again).status_code == 200
    article.refresh_from_db()
    assert article.is_signed_off


def test_a_content_file_with_changed_text_loads_without_the_claim(
    make_article, give_sign_off, tmp_path, client
):
    give_sign_off(make_article("aftercare", body="Signed advice."))
    export_content(tmp_path)
    path = tmp_path / "aftercare.md"
    path.write_text(path.read_text().replace("Signed advice.", "Changed advice."))

    load_content(tmp_path, overwrite=True)

    article = Article.objects.get()
    assert article.body == "Changed advice.\n"
    assert article.signed_off_by == "Sam Patel"
    assert article.sign_off_ended.startswith("The text changed on ")
    assert "(Loaded from " in article.sign_off_ended
    assert_no_claim(client, "/articles/aftercare/")


def test_a_file_cannot_claim_a_sign_off_for_text_nobody_signed(write_article, content_dir, client):
    write_article(
        "aftercare",
        signed_off_by="Sam Patel",
        signed_off_profession="Physiotherapist",
        signed_off_registration="PH123456",
        signed_off_on=dt.date(2026, 3, 1),
        signed_off_checksum="0" * 64,
    )

    load_content(content_dir)

    assert not Article.objects.get().is_signed_off
    assert_no_claim(client, "/articles/aftercare/")


def test_load_content_says_which_sign_offs_no_longer_hold(make_article, give_sign_off, tmp_path):
    give_sign_off(make_article("aftercare", body="Signed advice."))
    give_sign_off(make_article("what-it-feels-like", body="Signed feelings."))
    export_content(tmp_path)
    path = tmp_path / "aftercare.md"
    path.write_text(path.read_text().replace("Signed advice.", "Changed advice."))
    out = io.StringIO()

    call_command("load_content", str(tmp_path), "--overwrite", stdout=out)

    lines = out.getvalue().splitlines()
    ended = [line for line in lines if line.startswith("sign-off no longer holds")]
    assert len(ended) == 1
    assert ended[0].startswith("sign-off no longer holds: aftercare: The text changed on ")
    assert ended[0].endswith(
        f"(Loaded from {path}). The page no longer claims a clinical review; a clinician can "
        "sign it off again in the admin."
    )
    assert Article.objects.get(slug="what-it-feels-like").is_signed_off


def test_a_sign_off_sent_without_the_text_it_showed_signs_nothing(staff_client, make_article):
    article = make_article("aftercare")

    response = staff_client.post(f"/admin/articles/article/{article.pk}/sign-off/", CLINICIAN)

    article.refresh_from_db()
    assert response.status_code == 200
    assert "The page was sent without the text it showed." in response.content.decode()
    assert article.signed_off_on is None
