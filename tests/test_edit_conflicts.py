"""Two members of staff edit the same thing: a save made from a form opened before someone
else's save is refused, says who changed it and when, shows the difference, and keeps what was
typed in the form; nothing is overwritten without anyone noticing."""

from html.parser import HTMLParser

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.editconflicts import version_of
from articles.importers import load_content
from articles.models import Article, Block, ClinicDetails, Reference, Risk
from tests.browserform import BrowserForm

pytestmark = pytest.mark.django_db


def opened(client: Client, address: str) -> BrowserForm:
    page = client.get(address)
    assert page.status_code == 200
    return BrowserForm(page.content.decode())


def editor(name: str) -> Client:
    user = User.objects.create_user(name, password="a-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinic editor"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def asha():
    return editor("asha")


@pytest.fixture
def ben():
    return editor("ben")


@pytest.fixture
def article(make_article) -> Article:
    return make_article("aftercare", title="Aftercare", body="Rest for a day.\nDrink water.\n")


class Text(HTMLParser):
    def __init__(self, markup: str):
        super().__init__()
        self.parts: list[str] = []
        self.feed(markup)

    def handle_data(self, data):
        self.parts.append(data)


def conflict_message(response) -> str:
    """The refusal at the top of the form, as the words a person reads."""
    errors = response.context["adminform"].form.non_field_errors()
    return " ".join("".join(Text(str(errors)).parts).split())


def test_a_save_from_a_form_opened_before_another_save_is_refused_and_keeps_both(
    asha, ben, article
):
    address = f"/admin/articles/article/{article.pk}/change/"
    asha_form = opened(asha, address)
    ben_form = opened(ben, address)

    saved = asha.post(address, asha_form.post_data(body="Rest for a day.\nDrink water.\nWalk."))
    refused = ben.post(address, ben_form.post_data(body="Rest for two days.\nDrink water.\n"))

    assert saved.status_code == 302
    assert refused.status_code == 200
    article.refresh_from_db()
    assert article.body == "Rest for a day.\nDrink water.\nWalk.\n"
    # Asha's save as its version in the History and in the admin's log (a minute may turn
    # between the two).
    saved_at = [
        timezone.localtime(Version.objects.get_for_object(article).first().revision.date_created),
        timezone.localtime(LogEntry.objects.get(user__username="asha").action_time),
    ]
    page = refused.content.decode()
    assert page.count('<p class="errornote">') == 1
    assert conflict_message(refused) in {
        f"asha saved a change to this article at {at:%H:%M} on {at:%-d %B %Y}, after you "
        "opened it, so your changes have not been saved. Nothing has been overwritten: their "
        "version is the one saved now, and your text is still in the form below. What differs "
        "between their saved version and yours is shown here, part by part. Lines marked − are "
        "in their saved version only; lines marked + are in yours only. Put the two together "
        "in the form, then save again. Body − Rest for a day. + Rest for two days. Drink "
        "water. − Walk."
        for at in saved_at
    }
    assert (
        '<pre class="diff"><del>− Rest for a day.</del>\n'
        "<ins>+ Rest for two days.</ins>\n"
        "  Drink water.\n"
        "<del>− Walk.</del>\n</pre>"
    ) in page
    shown_again = BrowserForm(page)
    assert shown_again.post_data()["body"] == "Rest for two days.\r\nDrink water.\r\n"
    assert shown_again.data["started_from"] == [version_of(article)]

    merged = ben.post(
        address, shown_again.post_data(body="Rest for two days.\nDrink water.\nWalk.")
    )

    assert merged.status_code == 302
    article.refresh_from_db()
    assert article.body == "Rest for two days.\nDrink water.\nWalk.\n"


def test_a_long_text_shows_each_difference_with_two_lines_either_side(asha, ben, make_article):
    lines = [f"Line {number}." for number in range(1, 21)]
    article = make_article("long", body="\n".join(lines))
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    asha.post(
        address, opened(asha, address).post_data(body="\n".join(["Line 1, Asha.", *lines[1:]]))
    )

    refused = ben.post(
        address, ben_form.post_data(body="\n".join([*lines[:12], "Ben.", *lines[13:]]))
    )

    assert (
        '<pre class="diff"><del>− Line 1, Asha.</del>\n'
        "<ins>+ Line 1.</ins>\n"
        "  Line 2.\n"
        "  Line 3.\n"
        "  … 7 lines the same …\n"
        "  Line 11.\n"
        "  Line 12.\n"
        "<del>− Line 13.</del>\n"
        "<ins>+ Ben.</ins>\n"
        "  Line 14.\n"
        "  Line 15.\n"
        "  … 5 lines the same …\n"
        "</pre>"
    ) in refused.content.decode()


def test_save_and_continue_is_refused_the_same_way(asha, ben, article):
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    asha.post(address, opened(asha, address).post_data(title="Aftercare at home"))

    refused = ben.post(address, {**ben_form.post_data(summary="New."), "_continue": "Save"})

    assert refused.status_code == 200
    assert "so your changes have not been saved" in conflict_message(refused)
    article.refresh_from_db()
    assert (article.title, article.summary) == ("Aftercare at home", "A summary.")


def test_the_difference_is_shown_as_text_never_as_markup(asha, ben, article):
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    asha.post(address, opened(asha, address).post_data(body="<b>theirs</b> & more"))

    refused = ben.post(address, ben_form.post_data(body='<img src=x onerror="alert(1)">'))

    page = refused.content.decode()
    assert "<del>− &lt;b&gt;theirs&lt;/b&gt; &amp; more</del>" in page
    assert "<ins>+ &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</ins>" in page
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    ("kind", "make", "field", "theirs", "yours", "also"),
    [
        (
            "block",
            lambda: Block.objects.create(name="urgent-help", title="Urgent help", body="Call 999."),
            "body",
            "Call 999 now.",
            "Call 999 at once.",
            {},
        ),
        (
            "reference",
            lambda: Reference.objects.create(key="gattie2017", title="A review"),
            "title",
            "A systematic review",
            "A review of trials",
            {},
        ),
        (
            "risk",
            lambda: Risk.objects.create(
                key="bruising",
                event="a bruise",
                count=8,
                total=100,
                source=Reference.objects.create(key="gattie2017", title="A review"),
            ),
            "count",
            "9",
            "7",
            {},
        ),
        (
            "clinicdetails",
            lambda: ClinicDetails.objects.create(name="Riverside Physio", phone="01234 567 890"),
            "address",
            "1 High St\nRiverside",
            "2 High St\nRiverside",
            {},
        ),
    ],
)
def test_blocks_sources_risks_and_clinic_details_refuse_a_stale_save_too(
    asha, ben, kind, make, field, theirs, yours, also
):
    row = make()
    address = f"/admin/articles/{kind}/{row.pk}/change/"
    ben_form = opened(ben, address)
    asha_form = opened(asha, address)
    assert asha.post(address, asha_form.post_data(**{field: theirs}, **also)).status_code == 302

    refused = ben.post(address, ben_form.post_data(**{field: yours}, **also))

    row.refresh_from_db()
    assert refused.status_code == 200
    what = "these clinic details" if kind == "clinicdetails" else f"this {kind}"
    assert conflict_message(refused).startswith(f"asha saved a change to {what} at ")
    assert str(getattr(row, field)).strip() == theirs
    shown_again = BrowserForm(refused.content.decode())
    sent_back = shown_again.post_data()
    assert sent_back[field].replace("\r\n", "\n").strip() == yours
    assert ben.post(address, sent_back).status_code == 302
    row.refresh_from_db()
    assert str(getattr(row, field)).strip() == yours


def test_a_form_sent_without_its_version_changes_nothing(staff_client, article):
    address = f"/admin/articles/article/{article.pk}/change/"
    data = opened(staff_client, address).post_data(title="Changed")
    del data["started_from"]

    refused = staff_client.post(address, data)

    assert conflict_message(refused).startswith(
        "This article may have been changed since this page was opened, so your changes have "
        "not been saved."
    )
    article.refresh_from_db()
    assert article.title == "Aftercare"


def test_a_stale_form_that_sends_what_is_saved_anyway_saves(asha, ben, article):
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    asha.post(address, opened(asha, address).post_data(title="Aftercare at home"))

    response = ben.post(address, ben_form.post_data(title="Aftercare at home"))

    assert response.status_code == 302


def test_a_change_made_by_an_action_or_a_content_load_is_named(
    ben, staff_client, article, write_article, content_dir
):
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    staff_client.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [article.pk], "index": "0"},
    )

    refused = ben.post(address, ben_form.post_data(title="Aftercare, edited"))

    assert conflict_message(refused).startswith("editor saved a change to this article at ")
    assert "<h2>Status</h2>" in refused.content.decode()

    write_article("loaded", body="From the file.\n")
    load_content(content_dir)
    loaded = Article.objects.get(slug="loaded")
    address = f"/admin/articles/article/{loaded.pk}/change/"
    ben_form = opened(ben, address)
    write_article("loaded", body="From the file, changed.\n")
    load_content(content_dir)

    refused = ben.post(address, ben_form.post_data(body="Typed by Ben."))

    assert "Someone saved a change to this article at " in conflict_message(refused)
    assert f"(Loaded from {content_dir / 'loaded.md'}), after you opened it" in (
        conflict_message(refused)
    )


def test_a_sign_off_moves_the_version_of_the_form(ben, article, give_sign_off):
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    give_sign_off(article)

    refused = ben.post(address, ben_form.post_data(body="Typed by Ben."))

    assert refused.status_code == 200
    assert "<h2>Review due</h2>" in refused.content.decode()


def test_a_page_rendered_again_for_a_block_does_not_move_the_version(ben, make_article):
    Block.objects.create(name="urgent-help", title="Urgent help", body="Call 999.")
    article = make_article("aftercare", body="Rest.\n\n[[block:urgent-help]]\n")
    address = f"/admin/articles/article/{article.pk}/change/"
    ben_form = opened(ben, address)
    block = Block.objects.get()
    block.body = "Call 999 now."
    block.full_clean()
    block.save()

    assert ben.post(address, ben_form.post_data(summary="Edited.")).status_code == 302


def test_a_restore_opened_before_another_save_is_refused(asha, ben, article):
    with reversion.create_revision():
        article.save()
    old = Version.objects.get_for_object(article).get()
    address = f"/admin/articles/article/{article.pk}/change/"
    asha.post(address, opened(asha, address).post_data(body="Second words."))
    restore = f"/admin/articles/article/{article.pk}/history/{old.pk}/"
    ben_restore = opened(ben, restore)
    asha.post(address, opened(asha, address).post_data(body="Third words."))

    refused = ben.post(restore, ben_restore.post_data())

    assert refused.status_code == 200
    assert conflict_message(refused).startswith("asha saved a change to this article at ")
    page = refused.content.decode()
    assert "<del>− Third words.</del>\n<ins>+ Rest for a day.</ins>" in page
    article.refresh_from_db()
    assert article.body == "Third words.\n"

    restored = ben.post(restore, BrowserForm(page).post_data())

    assert restored.status_code == 302
    article.refresh_from_db()
    assert article.body == "Rest for a day.\nDrink water.\n"


def test_a_deleted_article_is_recovered_as_new(staff_client, article):
    with reversion.create_revision():
        article.save()
    article.delete()
    deleted = Version.objects.get_deleted(Article).get()
    address = f"/admin/articles/article/recover/{deleted.pk}/"

    response = staff_client.post(address, opened(staff_client, address).post_data())

    assert response.status_code == 302
    assert Article.objects.get().title == "Aftercare"


def test_a_new_article_has_no_version_to_conflict_with(staff_client):
    form = opened(staff_client, "/admin/articles/article/add/")

    assert "started_from" not in form.data
    response = staff_client.post(
        "/admin/articles/article/add/",
        form.post_data(
            title="New",
            slug="new",
            summary="New words.",
            body="Words.",
            reviewed="2026-01-15",
        ),
    )
    assert response.status_code == 302


def test_someone_who_may_only_look_is_shown_no_version(client, article):
    user = User.objects.create_user("viewer", password="a-long-password-1", is_staff=True)
    user.user_permissions.set(
        [
            p
            for p in Group.objects.get(name="Clinic editor").permissions.all()
            if "view" in p.codename
        ]
    )
    client.force_login(user)

    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    assert "started_from" not in page
    assert "Started from" not in page


@pytest.mark.parametrize("kind", ["article", "block", "reference", "risk", "clinicdetails"])
def test_the_forms_that_keep_drafts_load_the_script_and_no_other_does(staff_client, kind):
    page = staff_client.get(f"/admin/articles/{kind}/add/").content.decode()

    assert '<script src="/static/articles/drafts.js"></script>' in page


def test_no_subscriber_page_loads_the_drafts_script(staff_client, make_subscriber):
    subscriber = make_subscriber()
    for address in (
        "/admin/articles/subscriber/",
        f"/admin/articles/subscriber/{subscriber.pk}/change/",
    ):
        assert "drafts.js" not in staff_client.get(address).content.decode()
