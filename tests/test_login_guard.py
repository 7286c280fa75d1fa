"""The admin login limits guessing, per account and per client address."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

LOCKED = "Too many wrong passwords."


@pytest.fixture
def staff_account(db):
    return User.objects.create_user("nurse", password="the-right-password-1", is_staff=True)


def log_in(client, username, password, address="198.51.100.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_after_five_wrong_passwords_even_the_right_one_is_refused(staff_account):
    client = Client()
    # A different address each time: the account is counted on its own.
    answers = [
        log_in(client, "nurse", f"wrong-{guess}", f"203.0.113.{guess}").status_code
        for guess in range(5)
    ]

    response = log_in(client, "nurse", "the-right-password-1", "203.0.113.99")

    assert answers == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_stopped(staff_account):
    client = Client()
    for number in range(5):
        log_in(client, f"someone-{number}", "wrong")

    response = log_in(client, "nurse", "the-right-password-1")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_logs_in_and_clears_the_count(staff_account):
    client = Client()
    for guess in range(4):
        log_in(client, "nurse", f"wrong-{guess}")

    response = log_in(client, "nurse", "the-right-password-1")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_failed_logins_are_logged(staff_account, caplog):
    log_in(Client(), "nurse", "wrong")

    assert any("AXES: New login failure" in record.getMessage() for record in caplog.records)


def test_a_refused_next_address_lands_on_the_admin_not_a_missing_page(staff_account):
    response = Client().post(
        "/admin/login/?next=https://elsewhere.example/",
        {"username": "nurse", "password": "the-right-password-1"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
