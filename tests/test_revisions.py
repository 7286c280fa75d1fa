"""Staff never lose an edit: every save is a version that can be compared and restored."""

import pytest
from reversion.models import Version

from articles.models import Article

from .test_admin_workflow import article_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_twice(staff_client):
    staff_client.post("/admin/articles/article/add/", article_form(body="First words.\nSame line."))
    article = Article.objects.get()
    for body in ["Second words.\nSame line.", "Third words.\nSame line."]:
        staff_client.post(f"/admin/articles/article/{article.pk}/change/", article_form(body=body))
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
        article_form(body=form.context["adminform"].form.initial["body"]),
    )

    edited_twice.refresh_from_db()
    assert edited_twice.body == "First words.\nSame line.\n"
    assert edited_twice.body_html == "<p>First words.\nSame line.</p>"
    assert Version.objects.get_for_object(edited_twice).count() == 4


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
