"""Staff answer a person's request about their data: find, download, delete, each logged
without the address."""

import logging

import pytest
from django.contrib.admin.models import LogEntry

from articles.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db


def test_staff_find_download_and_delete_without_the_address_in_any_log(
    staff_client, make_subscriber, make_article, caplog
):
    person = make_subscriber("jo.bloggs@example.org", "confirmed")
    Delivery.objects.create(subscriber=person, article=make_article("aftercare", title="Aftercare"))
    caplog.set_level(logging.INFO)

    found = staff_client.get("/admin/articles/subscriber/", {"q": "jo.bloggs@example.org"})
    page = staff_client.get(f"/admin/articles/subscriber/{person.pk}/change/")
    download = staff_client.get(f"/admin/articles/subscriber/{person.pk}/data/")
    staff_client.post(f"/admin/articles/subscriber/{person.pk}/delete/", {"post": "yes"})

    assert [s.pk for s in found.context["cl"].result_list] == [person.pk]
    assert "Download the data held about them" in page.content.decode()
    text = download.content.decode()
    assert download["Content-Disposition"] == f'attachment; filename="subscriber-{person.pk}.txt"'
    assert "Email address: jo.bloggs@example.org" in text
    assert "Status: Subscribed" in text
    assert "- Wording agreed to: version 2026-11" in text
    assert "- Aftercare: not sent yet" in text
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()
    logged = [entry.object_repr + entry.change_message for entry in LogEntry.objects.all()]
    assert len(logged) == 2
    assert not any("jo.bloggs" in line for line in logged + caplog.messages)
    assert any("searched the subscribers" in message for message in caplog.messages)


def test_the_list_shows_emails_that_failed(staff_client, make_subscriber, make_article):
    stuck = make_subscriber("stuck@example.org", confirmation_sent_at=None)
    failed = make_subscriber("failed@example.org", "confirmed")
    Delivery.objects.create(subscriber=failed, article=make_article("x"), attempts=1)
    make_subscriber("fine@example.org", "confirmed")

    confirmation = staff_client.get("/admin/articles/subscriber/", {"failed": "confirmation"})
    update = staff_client.get("/admin/articles/subscriber/", {"failed": "update"})

    assert [s.pk for s in confirmation.context["cl"].result_list] == [stuck.pk]
    assert [s.pk for s in update.context["cl"].result_list] == [failed.pk]
