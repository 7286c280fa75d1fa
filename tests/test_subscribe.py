"""Signing up: double opt-in, the same answer for every address, bad input, bots, a dead mail server."""

import io
import json
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import ratelimit, subscriptions, tokens
from articles.forms import SubscribeForm
from articles.models import Subscriber
from articles.subscriptions import CONSENT_VERSION, CONSENT_WORDING
from articles.subscriptions import mailbox as mailbox_of
from articles.tokens import confirm_token, unsubscribe_token

pytestmark = pytest.mark.django_db


def sign_up(client, email="reader@example.org", remote_addr="127.0.0.1", **extra):
    data = {"email": email, "consent": "on", "page": "/search/", **extra}
    return client.post("/subscribe/", data, REMOTE_ADDR=remote_addr)


def link_in(message, path: str) -> str:
    match = re.search(rf"http://127\.0\.0\.1:8000{path}[^\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def test_form_has_a_label_for_each_field_and_says_what_people_get(client):
    html = client.get("/subscribe/").content.decode()

    assert '<label for="signup-email">Your email address</label>' in html
    assert f'<label for="signup-consent">{CONSENT_WORDING}</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_sign_up_stores_a_pending_subscriber_with_the_consent_record(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == "/subscribe/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == "pending"
    assert subscriber.consent_wording_version == CONSENT_VERSION
    assert subscriber.consent_page == "/search/"
    assert subscriber.consent_given_at is not None
    assert subscriber.confirmation_sent_at is not None
    assert subscriber.confirmed_at is None


def test_confirmation_email_carries_a_full_link_and_one_click_unsubscribe(client):
    sign_up(client)

    [message] = mail.outbox
    subscriber = Subscriber.objects.get()
    assert message.to == ["reader@example.org"]
    assert message.subject == "Please confirm your subscription | [Clinic name]"
    assert link_in(message, "/subscribe/confirm/") == (
        f"http://127.0.0.1:8000/subscribe/confirm/{confirm_token(subscriber)}/"
    )
    unsubscribe_url = f"http://127.0.0.1:8000/unsubscribe/{unsubscribe_token(subscriber)}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in message.body
    assert message.content_subtype == "plain"
    assert "<a " not in message.body and "<img" not in message.body


def test_following_the_link_shows_a_button_and_only_pressing_it_confirms(client):
    sign_up(client)
    path = link_in(mail.outbox[0], "/subscribe/confirm/").removeprefix("http://127.0.0.1:8000")

    page = client.get(path)
    assert page.status_code == 200
    assert '<button type="submit">Confirm</button>' in page.content.decode()
    assert Subscriber.objects.get().status == "pending"

    done = client.post(path)
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "confirmed"
    assert subscriber.confirmed_at is not None


def test_confirmation_link_expires_after_seven_days(client, monkeypatch):
    sign_up(client)
    subscriber = Subscriber.objects.get()
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    old_token = confirm_token(subscriber)
    monkeypatch.undo()

    response = client.post(f"/subscribe/confirm/{old_token}/")

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


@pytest.mark.parametrize(
    "path", ["/subscribe/confirm/{}/", "/unsubscribe/{}/", "/unsubscribe/nonsense/"]
)
def test_tampered_links_change_nothing(client, path):
    sign_up(client)
    subscriber = Subscriber.objects.get()
    token = confirm_token(subscriber) if "confirm" in path else unsubscribe_token(subscriber)

    altered = token[:-1] + ("B" if token.endswith("A") else "A")

    response = client.post(path.format(altered))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_every_kind_of_address_gets_the_same_answer(make_subscriber, client):
    make_subscriber("pending@example.org")
    make_subscriber("confirmed@example.org", status="confirmed")
    make_subscriber("gone@example.org", status="unsubscribed")
    answers = []
    for email in [
        "new@example.org",
        "pending@example.org",
        "confirmed@example.org",
        "gone@example.org",
    ]:
        response = sign_up(client, email)
        sent_page = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                response["Location"],
                response.content,
                sent_page.status_code,
                # The page shows the address the visitor typed, and otherwise nothing of it.
                sent_page.content.replace(email.encode(), b"ADDRESS"),
            )
        )

    assert all(answer == answers[0] for answer in answers)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "confirmed@example.org",
        "gone@example.org",
        "new@example.org",
        "pending@example.org",
    ]
    by_address = {m.to[0]: m.subject for m in mail.outbox}
    assert by_address["confirmed@example.org"] == "You are already subscribed | [Clinic name]"
    assert by_address["gone@example.org"] == "Please confirm your subscription | [Clinic name]"
    assert Subscriber.objects.get(email="gone@example.org").status == "pending"
    assert Subscriber.objects.get(email="confirmed@example.org").status == "confirmed"


def test_one_mailbox_however_it_is_typed_is_one_row_and_one_email(client):
    sign_up(client, "  Alice@Example.ORG ")
    sign_up(client, "alice@example.org")
    sign_up(client, "ALICE@EXAMPLE.ORG")

    assert list(Subscriber.objects.values_list("email", flat=True)) == ["alice@example.org"]
    assert len(mail.outbox) == 1


def test_repeated_sign_ups_send_one_email_in_a_few_minutes(client):
    for _ in range(3):
        assert sign_up(client).status_code == 302

    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_sign_ups_at_once_leave_one_row_and_no_error():
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        barrier.wait()
        statuses.append(sign_up(Client()).status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302, 302]
    assert Subscriber.objects.count() == 1


BAD_INPUT = [
    ("", "Enter your email address."),
    ("not-an-address", "Enter an email address like name@example.com."),
    (
        "a" * 250 + "@example.org",
        "That is 262 characters long. An email address can have at most 254.",
    ),
    ("reader@example.org\nBcc: victim@example.org", "Enter one email address on a single line."),
    ("bob@[127.0.0.1]", "Enter an email address like name@example.com."),
    ("bob@localhost", "Enter an email address like name@example.com."),
    (
        "reader@exämple.org",
        "We can only send to addresses made of plain letters (a to z), numbers and symbols such as . - _ and @. Please use another address.",
    ),
    (
        '"\x1b[2J\x1b]0;hi\x07"@example.org',
        "An email address cannot hold control characters (such as tabs or escape codes). Please type it again.",
    ),
    (
        "\x1b[31mreader@example.org",
        "An email address cannot hold control characters (such as tabs or escape codes). Please type it again.",
    ),
    (
        '"a\x7fb"@example.org',
        "An email address cannot hold control characters (such as tabs or escape codes). Please type it again.",
    ),
]


@pytest.mark.parametrize(
    ("email", "message"),
    BAD_INPUT,
    ids=[
        "empty",
        "malformed",
        "too-long",
        "newline",
        "ip-literal",
        "bare-host",
        "unicode",
        "terminal-codes",
        "escape",
        "delete",
    ],
)
def test_bad_address_is_explained_next_to_the_field_and_nothing_happens(client, email, message):
    response = sign_up(client, email)

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<p class="error-message" id="signup-email_error"><span class="visually-hidden">Error:</span> {message}</p>'
        in html
    )
    assert 'aria-describedby="signup-email_error"' in html
    assert f'<li><a href="#signup-email">{message}</a></li>' in html
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_consent_must_be_given(client):
    response = client.post("/subscribe/", {"email": "reader@example.org"})

    assert "Tick the box to say you would like these emails." in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_robot_filling_the_hidden_field_is_told_all_is_well_and_nothing_is_stored(client):
    response = sign_up(client, website="http://spam.example")

    assert response["Location"] == "/subscribe/sent/"
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_missing_csrf_token_is_refused_and_nothing_stored():
    response = sign_up(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert "Sorry, that form could not be sent" in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_too_many_sign_ups_from_one_address_get_a_clear_429(client):
    for number in range(10):
        assert sign_up(client, f"reader{number}@example.org").status_code == 302

    blocked = sign_up(client, "one-more@example.org")
    other_visitor = sign_up(client, "someone@example.org", remote_addr="10.0.0.2")

    assert blocked.status_code == 429
    assert "Too many tries" in blocked.content.decode()
    assert not Subscriber.objects.filter(email="one-more@example.org").exists()
    assert other_visitor.status_code == 302


def test_rate_limit_is_shared_by_every_process_using_the_cache(tmp_path):
    # Two cache objects on one folder are what two gunicorn workers each hold.
    worker_one = FileBasedCache(str(tmp_path), {})
    worker_two = FileBasedCache(str(tmp_path), {})

    results = [
        ratelimit.allow("signup:1.2.3.4", 3, 3600, cache=worker)
        for worker in (worker_one, worker_two, worker_one, worker_two)
    ]

    assert results == [True, True, True, False]


def test_when_the_mail_server_is_down_trying_again_sends_the_confirmation(client, mail_server):
    mail_server.go_down()
    assert sign_up(client).status_code == 503

    mail_server.come_back()
    assert sign_up(client).status_code == 302

    [message] = mail.outbox
    assert message.subject == "Please confirm your subscription | [Clinic name]"
    assert Subscriber.objects.get().confirmation_sent_at is not None


def test_when_the_mail_server_is_down_the_sign_up_is_kept_and_sent_later(client, mail_server):
    mail_server.go_down()

    response = sign_up(client)

    assert response.status_code == 503
    assert "We could not send the email just now" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    assert subscriber.confirmation_sent_at is None

    mail_server.come_back()
    from django.core.management import call_command

    call_command("send_updates", stdout=io.StringIO())
    [message] = mail.outbox
    assert message.subject == "Please confirm your subscription | [Clinic name]"
    assert Subscriber.objects.get().confirmation_sent_at is not None


def test_footer_form_keeps_article_pages_free_of_tokens_and_cookies(client, make_article):
    make_article("aftercare")

    response = client.get("/articles/aftercare/")

    html = response.content.decode()
    assert (
        '<form class="subscribe-form" method="post" action="/subscribe/check/" novalidate>' in html
    )
    assert '<input type="hidden" name="page" value="/articles/aftercare/" id="footer-page">' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_footer_form_leads_to_the_real_form_filled_in_and_stores_nothing():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/subscribe/check/",
        {"email": "reader@example.org", "consent": "on", "page": "/articles/aftercare/"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Almost done: check your address, then press Subscribe." in html
    assert 'value="reader@example.org"' in html
    assert '<input type="checkbox" name="consent" required id="signup-consent" checked>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_unsubscribe_link_shows_a_button_then_works_without_cookie_or_token(
    make_subscriber, client
):
    subscriber = make_subscriber("r@example.org", status="confirmed")
    path = f"/unsubscribe/{unsubscribe_token(subscriber)}/"

    page = client.get(path)
    assert '<button type="submit">Unsubscribe</button>' in page.content.decode()
    assert Subscriber.objects.get().status == "confirmed"

    one_click = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed_at is not None


def test_signing_up_again_after_unsubscribing_retires_old_links(client):
    sign_up(client)
    old = Subscriber.objects.get()
    old_unsubscribe = unsubscribe_token(old)
    client.post(f"/unsubscribe/{old_unsubscribe}/")
    from django.core.cache import cache

    cache.clear()
    sign_up(client)

    assert client.get(f"/unsubscribe/{old_unsubscribe}/").status_code == 404
    assert Subscriber.objects.get().status == "pending"


def test_pages_about_a_subscription_stay_out_of_search_engines(make_subscriber, client):
    subscriber = make_subscriber("r@example.org")
    pages = [
        client.get("/subscribe/"),
        client.get("/subscribe/sent/"),
        client.get(f"/subscribe/confirm/{confirm_token(subscriber)}/"),
        client.get(f"/unsubscribe/{unsubscribe_token(subscriber)}/"),
        client.get("/unsubscribe/nonsense/"),
    ]

    for response in pages:
        html = response.content.decode()
        assert '<meta name="robots" content="noindex">' in html, response.request["PATH_INFO"]
        assert 'action="/subscribe/check/"' not in html, response.request["PATH_INFO"]


def test_both_signup_forms_show_what_the_form_class_declares(client, make_article, monkeypatch):
    make_article("aftercare")
    monkeypatch.setattr(SubscribeForm.base_fields["email"], "label", "Email for updates")

    footer = client.get("/articles/aftercare/").content.decode()
    page = client.get("/subscribe/").content.decode()

    assert '<label for="footer-email">Email for updates</label>' in footer
    assert '<label for="signup-email">Email for updates</label>' in page


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing(client):
    sign_up(client)
    subscriber = Subscriber.objects.get()
    confirm_path = f"/subscribe/confirm/{confirm_token(subscriber)}/"
    client.post(confirm_path)
    client.post(f"/unsubscribe/{unsubscribe_token(subscriber)}/")

    page = client.get(confirm_path)
    again = client.post(confirm_path)

    assert page.status_code == again.status_code == 410
    assert "<h1>This link has been used</h1>" in again.content.decode()
    assert Subscriber.objects.get().status == "unsubscribed"


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("/articles/aftercare/", "/articles/aftercare/"),
        ("/articles/aftercare/?utm=x", "/articles/aftercare/"),
        ("/articles/draft-one/", "/subscribe/"),
        ("/admin/", "/subscribe/"),
        ("https://elsewhere.example/", "/subscribe/"),
        ("//elsewhere.example/", "/subscribe/"),
        ("/I agreed to nothing/", "/subscribe/"),
    ],
)
def test_the_consent_record_names_only_a_real_public_page(client, make_article, sent, recorded):
    make_article("aftercare")
    make_article("draft-one", status="draft")

    sign_up(client, page=sent)

    assert Subscriber.objects.get().consent_page == recorded


def test_the_too_many_sign_ups_page_says_when_to_come_back(client):
    for n in range(10):
        sign_up(client, f"r{n}@example.org")

    response = sign_up(client, "r11@example.org")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600


def test_every_spelling_of_one_mailbox_shares_its_one_email_in_five_minutes(client):
    variants = [f"alice+{n}@example.org" for n in range(25)] + ["Alice+x@Example.ORG"]

    for n, email in enumerate(variants):
        assert sign_up(client, email, remote_addr=f"10.1.{n}.1").status_code == 302

    assert [message.to for message in mail.outbox] == [["alice+0@example.org"]]


def test_the_address_is_kept_as_typed_and_its_link_goes_there(client):
    sign_up(client, "  Jane.Doe+news@GoogleMail.com ")

    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        "jane.doe+news@googlemail.com"
    ]
    assert mail.outbox[0].to == ["jane.doe+news@googlemail.com"]


def test_dots_make_no_other_mailbox_at_gmail(client):
    for n, email in enumerate(
        ["jane.doe@gmail.com", "janedoe@googlemail.com", "J.A.N.E.D.O.E+x@gmail.com"]
    ):
        sign_up(client, email, remote_addr=f"10.2.{n}.1")

    assert len(mail.outbox) == 1


def test_dots_elsewhere_are_other_mailboxes(client):
    sign_up(client, "jane.doe@example.org")
    sign_up(client, "janedoe@example.org")

    assert sorted(m.to[0] for m in mail.outbox) == ["jane.doe@example.org", "janedoe@example.org"]


def test_spellings_held_back_are_not_sent_later_either(client):
    for n in range(5):
        sign_up(client, f"alice+{n}@example.org", remote_addr=f"10.3.{n}.1")

    call_command("send_updates", stdout=io.StringIO())

    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("alice@example.org", "alice@example.org"),
        ("Alice+News@Example.org", "alice@example.org"),
        ("a.lice+x+y@example.org", "a.lice@example.org"),
        ("J.Doe+1@googlemail.com", "jdoe@gmail.com"),
        ("j.doe@gmail.com", "jdoe@gmail.com"),
    ],
)
def test_the_mailbox_a_spelling_reaches(typed, mailbox):
    assert mailbox_of(typed) == mailbox


@pytest.mark.parametrize(
    ("make_token", "salt"),
    [
        (confirm_token, tokens.CONFIRM_SALT),
        (unsubscribe_token, tokens.UNSUBSCRIBE_SALT),
    ],
)
def test_links_carry_a_random_key_not_the_subscribers_number(make_subscriber, make_token, salt):
    make_subscriber("first@example.org")
    subscriber = make_subscriber("second@example.org", key=secrets.token_hex(16))

    payload = signing.loads(make_token(subscriber), salt=salt)

    assert payload == subscriber.key
    assert str(subscriber.pk) not in json.dumps(payload).replace(subscriber.key, "")


def test_links_sent_before_keep_working(make_subscriber, client):
    subscriber = make_subscriber("r@example.org")
    old_confirm = signing.dumps([subscriber.pk, subscriber.key], salt=tokens.CONFIRM_SALT)
    old_unsubscribe = signing.dumps([subscriber.pk, subscriber.key], salt=tokens.UNSUBSCRIBE_SALT)

    client.post(f"/subscribe/confirm/{old_confirm}/")
    assert Subscriber.objects.get().status == "confirmed"
    client.post(f"/unsubscribe/{old_unsubscribe}/")
    assert Subscriber.objects.get().status == "unsubscribed"


def test_a_link_with_another_subscribers_number_and_key_does_nothing(make_subscriber, client):
    one = make_subscriber("one@example.org")
    two = make_subscriber("two@example.org")
    forged = signing.dumps([one.pk, two.key], salt=tokens.UNSUBSCRIBE_SALT)

    assert client.post(f"/unsubscribe/{forged}/").status_code == 404
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"pending"}


def writes_of_a_sign_up(client, email: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert sign_up(client, email).status_code == 302
    return [
        query["sql"].split()[0].upper()
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "subscriber" in query["sql"]
    ]


def test_every_kind_of_address_takes_the_same_path(make_subscriber, client):
    make_subscriber("pending@example.org")
    before = make_subscriber("confirmed@example.org", status="confirmed")
    make_subscriber("gone@example.org", status="unsubscribed")

    writes = {
        email: writes_of_a_sign_up(client, email)
        for email in [
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "gone@example.org",
        ]
    }

    # The row is written once and the email's sending recorded once, whatever the state, so the
    # time an answer takes does not tell who is on the list.
    assert {email: len(kinds) for email, kinds in writes.items()} == dict.fromkeys(writes, 2)
    assert len(mail.outbox) == 4
    confirmed = Subscriber.objects.get(email="confirmed@example.org")
    assert confirmed.status == "confirmed"
    assert (confirmed.consent_given_at, confirmed.consent_page) == (
        before.consent_given_at,
        before.consent_page,
    )
    # Both writes change the row, as they do for every other state: a write that changes nothing
    # costs SQLite nothing, and the time would tell again. The second records the email sent.
    assert confirmed.confirmation_sent_at > before.confirmation_sent_at


def test_the_check_your_email_page_shows_the_address_and_offers_to_change_it(client):
    response = sign_up(client, "reader@exmaple.org", page="/articles/aftercare/")
    sent = client.get(response["Location"])

    assert response["Location"] == "/subscribe/sent/"
    html = sent.content.decode()
    assert (
        '<p class="lead">We have sent an email to <strong>reader@exmaple.org</strong>.</p>' in html
    )
    assert (
        '<form class="change-address" method="post" action="/subscribe/check/">\n'
        '  <input type="hidden" name="email" value="reader@exmaple.org">\n'
        '  <input type="hidden" name="consent" value="on">\n'
        '  <input type="hidden" name="page" value="/subscribe/">\n'
        "  <p>Is that not your address, or is there a typo in it? "
        '<button type="submit">Change the address</button></p>\n'
        "</form>"
    ) in html
    # Pressing it shows the form filled in, to correct the address and send again.
    change = client.post(
        "/subscribe/check/",
        {"email": "reader@exmaple.org", "consent": "on", "page": "/subscribe/"},
    ).content.decode()
    assert "Almost done: check your address, then press Subscribe." in change
    assert 'value="reader@exmaple.org"' in change


def test_the_address_is_shown_only_on_a_page_never_cached_and_never_in_a_url(client):
    response = sign_up(client)
    sent = client.get(response["Location"])

    assert "reader@example.org" not in response["Location"]
    cookie = response.cookies["signup_answer"]
    assert cookie["path"] == "/subscribe/sent/"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert {"private", "no-store"} <= set(sent["Cache-Control"].replace(" ", "").split(","))
    assert "Cookie" in sent["Vary"]
    assert "reader@example.org" in sent.content.decode()
    # Another browser, or this one later, is told nothing about it.
    assert "reader@example.org" not in Client().get("/subscribe/sent/").content.decode()


def test_a_forged_answer_shows_no_address(client):
    client.cookies["signup_answer"] = signing.dumps({"email": "x@evil.example"}, salt="other")

    html = client.get("/subscribe/sent/").content.decode()

    assert "evil" not in html
    assert "If the address can receive emails from us, a message is on its way to it." in html


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("o'neil&co@example.org", "o&#x27;neil&amp;co@example.org"),
        ('"<b>hi</b>"@example.org', "&quot;&lt;b&gt;hi&lt;/b&gt;&quot;@example.org"),
    ],
)
def test_the_address_shown_is_escaped(client, email, shown):
    response = sign_up(client, email)
    sent = client.get(response["Location"]).content.decode()
    confirm_page = client.get(
        link_in(mail.outbox[0], "/subscribe/confirm/").removeprefix("http://127.0.0.1:8000")
    ).content.decode()

    assert f'<p class="lead">We have sent an email to <strong>{shown}</strong>.</p>' in sent
    assert f'<input type="hidden" name="email" value="{shown}">' in sent
    assert f"<strong>{shown}</strong>" in confirm_page
    assert "<b>" not in sent + confirm_page


def test_the_confirm_page_shows_the_address_being_confirmed_and_is_not_cached(
    make_subscriber, client
):
    pending = make_subscriber("reader@example.org")
    confirmed = make_subscriber("done@example.org", status="confirmed")

    page = client.get(f"/subscribe/confirm/{confirm_token(pending)}/")
    already = client.get(f"/subscribe/confirm/{confirm_token(confirmed)}/")

    assert (
        "<p>Press the button to start getting an email at <strong>reader@example.org</strong> "
        "when we publish a new article in this guide.</p>"
    ) in page.content.decode()
    assert (
        "<p>The address <strong>done@example.org</strong> is already subscribed. "
        "There is nothing more to do.</p>"
    ) in already.content.decode()
    for response in (page, already):
        assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))


def frozen_at(monkeypatch, when: str) -> None:
    """The sign-up clock stopped at ``when`` (UTC), so the time shown is known."""
    moment = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()
    monkeypatch.setattr(subscriptions, "time", SimpleNamespace(time=lambda: moment))


COOLDOWN_LEAD = (
    '<p class="lead">We sent an email to <strong>{}</strong> a few minutes ago, '
    "so we have not sent another.</p>"
)
COOLDOWN_NEXT = (
    "<p>If it has not arrived, check your spam or junk folder, or try again after "
    '<time datetime="{}">{}</time>.</p>'
)


def test_signing_up_again_within_five_minutes_says_no_email_was_sent_and_when_to_retry(
    client, monkeypatch
):
    frozen_at(monkeypatch, "2026-12-02T10:37:20")
    sign_up(client)

    again = sign_up(client, remote_addr="10.9.9.9")
    html = client.get(again["Location"]).content.decode()

    assert len(mail.outbox) == 1
    assert COOLDOWN_LEAD.format("reader@example.org") in html
    assert COOLDOWN_NEXT.format("2026-12-02T10:43:00+00:00", "10:43") in html
    assert "We have sent an email" not in html
    assert "open the link in that email" not in html


def test_the_time_to_retry_is_the_clinics_local_time(client, monkeypatch):
    frozen_at(monkeypatch, "2026-07-01T09:40:00")
    sign_up(client)

    html = client.get(sign_up(client)["Location"]).content.decode()

    # 09:45 UTC is 10:45 in London in summer; a whole minute is not rounded up.
    assert COOLDOWN_NEXT.format("2026-07-01T10:45:00+01:00", "10:45") in html


def test_signing_up_again_just_after_unsubscribing_says_no_email_was_sent(client, monkeypatch):
    frozen_at(monkeypatch, "2026-12-02T10:37:20")
    sign_up(client)
    subscriber = Subscriber.objects.get()
    client.post(f"/unsubscribe/{unsubscribe_token(subscriber)}/")

    html = client.get(sign_up(client)["Location"]).content.decode()

    assert len(mail.outbox) == 1
    assert COOLDOWN_LEAD.format("reader@example.org") in html
    assert Subscriber.objects.get().status == "unsubscribed"


def test_the_answer_within_five_minutes_is_the_same_whatever_the_state(
    make_subscriber, client, monkeypatch
):
    frozen_at(monkeypatch, "2026-12-02T10:37:20")
    states = {
        "new@example.org": None,
        "pending@example.org": "pending",
        "confirmed@example.org": "confirmed",
        "gone@example.org": "unsubscribed",
    }
    for email in states:
        sign_up(client, email)  # the email that starts the mailbox's five minutes
    for email, state in states.items():
        if state:
            Subscriber.objects.filter(email=email).update(status=state)
    Subscriber.objects.filter(email="new@example.org").delete()

    answers = set()
    for email in states:
        response = sign_up(client, email)
        page = client.get(response["Location"])
        answers.add((response.status_code, page.content.replace(email.encode(), b"ADDRESS")))

    assert len(answers) == 1
    assert len(mail.outbox) == 4
    [(_, page)] = answers
    assert COOLDOWN_LEAD.format("ADDRESS") in page.decode()


def test_another_spelling_of_the_mailbox_gets_the_same_answer(client, monkeypatch):
    frozen_at(monkeypatch, "2026-12-02T10:37:20")
    sign_up(client, "alice@example.org")

    html = client.get(sign_up(client, "Alice+news@example.org")["Location"]).content.decode()

    assert COOLDOWN_LEAD.format("alice+news@example.org") in html


def test_after_five_minutes_a_new_email_is_sent(client, monkeypatch):
    sign_up(client)
    cache.clear()  # what five minutes do

    html = client.get(sign_up(client)["Location"]).content.decode()

    assert len(mail.outbox) == 2
    assert "We have sent an email to <strong>reader@example.org</strong>." in html


def test_five_minutes_begun_before_times_were_kept_end_at_the_latest_possible(client, monkeypatch):
    frozen_at(monkeypatch, "2026-12-02T10:37:20")
    cache.set(subscriptions._cooldown_key("reader@example.org"), 1, timeout=300)

    html = client.get(sign_up(client)["Location"]).content.decode()

    assert mail.outbox == []
    assert COOLDOWN_NEXT.format("2026-12-02T10:43:00+00:00", "10:43") in html
