"""The clinical sign-off: one step in the admin by a named clinician, and honest pages."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from reversion.models import Version

from articles.importers import ContentError, load_content
from articles.models import Article, default_review_due

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLINICIAN = {
    "name": "Sam Patel",
    "profession": "Physiotherapist",
    "registration": "PH123456",
    "confirm": "on",
}


def sign_off(client, article, **changes):
    return client.post(
        f"/admin/articles/article/{article.pk}/sign-off/", {**CLINICIAN, **changes}, follow=True
    )


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

    assert form.context["form"].initial == {
        "name": "Sam Patel",
        "profession": "Physiotherapist",
        "registration": "PH123456",
    }


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


def test_changing_the_text_in_the_admin_removes_the_sign_off(
    staff_client, make_article, edit_in_admin
):
    article = make_article("aftercare", title="Aftercare", status="draft")
    sign_off(staff_client, article)
    article.refresh_from_db()

    response = edit_in_admin(staff_client, article, follow=True, body="New advice.")

    article.refresh_from_db()
    assert not article.is_signed_off
    assert (
        "The text changed, so its clinical sign-off was removed. Ask a clinician to read it and "
        "sign it off again." in [str(m) for m in response.context["messages"]]
    )


def test_a_content_file_carries_a_sign_off_and_it_round_trips(write_article, content_dir):
    write_article(
        "aftercare",
        signed_off_by="Sam Patel",
        signed_off_profession="Physiotherapist",
        signed_off_registration="PH123456",
        signed_off_on=dt.date(2026, 3, 1),
    )

    assert load_content(content_dir).counts() == "created 1, updated 0, unchanged 0, kept 0"
    assert Article.objects.get().signed_off_on == dt.date(2026, 3, 1)
    assert load_content(content_dir).counts() == "created 0, updated 0, unchanged 1, kept 0"


def test_a_half_given_sign_off_in_a_file_is_refused(write_article, content_dir):
    path = write_article("aftercare", signed_off_by="Sam Patel")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{path}: signed_off_by: A clinical sign-off needs the clinician's name, profession, "
        "registration number and the date: give all four, or none."
    ]
