"""Staff never lose an edit: every save is a version that can be compared and restored."""

import pytest
import reversion
from reversion.models import Version

from articles.models import Article, Block, SearchPage

from .conftest import started_from
from .test_admin_workflow import article_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_twice(staff_client):
    staff_client.post("/admin/articles/article/add/", article_form(body="First words.\nSame line."))
    article = Article.objects.get()
    for body in ["Second words.\nSame line.", "Third words.\nSame line."]:
        staff_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            article_form(body=body, **started_from(article)),
        )
    return article


def test_every_save_is_kept_in_the_history(staff_client, edited_twice):
    versions = Version.objects.get_for_object(edited_twice)

    history = staff_client.get(f"/admin/articles/article/{edited_twice.pk}/history/")

    assert [v.field_dict["body"] for v in versions] == [
        "Third words.\nSame line.\n",
        "Second words.\nSame line.\n",
        "First words.\nSame line.\n",
    ]
    assert history.status_code == 200
    assert "<h2>Compare two versions</h2>" in history.content.decode()


def test_two_versions_can_be_compared(staff_client, edited_twice):
    newest, _, oldest = Version.objects.get_for_object(edited_twice)

    response = staff_client.get(
        f"/admin/articles/article/{edited_twice.pk}/history/compare/",
        {"from": newest.pk, "to": oldest.pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert [c.label for c in response.context["changes"]] == ["body"]
    assert "<del>− First words.</del>" in html
    assert "<ins>+ Third words.</ins>" in html
    assert "  Same line." in html


def test_an_old_version_can_be_restored(staff_client, edited_twice):
    oldest = Version.objects.get_for_object(edited_twice).last()

    form = staff_client.get(f"/admin/articles/article/{edited_twice.pk}/history/{oldest.pk}/")
    assert form.context["adminform"].form.initial["body"] == "First words.\nSame line.\n"
    staff_client.post(
        f"/admin/articles/article/{edited_twice.pk}/history/{oldest.pk}/",
        article_form(
            body=form.context["adminform"].form.initial["body"],
            started_from=form.context["adminform"].form.initial["started_from"],
        ),
    )

    edited_twice.refresh_from_db()
    assert edited_twice.body == "First words.\nSame line.\n"
    assert edited_twice.body_html == "<p>First words.\nSame line.</p>"
    assert Version.objects.get_for_object(edited_twice).count() == 4
    # What search reads follows the restore, as it follows any save.
    assert SearchPage.objects.get(article=edited_twice).text == "First words. Same line."


def test_a_deleted_article_can_be_recovered(staff_client, edited_twice):
    staff_client.post(f"/admin/articles/article/{edited_twice.pk}/delete/", {"post": "yes"})
    assert Article.objects.count() == 0

    recover_list = staff_client.get("/admin/articles/article/recover/")
    deleted = Version.objects.get_deleted(Article).get()
    staff_client.post(
        f"/admin/articles/article/recover/{deleted.pk}/",
        article_form(body="Third words.\nSame line."),
    )

    assert "Pain after needling" in recover_list.content.decode()
    recovered = Article.objects.get()
    assert recovered.title == "Pain after needling"
    assert recovered.body == "Third words.\nSame line.\n"
    assert SearchPage.objects.get(article=recovered).text == "Third words. Same line."


@pytest.mark.parametrize(
    "query",
    [
        "from=abc&to=1",
        "from=1&to=",
        "from=99999&to=99998",
        "",
        "from=1.5&to=2",
    ],
)
def test_a_compare_address_staff_mistyped_is_a_404_not_a_server_error(
    staff_client, edited_twice, query
):
    assert (
        staff_client.get(
            f"/admin/articles/article/{edited_twice.pk}/history/compare/?{query}"
        ).status_code
        == 404
    )


def test_a_compare_address_for_no_article_is_a_404(staff_client):
    assert staff_client.get("/admin/articles/article/abc/history/compare/").status_code == 404
    assert (
        staff_client.get("/admin/articles/article/999/history/compare/?from=1&to=2").status_code
        == 404
    )


def test_each_load_keeps_one_whole_version_of_each_article_it_wrote(write_article, content_dir):
    from articles.importers import load_content

    write_article("one", tags=["neck pain"])
    load_content(content_dir)
    write_article("one", tags=["neck pain", "back pain"], body="Second words.\n")
    load_content(content_dir)

    article = Article.objects.get(slug="one")
    newest, oldest = Version.objects.get_for_object(article)
    tags = {tag.pk: tag.name for tag in article.tags.all()}
    assert newest.revision.comment.startswith("Loaded from ")
    assert sorted(tags[pk] for pk in newest.field_dict["tags"]) == ["back pain", "neck pain"]
    assert newest.field_dict["body"] == "Second words.\n"
    assert len(oldest.field_dict["tags"]) == 1


@pytest.fixture
def saved_together(make_article):
    """Two articles and a block stored in one revision, as a whole-folder load once stored them;
    then each changed on its own."""
    from articles.models import Block

    first = make_article("first", body="First, as loaded.")
    second = make_article("second", body="Second, as loaded.")
    block = Block.objects.create(name="box", title="A box", body="Boxed, as loaded.")
    with reversion.create_revision():
        reversion.set_comment("Loaded from content")
        for row in (first, second, block):
            reversion.add_to_revision(row)
    for row, body in ((first, "First, edited."), (second, "Second, corrected."), (block, "Fixed.")):
        with reversion.create_revision():
            row.body = body
            row.save()
    return first, second, block


def loaded_version(row):
    return Version.objects.get_for_object(row).get(revision__comment="Loaded from content")


def test_restoring_one_article_from_a_shared_revision_changes_that_article_only(
    staff_client, saved_together, client
):
    first, second, block = saved_together
    address = f"/admin/articles/article/{first.pk}/history/{loaded_version(first).pk}/"

    shown = staff_client.get(address)
    response = staff_client.post(address, article_form(**restored_form(shown)))

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    block.refresh_from_db()
    assert first.body == "First, as loaded.\n"
    assert first.body_html == "<p>First, as loaded.</p>"
    assert second.body == "Second, corrected.\n"
    assert block.body == "Fixed.\n"
    assert "First, as loaded." in client.get("/articles/first/").content.decode()
    newest = Version.objects.get_for_object(first).first()
    assert newest.revision.comment.startswith("Restored the version saved on ")
    assert newest.revision.version_set.count() == 1


def test_showing_a_version_changes_nothing(staff_client, saved_together):
    first, _, _ = saved_together

    shown = staff_client.get(
        f"/admin/articles/article/{first.pk}/history/{loaded_version(first).pk}/"
    )

    first.refresh_from_db()
    assert shown.context["adminform"].form.initial["body"] == "First, as loaded.\n"
    assert first.body == "First, edited.\n"


@pytest.mark.parametrize("other", ["second", "block"])
def test_a_version_of_another_object_is_a_404_in_an_articles_history(
    staff_client, saved_together, other
):
    first, second, block = saved_together
    version = loaded_version(second if other == "second" else block)

    for method in (staff_client.get, staff_client.post):
        response = method(f"/admin/articles/article/{first.pk}/history/{version.pk}/")
        assert response.status_code == 404
    # A block's version under the article's own id is still not the article's.
    block_as_article = f"/admin/articles/article/{block.pk}/history/{loaded_version(block).pk}/"
    assert staff_client.post(block_as_article, article_form()).status_code == 404
    block.refresh_from_db()
    second.refresh_from_db()
    assert (block.body, second.body) == ("Fixed.\n", "Second, corrected.\n")


def test_recover_accepts_only_a_deleted_object_of_its_own_kind(staff_client, saved_together):
    first, _, block = saved_together
    staff_client.post(f"/admin/articles/block/{block.pk}/delete/", {"post": "yes"})
    deleted_block = Version.objects.get_deleted(Block).get()
    live_article = Version.objects.get_for_object(first).first()

    assert (
        staff_client.get(f"/admin/articles/article/recover/{deleted_block.pk}/").status_code == 404
    )
    assert (
        staff_client.get(f"/admin/articles/article/recover/{live_article.pk}/").status_code == 404
    )
    assert staff_client.get(f"/admin/articles/block/recover/{deleted_block.pk}/").status_code == 200


def test_a_restore_meets_the_rules_of_a_save(staff_client, make_article):
    """A version naming a block that has since gone cannot be published again."""
    block = Block.objects.create(name="gone-soon", title="Gone soon", body="Soon gone.")
    article = make_article("uses-it", body="Words.\n\n[[block:gone-soon]]")
    with reversion.create_revision():
        article.save()
    old = Version.objects.get_for_object(article).get()
    with reversion.create_revision():
        article.body = "Words only."
        article.save()
    block.delete()
    address = f"/admin/articles/article/{article.pk}/history/{old.pk}/"

    response = staff_client.post(address, article_form(**restored_form(staff_client.get(address))))

    article.refresh_from_db()
    assert response.status_code == 200
    assert "There is no block called 'gone-soon'" in " ".join(
        response.context["adminform"].form.errors["body"]
    )
    assert article.body == "Words only.\n"


def restored_form(shown) -> dict:
    """The restore form's values, as a browser would send them back unchanged."""
    initial = shown.context["adminform"].form.initial
    return {
        "title": initial["title"],
        "slug": initial["slug"],
        "summary": initial["summary"],
        "body": initial["body"].replace("\n", "\r\n"),
        "status": initial["status"],
        "reviewed": initial["reviewed"].isoformat(),
        "review_due": initial["review_due"].isoformat(),
        "reviewer": initial["reviewer"],
        "started_from": initial["started_from"],
    }
