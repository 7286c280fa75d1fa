"""The admin as clinic staff use it."""

import pytest
from django.contrib.auth.models import User

from articles.models import ClinicDetails

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def test_staff_set_clinic_details_and_every_page_shows_them_at_once(admin_client, client,
                                                                    make_article):  # fmt: skip
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
