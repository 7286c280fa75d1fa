"""The admin as clinic staff use it."""

import csv
import re
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import ClinicDetails, Subscriber

pytestmark = pytest.mark.django_db


def test_staff_set_clinic_details_and_every_page_shows_them_at_once(
    admin_client, client, make_article
):
    make_article("aftercare")
    assert "Contact [Clinic name]" in client.get("/articles/aftercare/").content.decode()

    response = admin_client.post(
        "/admin/articles/clinicdetails/add/",
        {
            "name": "Riverside Physio",
            "phone": "01234 567 890",
            "email": "",
            "address": "1 High Street\nTown",
            "opening_hours": "Mon-Fri 8am-6pm",
            "booking_url": "https://book.example.org/",
        },
    )

    assert response.status_code == 302
    html = client.get("/articles/aftercare/").content.decode()
    assert "Contact Riverside Physio" in html
    assert "1 High Street<br>Town" in html


def test_there_is_only_ever_one_set_of_clinic_details(admin_client):
    ClinicDetails().save()

    assert admin_client.get("/admin/articles/clinicdetails/add/").status_code == 403
    assert admin_client.post("/admin/articles/clinicdetails/1/delete/").status_code == 403
    assert ClinicDetails.objects.count() == 1


def test_bad_booking_address_is_refused_next_to_the_field(admin_client):
    response = admin_client.post(
        "/admin/articles/clinicdetails/add/",
        {
            "name": "X",
            "phone": "1",
            "address": "A",
            "opening_hours": "B",
            "booking_url": "javascript:alert(1)",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"booking_url": ["Enter a valid URL."]}
    assert not ClinicDetails.objects.exists()


@pytest.fixture
def make_subscribers(make_subscriber):
    def make(count: int, **fields) -> None:
        for n in range(count):
            make_subscriber(f"person{n}@example.org", **fields)

    return make


def insert_subscribers(count: int) -> None:
    """Many subscribers in one statement, made by the database itself (fast on both engines)."""
    table = Subscriber._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(name)
        for name in (
            "email",
            "status",
            "key",
            "consent_wording_version",
            "consent_given_at",
            "consent_page",
            "created_at",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "SELECT 'person' || i || '@example.org', 'pending', 'k' || i, '2026-11', %s, "
            "'/articles/aftercare/', %s FROM n",
            [count - 1, timezone.now(), timezone.now()],
        )


def test_subscriber_list_counts_each_status_and_can_be_searched(admin_client, make_subscribers):
    make_subscribers(3)
    Subscriber.objects.filter(email="person0@example.org").update(status="confirmed")

    listing = admin_client.get("/admin/articles/subscriber/").content.decode()
    found = admin_client.get("/admin/articles/subscriber/", {"q": "person2"})

    assert (
        "Waiting for confirmation: <strong>2</strong> · Subscribed: <strong>1</strong> · Unsubscribed: <strong>0</strong>"
        in listing
    )
    assert [s.email for s in found.context["cl"].result_list] == ["person2@example.org"]


def test_consent_record_cannot_be_changed_or_invented_in_the_admin(admin_client, make_subscribers):
    make_subscribers(1)
    subscriber = Subscriber.objects.get()

    admin_client.post(
        f"/admin/articles/subscriber/{subscriber.pk}/change/",
        {"email": "other@example.org", "consent_wording_version": "fake"},
    )

    subscriber.refresh_from_db()
    assert (subscriber.email, subscriber.consent_wording_version) == (
        "person0@example.org",
        "2026-11",
    )
    assert admin_client.get("/admin/articles/subscriber/add/").status_code == 403


def test_deleting_a_subscriber_removes_their_data(admin_client, make_article, make_subscribers):
    from articles.models import Delivery

    make_subscribers(1)
    subscriber = Subscriber.objects.get()
    Delivery.objects.create(subscriber=subscriber, article=make_article("one"))

    admin_client.post(f"/admin/articles/subscriber/{subscriber.pk}/delete/", {"post": "yes"})

    assert Subscriber.objects.count() == 0
    assert Delivery.objects.count() == 0
    from django.contrib.admin.models import LogEntry

    assert not any("person0" in entry.object_repr for entry in LogEntry.objects.all())


def test_csv_export_includes_the_consent_record_and_defuses_formulas(
    admin_client, make_subscribers
):
    make_subscribers(2)
    Subscriber.objects.filter(email="person1@example.org").update(consent_page="=HYPERLINK(1)")

    response = admin_client.post(
        "/admin/articles/subscriber/",
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )

    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "email,status,consent_wording_version,consent_given_at,consent_page,"
        "confirmation_sent_at,confirmed_at,unsubscribed_at,created_at"
    )
    rows = list(csv.reader(lines[1:]))
    assert [row[:3] + row[4:5] + row[6:8] for row in rows] == [
        ["person0@example.org", "pending", "2026-11", "/articles/aftercare/", "", ""],
        ["person1@example.org", "pending", "2026-11", "'=HYPERLINK(1)", "", ""],
    ]


def resident_memory() -> int:
    """This process's resident memory in bytes (Linux), as the operating system counts it."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


def test_csv_export_of_100000_subscribers_streams_in_flat_memory(admin_client):
    insert_subscribers(100_000)
    # "Select all 100,000" in the list, then the export action.
    response = admin_client.post(
        "/admin/articles/subscriber/",
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [Subscriber.objects.first().pk],
        },
    )

    # Holding the rows would cost about 40 MB here; streaming them costs about 2 MB.
    before = resident_memory()
    lines = sum(block.count(b"\n") for block in response.streaming_content)
    grown = resident_memory() - before

    assert lines == 100_001
    assert grown < 8 * 1024 * 1024, grown
