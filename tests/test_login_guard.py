"""The admin login limits guessing, per client address and per account, and a stranger cannot
lock a member of staff out of their own login."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from articles import loginguard

pytestmark = pytest.mark.django_db

LOCKED = "Too many wrong passwords."
PAUSED = "tried for this account from other places"
HOME = "198.51.100.7"


@pytest.fixture
def staff_account(db):
    return User.objects.create_user("nurse", password="the-right-password-1", is_staff=True)


def log_in(client, username, password, address="198.51.100.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_after_five_wrong_passwords_from_one_address_even_the_right_one_is_refused_there(
    staff_account,
):
    client = Client()
    answers = [
        log_in(client, "nurse", f"wrong-{guess}", "203.0.113.5").status_code for guess in range(5)
    ]

    response = log_in(client, "nurse", "the-right-password-1", "203.0.113.5")

    assert answers == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_staff_out_from_another_address(staff_account):
    stranger = Client()
    answers = [
        log_in(stranger, "nurse", f"wrong-{guess}", "203.0.113.66").status_code
        for guess in range(10)
    ]

    nurse = Client()
    response = log_in(nurse, "nurse", "the-right-password-1", HOME)

    assert answers == [200] * 4 + [429] * 6
    assert response.status_code == 302
    assert nurse.session["_auth_user_id"] == str(staff_account.pk)


def test_guessing_between_logins_to_another_account_stays_bounded(staff_account):
    User.objects.create_user("locum", password="the-locums-password-1", is_staff=True)
    guesses = []
    for round_ in range(4):
        for guess in range(2):
            guesses.append(log_in(Client(), "nurse", f"wrong-{round_}-{guess}").status_code)
        # Logging in to one's own account clears that account's failures only.
        log_in(Client(), "locum", "the-locums-password-1")

    assert guesses[:5] == [200, 200, 200, 200, 429]
    assert set(guesses[5:]) == {429}
    assert log_in(Client(), "nurse", "the-right-password-1").status_code == 429


def test_a_right_password_clears_only_that_accounts_failures_from_that_address(staff_account):
    log_in(Client(), "someone-else", "wrong")
    log_in(Client(), "nurse", "wrong")

    log_in(Client(), "nurse", "the-right-password-1")

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("someone-else", HOME)
    ]


def attack_from_many_addresses(count: int, first: int = 1) -> list[int]:
    """One wrong password for the nurse from each of ``count`` new addresses."""
    return [
        log_in(Client(), "nurse", f"guess-{n}", f"192.0.2.{n}").status_code
        for n in range(first, first + count)
    ]


def a_minute_passes() -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= loginguard.ACCOUNT_PAUSE + dt.timedelta(seconds=1)
        attempt.save(update_fields=["attempt_time"])


def test_guessing_one_account_from_many_addresses_is_slowed_to_one_guess_a_minute(staff_account):
    limit = loginguard.ACCOUNT_FAILURE_LIMIT

    answers = attack_from_many_addresses(limit + 3)

    assert answers == [200] * limit + [429] * 3
    assert AccessAttempt.objects.filter(username="nurse").count() == limit
    paused = log_in(Client(), "nurse", "the-right-password-1", "192.0.2.200")
    assert paused.status_code == 429
    assert PAUSED in paused.content.decode()

    a_minute_passes()
    assert attack_from_many_addresses(2, first=100) == [200, 429]


def test_a_distributed_attack_never_locks_staff_out_where_they_have_logged_in_before(
    staff_account,
):
    log_in(Client(), "nurse", "the-right-password-1", HOME)

    attack_from_many_addresses(loginguard.ACCOUNT_FAILURE_LIMIT + 5)
    nurse = Client()
    response = log_in(nurse, "nurse", "the-right-password-1", HOME)

    assert response.status_code == 302
    assert nurse.session["_auth_user_id"] == str(staff_account.pk)


def test_from_a_new_place_staff_wait_a_minute_at_most(staff_account):
    attack_from_many_addresses(loginguard.ACCOUNT_FAILURE_LIMIT)

    assert log_in(Client(), "nurse", "the-right-password-1", "203.0.113.40").status_code == 429
    a_minute_passes()
    assert log_in(Client(), "nurse", "the-right-password-1", "203.0.113.40").status_code == 302


def test_staff_can_lift_every_pause_with_axes_reset(staff_account):
    attack_from_many_addresses(loginguard.ACCOUNT_FAILURE_LIMIT)

    call_command("axes_reset")

    assert log_in(Client(), "nurse", "the-right-password-1", "203.0.113.40").status_code == 302


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


def test_wrong_passwords_from_every_address_of_one_ipv6_64_count_together(staff_account):
    answers = [
        log_in(Client(), "nurse", f"wrong-{n}", f"2001:db8:7:8::{n}").status_code
        for n in range(1, 6)
    ]

    right = log_in(Client(), "nurse", "the-right-password-1", "2001:db8:7:8:ffff::1")

    assert answers == [200, 200, 200, 200, 429]
    assert right.status_code == 429
