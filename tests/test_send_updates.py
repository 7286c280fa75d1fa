"""send_updates: every confirmed subscriber hears of each new article once, whatever happens."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import updates
from articles.models import Article, Delivery
from articles.tokens import unsubscribe_token

from .mail_backends import KilledAfter

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - dt.timedelta(days=30)


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_updates", *args, stdout=out)
    return out.getvalue()


def test_confirmed_subscriber_is_told_once_about_a_new_article(make_subscriber, make_article):
    reader = make_subscriber("reader@example.org", "confirmed")
    make_article("aftercare", title="Aftercare", summary="What to do after needling.")

    assert run() == "confirmations sent 0, update emails sent 1 about 1 article(s), failed 0\n"
    assert run() == "confirmations sent 0, update emails sent 0 about 0 article(s), failed 0\n"

    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.subject == "New in the dry needling guide: Aftercare | [Clinic name]"
    assert (
        "Aftercare\nWhat to do after needling.\nhttp://127.0.0.1:8000/articles/aftercare/\n"
        in message.body
    )
    unsubscribe_url = f"http://127.0.0.1:8000/unsubscribe/{unsubscribe_token(reader)}/"
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert unsubscribe_url in message.body
    assert message.content_subtype == "plain"


def test_links_in_update_emails_go_straight_to_the_page(make_subscriber, make_article):
    make_subscriber("reader@example.org", "confirmed")
    make_article("aftercare")
    run()

    links = re.findall(r"https?://\S+", mail.outbox[0].body)

    assert all(link.startswith("http://127.0.0.1:8000/") for link in links)
    assert not any("?" in link for link in links)


def test_several_new_articles_come_in_one_email(make_subscriber, make_article):
    make_subscriber("reader@example.org", "confirmed")
    make_article("one", title="One", order=1)
    make_article("two", title="Two", order=2)

    run()

    [message] = mail.outbox
    assert message.subject == "New in the dry needling guide: 2 new articles | [Clinic name]"
    assert message.body.index("One\n") < message.body.index("Two\n")


def test_only_confirmed_subscribers_hear_about_published_articles(make_subscriber, make_article):
    make_subscriber("confirmed@example.org", "confirmed")
    make_subscriber("pending@example.org", status="pending", confirmed_at=None)
    make_subscriber("gone@example.org", status="unsubscribed")
    make_subscriber(
        "new@example.org", "confirmed", confirmed_at=timezone.now() + dt.timedelta(minutes=1)
    )
    make_article("public")
    make_article("draft", status=Article.Status.DRAFT)
    make_article("later", published_at=timezone.now() + dt.timedelta(days=1))

    run()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["confirmed@example.org"], "New in the dry needling guide: Public | [Clinic name]")
    ]


def test_dry_run_sends_and_records_nothing(make_subscriber, make_article):
    make_subscriber("reader@example.org", "confirmed")
    make_article("aftercare")

    out = run("--dry-run")

    assert out == (
        "Dry run, nothing sent: would have confirmations sent 0, update emails sent 1 "
        "about 1 article(s), failed 0\n"
    )
    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_rerun_after_being_killed_mid_batch_sends_the_rest_and_nothing_twice(
    make_subscriber, make_article, settings, monkeypatch
):
    for number in range(5):
        make_subscriber(f"reader{number}@example.org", "confirmed")
    make_article("aftercare")
    monkeypatch.setattr(updates, "BATCH_SIZE", 2)
    settings.EMAIL_BACKEND = "tests.mail_backends.KilledAfter"
    monkeypatch.setattr(KilledAfter, "delivered", 0)
    monkeypatch.setattr(KilledAfter, "limit", 3)

    with pytest.raises(SystemExit):
        run()
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run()

    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.org" for n in range(5)]
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 0


def test_when_the_mail_server_is_down_nothing_is_lost(make_subscriber, make_article, mail_server):
    mail_server.go_down()
    make_subscriber("reader@example.org", "confirmed")
    make_article("aftercare")

    with pytest.raises(CommandError) as error:
        run()

    assert str(error.value) == (
        "1 email(s) could not be sent; they are kept and the next run will try again."
    )
    delivery = Delivery.objects.get()
    assert (delivery.sent_at, delivery.attempts) == (None, 1)
    assert "refused" in delivery.last_error.lower()

    mail_server.come_back()
    assert run() == "confirmations sent 0, update emails sent 1 about 1 article(s), failed 0\n"
    assert Delivery.objects.get().attempts == 2


def test_many_subscribers_are_sent_in_batches_each_once(make_subscriber, make_article, monkeypatch):
    monkeypatch.setattr(updates, "BATCH_SIZE", 3)
    for number in range(10):
        make_subscriber(f"reader{number}@example.org", "confirmed")
    make_article("aftercare")
    progress = []

    report = updates.send_updates(progress=lambda done, total: progress.append((done, total)))

    assert report.emails_sent == 10
    assert progress == [(3, 10), (6, 10), (9, 10), (10, 10)]
    assert len({m.to[0] for m in mail.outbox}) == len(mail.outbox) == 10
