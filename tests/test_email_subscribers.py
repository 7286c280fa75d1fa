"""Emailing subscribers about an article is deliberate: the action opens a page with the email
as subscribers will read it and how many it goes to, a test can go to the member of staff
first, and only the last button sends, once."""

import pytest
from django.core import mail
from django.test import override_settings

from articles import updates
from articles.emails import OWN_UNSUBSCRIBE_LINK
from articles.models import Delivery

from .mail_backends import SecondSendMidway

LIST = "/admin/articles/article/"


def page_of(article) -> str:
    return f"/admin/articles/article/email-subscribers/?ids={article.pk}"


@pytest.fixture
def readers(make_subscriber):
    for name in ("ana", "ben", "cy"):
        make_subscriber(f"{name}@example.org", status="confirmed")
    make_subscriber("waiting@example.org", status="pending")


@pytest.fixture
def aftercare(make_article):
    return make_article("aftercare", title="Aftercare", summary="What to expect in the days after.")


@pytest.fixture
def staff_with_email(staff_user, client):
    staff_user.email = "sam@clinic.example"
    staff_user.save()
    client.force_login(staff_user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_action_shows_the_email_and_how_many_it_goes_to_and_sends_nothing(
    staff_with_email, readers, aftercare
):
    response = staff_with_email.post(
        LIST, {"action": "email_subscribers", "_selected_action": [aftercare.pk]}, follow=True
    )
    page = response.content.decode()

    assert response.redirect_chain == [(page_of(aftercare), 302)]
    assert mail.outbox == []
    assert "This email will go to <strong>3 confirmed subscribers</strong>" in page
    assert "New in the dry needling guide: Aftercare | [Clinic name]" in page
    body = response.context["message"].body
    assert "Aftercare\nWhat to expect in the days after.\nhttp://" in body
    assert body in page.replace("&#x27;", "'")
    assert f"unsubscribe here (one click, no login): {OWN_UNSUBSCRIBE_LINK}" in body
    assert "example.org" not in page
    assert 'value="Send to 3 subscribers"' in page


def test_a_test_goes_to_the_member_of_staff_only_and_reads_as_the_real_one(
    staff_with_email, readers, aftercare
):
    response = staff_with_email.post(page_of(aftercare), {"test": "Send a test to me"}, follow=True)

    assert [m.to for m in mail.outbox] == [["sam@clinic.example"]]
    assert mail.outbox[0].subject == "New in the dry needling guide: Aftercare | [Clinic name]"
    assert mail.outbox[0].body == response.context["message"].body
    assert messages_of(response) == [
        "Sent a test to you at sam@clinic.example. Nobody else was emailed."
    ]
    assert response.context["count"] == 3
    assert not Delivery.objects.exists()


def test_no_test_is_sent_to_an_account_without_an_email_address(staff_client, readers, aftercare):
    response = staff_client.post(page_of(aftercare), {"test": "Send a test to me"}, follow=True)

    assert mail.outbox == []
    assert messages_of(response) == [
        "No test was sent: your account has no email address. Ask whoever looks after the "
        "staff accounts to add one (Users, in the admin)."
    ]


def test_only_the_last_step_sends_and_sending_again_sends_nothing(
    staff_with_email, readers, aftercare
):
    staff_with_email.get(page_of(aftercare))
    assert mail.outbox == []

    sent = staff_with_email.post(page_of(aftercare), {"send": "Send to 3 subscribers"}, follow=True)
    again = staff_with_email.post(
        page_of(aftercare), {"send": "Send to 3 subscribers"}, follow=True
    )
    after = staff_with_email.get(page_of(aftercare)).content.decode()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
    assert sent.redirect_chain == [(LIST, 302)]
    assert messages_of(sent) == ["Emailed 3 subscriber(s)."]
    assert messages_of(again) == ["Every confirmed subscriber has already been told."]
    assert "Every confirmed subscriber has already been told about this article" in after
    assert 'name="send"' not in after


def test_a_subscriber_who_confirms_later_is_counted_and_told_alone(
    staff_with_email, readers, aftercare, make_subscriber
):
    staff_with_email.post(page_of(aftercare), {"send": "Send"})
    make_subscriber("dee@example.org", status="confirmed")
    mail.outbox.clear()

    page = staff_with_email.get(page_of(aftercare))
    staff_with_email.post(page_of(aftercare), {"send": "Send"})

    assert page.context["count"] == 1
    assert [m.to for m in mail.outbox] == [["dee@example.org"]]


@override_settings(EMAIL_BACKEND="tests.mail_backends.SecondSendMidway")
def test_a_second_send_while_the_first_is_sending_sends_nothing_twice(
    readers, aftercare, monkeypatch
):
    second = []
    monkeypatch.setattr(
        SecondSendMidway, "second_send", lambda: second.append(updates.send_articles([aftercare]))
    )

    first = updates.send_articles([aftercare])

    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
    assert (first.emails_sent, second[0].emails_sent) == (3, 0)
    assert Delivery.objects.filter(sending_since__isnull=False).count() == 0


def test_the_email_sent_names_only_the_articles_chosen(readers, aftercare, make_article):
    other = make_article("needle-fear", title="Needle fear")
    updates.queue_article(other)

    updates.send_articles([aftercare])

    assert {m.subject for m in mail.outbox} == {
        "New in the dry needling guide: Aftercare | [Clinic name]"
    }
    assert Delivery.objects.pending().filter(article=other).count() == 3


def test_only_published_articles_are_offered_for_sending(staff_with_email, make_article):
    draft = make_article("draft", status="draft")

    response = staff_with_email.post(
        LIST, {"action": "email_subscribers", "_selected_action": [draft.pk]}, follow=True
    )
    by_hand = staff_with_email.get(
        f"/admin/articles/article/email-subscribers/?ids={draft.pk}", follow=True
    )

    assert messages_of(response) == [
        "Only published articles can be sent. Publish the others first."
    ]
    assert messages_of(by_hand) == ["Choose one or more published articles to email."]
    assert mail.outbox == []


def test_a_writer_without_the_email_permission_cannot_open_or_send(
    client, django_user_model, readers, aftercare
):
    from django.contrib.auth.models import Permission

    writer = django_user_model.objects.create_user("w", password="x", is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    client.force_login(writer)

    opened = client.get(page_of(aftercare))
    sent = client.post(page_of(aftercare), {"send": "Send"})

    assert (opened.status_code, sent.status_code) == (403, 403)
    assert mail.outbox == []
