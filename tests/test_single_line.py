"""A line break in a one-line field is refused at every door, and one email that cannot be sent
never stops the others."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from articles.importers import ContentError, load_content
from articles.models import Article, ClinicDetails

pytestmark = pytest.mark.django_db
ONE_LINE = (
    "Keep this on one line: it appears in page titles and email subjects, where a line break "
    "does not belong."
)


def test_a_title_with_a_line_break_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Aftercare\nBcc: someone@example.org",
            "slug": "aftercare",
            "summary": "What to do.",
            "body": "Rest.",
            "status": "draft",
            "reviewed": "2026-01-15",
        },
    )

    assert response.context["adminform"].form.errors["title"] == [ONE_LINE]
    assert Article.objects.count() == 0


def test_a_title_with_a_line_break_is_refused_in_a_content_file(write_article, content_dir):
    path = write_article("aftercare", title="Aftercare\nand more")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [f"{path}: title: {ONE_LINE}"]


def test_a_clinic_name_with_a_line_break_is_refused(admin_client):
    response = admin_client.post(
        "/admin/articles/clinicdetails/add/",
        {
            "name": "Riverside\nPhysio",
            "phone": "01234 567890",
            "address": "1 High Street\nTown",
            "opening_hours": "Mon-Fri",
        },
    )

    assert response.context["adminform"].form.errors == {"name": [ONE_LINE]}
    assert not ClinicDetails.objects.exists()


def test_names_saved_before_the_rule_still_give_one_line_subjects(client, make_article):
    ClinicDetails(name="Riverside\nPhysio").save()

    response = client.post("/subscribe/", {"email": "r@example.org", "consent": "on"})

    assert response.status_code == 302
    assert mail.outbox[0].subject == "Please confirm your subscription | Riverside Physio"


def test_one_update_email_that_cannot_be_built_does_not_stop_the_others(
    make_subscriber, make_article, monkeypatch
):
    from articles import emails

    for name in ("a", "b", "c"):
        make_subscriber(f"{name}@example.org", "confirmed")
    make_article("aftercare")
    real = emails.new_articles

    def broken_for_b(subscriber, articles):
        if subscriber.email == "b@example.org":
            raise ValueError("Header values can't contain newlines")
        return real(subscriber, articles)

    monkeypatch.setattr(emails, "new_articles", broken_for_b)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("send_updates", stdout=out, stderr=io.StringIO())

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]
