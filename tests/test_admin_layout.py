"""The admin fits a 1280 px screen and reads cleanly: wide title and summary boxes, an article
list without sideways scrolling, the one set of clinic details opened directly, and times
written "2 Dec 2026, 16:59". (tests/e2e/test_admin_fit.py measures them in a browser.)"""

import datetime as dt
import re
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.contrib.auth.models import Permission, User
from reversion.models import Revision, Version

from articles.models import Article, ClinicDetails

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "static/css/admin-articles.css"


def test_title_and_summary_boxes_are_48em_wide(staff_client, make_article):
    article = make_article("aftercare")

    page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    css = STYLESHEET.read_text()

    assert '<link href="/static/css/admin-articles.css" media="all" rel="stylesheet">' in page
    assert re.search(r'<input type="text" name="title"[^>]*class="vTextField"', page)
    assert re.search(r'<input type="text" name="summary"[^>]*class="vTextField"', page)
    assert (
        ".form-row.field-title input.vTextField,\n"
        ".form-row.field-summary input.vTextField { width: 48em;"
    ) in css


def test_article_list_has_six_columns_with_short_headers(staff_client, make_article):
    make_article("old", title="Old", reviewed=dt.date(2024, 1, 1), review_due=dt.date(2025, 1, 1))
    make_article("fresh", title="Fresh", reviewed=dt.date(2026, 11, 2))

    response = staff_client.get("/admin/articles/article/")
    page = response.content.decode()
    headers = [h["text"] for h in response.context["result_headers"]]

    assert headers[1:] == [
        "title",
        "status and sign-off",
        "helpful (last 90 days)",
        "sources checked, review due",
        "reading grade",
        "updated",
    ]
    assert (
        '<td class="field-status_shown">Published<br><span class="sign-off">'
        '<strong class="needs-sign-off">Needs clinical sign-off</strong></span></td>'
    ) in page
    assert (
        '<td class="field-review_shown"><span class="nowrap">1 Jan 2024</span><br>'
        '<strong class="overdue">Overdue since 1 Jan 2025</strong></td>'
    ) in page
    assert (
        '<td class="field-review_shown"><span class="nowrap">2 Nov 2026</span><br>'
        'due <span class="nowrap">2 Nov 2027</span></td>'
    ) in page
    assert "#changelist #result_list thead th { white-space: normal; }" in STYLESHEET.read_text()


def test_clinic_details_open_their_one_form(admin_client):
    details = ClinicDetails.objects.create(name="Riverside Physio")

    response = admin_client.get("/admin/articles/clinicdetails/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/articles/clinicdetails/{details.pk}/change/"


def test_clinic_details_are_made_with_their_placeholders_when_there_are_none(staff_client):
    response = staff_client.get("/admin/articles/clinicdetails/", follow=True)

    assert response.redirect_chain == [("/admin/articles/clinicdetails/1/change/", 302)]
    assert response.context["original"].name == "[Clinic name]"
    assert ClinicDetails.objects.count() == 1


def test_someone_who_may_only_look_is_shown_the_empty_list_and_nothing_is_made(client):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_clinicdetails"))
    client.force_login(viewer)

    response = client.get("/admin/articles/clinicdetails/")

    assert response.status_code == 200
    assert "0 clinic details" in response.content.decode()
    assert not ClinicDetails.objects.exists()


@pytest.fixture
def two_versions(make_article):
    article = make_article("aftercare", title="Aftercare")
    for title, saved in (
        ("Aftercare", dt.datetime(2026, 12, 2, 4, 59, tzinfo=dt.UTC)),
        ("Aftercare, revised", dt.datetime(2026, 12, 2, 16, 59, tzinfo=dt.UTC)),
    ):
        with reversion.create_revision():
            article.title = title
            article.save()
        saved_in = Version.objects.get_for_object(article).first().revision_id
        Revision.objects.filter(pk=saved_in).update(date_created=saved)
    return article


def test_history_and_compare_write_times_on_a_24_hour_clock(staff_client, two_versions):
    versions = list(Version.objects.get_for_object(two_versions))
    base = f"/admin/articles/article/{two_versions.pk}/history/"

    history = staff_client.get(base).content.decode()
    compare = staff_client.get(
        f"{base}compare/", {"from": versions[1].pk, "to": versions[0].pk}
    ).content.decode()

    assert f'<a href="{base}{versions[0].pk}/">2 Dec 2026, 16:59</a>' in history
    assert f'<option value="{versions[1].pk}" selected>2 Dec 2026, 04:59</option>' in history
    assert (
        "From <strong>2 Dec 2026, 04:59</strong> to <strong>2 Dec 2026, 16:59</strong>. " in compare
    )
    assert not re.search(r"[ap]\.m\.", history + compare)


def test_the_compare_form_starts_below_the_list_of_versions():
    css = (Path(settings.BASE_DIR) / "static/css/admin-history.css").read_text()

    assert ".compare-versions { clear: both;" in css


def test_a_restore_names_the_version_by_its_24_hour_time(staff_client, two_versions):
    from .conftest import article_form

    older = list(Version.objects.get_for_object(two_versions))[1]
    staff_client.post(
        f"/admin/articles/article/{two_versions.pk}/history/{older.pk}/",
        article_form(two_versions, title="Aftercare"),
    )

    newest = Version.objects.get_for_object(two_versions).first().revision
    assert Article.objects.get().title == "Aftercare"
    assert newest.get_comment() == "Restored the version saved on 2 Dec 2026, 04:59"
