"""prune_subscribers keeps subscribers' data only as long as the privacy page says."""

import datetime as dt
import hashlib
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from articles.models import Delivery, Subscriber
from articles.retention import forgotten_address

from .conftest import run_command

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def aged(subscriber, **dates):
    Subscriber.objects.filter(pk=subscriber.pk).update(**dates)


def test_old_unconfirmed_sign_ups_are_deleted_and_recent_ones_kept(make_subscriber):
    aged(make_subscriber("old@example.org"), created_at=NOW - dt.timedelta(days=31))
    make_subscriber("new@example.org")
    aged(make_subscriber("keen@example.org", "confirmed"), created_at=NOW - dt.timedelta(days=400))

    assert (
        run_command("prune_subscribers")
        == "deleted 1 unconfirmed sign-up(s), reduced 0 unsubscribed address(es)\n"
    )
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "keen@example.org",
        "new@example.org",
    ]


def test_an_old_unsubscribe_is_reduced_to_a_one_way_code(make_subscriber, make_article):
    gone = make_subscriber("gone@example.org", "unsubscribed")
    Delivery.objects.create(subscriber=gone, article=make_article("aftercare"))
    aged(gone, unsubscribed_at=NOW - dt.timedelta(days=31))
    recent = make_subscriber("recent@example.org", "unsubscribed")
    aged(recent, unsubscribed_at=NOW - dt.timedelta(days=2))

    assert (
        run_command("prune_subscribers")
        == "deleted 0 unconfirmed sign-up(s), reduced 1 unsubscribed address(es)\n"
    )
    gone.refresh_from_db()
    assert gone.email == forgotten_address("gone@example.org")
    assert "gone" not in gone.email and gone.consent_page == ""
    assert Delivery.objects.count() == 0
    assert Subscriber.objects.get(pk=recent.pk).email == "recent@example.org"
    assert (
        run_command("prune_subscribers")
        == "deleted 0 unconfirmed sign-up(s), reduced 0 unsubscribed address(es)\n"
    )


def test_signing_up_again_after_being_forgotten_gives_one_row(client, make_subscriber):
    gone = make_subscriber("gone@example.org", "unsubscribed")
    aged(gone, unsubscribed_at=NOW - dt.timedelta(days=31))
    run_command("prune_subscribers")

    client.post("/subscribe/", {"email": "gone@example.org", "consent": "on"})

    assert list(Subscriber.objects.values_list("email", "status")) == [
        ("gone@example.org", "pending")
    ]


def test_the_code_is_keyed_so_a_guessed_address_cannot_be_checked_against_it(settings):
    code = forgotten_address("gone@example.org")
    unkeyed = hashlib.sha256(b"gone@example.org").hexdigest()

    settings.SECRET_KEY = "another site's secret key, fifty characters or more"
    elsewhere = forgotten_address("gone@example.org")

    assert code.startswith("forgotten:") and unkeyed not in code
    assert elsewhere != code


def test_after_a_new_secret_key_signing_up_again_still_gives_one_row(
    client, make_subscriber, settings
):
    gone = make_subscriber("gone@example.org", "unsubscribed")
    aged(gone, unsubscribed_at=NOW - dt.timedelta(days=31))
    run_command("prune_subscribers")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the clinic's new secret key, fifty characters or more"

    client.post("/subscribe/", {"email": "gone@example.org", "consent": "on"})

    assert list(Subscriber.objects.values_list("email", "status")) == [
        ("gone@example.org", "pending")
    ]


def test_codes_made_before_they_were_keyed_are_keyed_by_the_migration(client, make_subscriber):
    rekey = importlib.import_module("articles.migrations.0027_key_forgotten_addresses")
    old_code = "forgotten:" + hashlib.sha256(b"gone@example.org").hexdigest()
    make_subscriber(old_code, "unsubscribed", key="k-old")
    make_subscriber("kept@example.org", "unsubscribed")

    rekey.key_forgotten_addresses(apps, None)

    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        forgotten_address("gone@example.org"),
        "kept@example.org",
    ]
    client.post("/subscribe/", {"email": "gone@example.org", "consent": "on"})
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "gone@example.org",
        "kept@example.org",
    ]
