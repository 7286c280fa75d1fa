"""review_reminders: the editors hear of due reviews once a week, and a failure says so."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import CommandError
from django.utils import timezone

from .conftest import run_command

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def editors(db):
    group = Group.objects.get(name="Clinic editor")
    for name in ("ana", "ben"):
        user = User.objects.create_user(name, f"{name}@clinic.example", "pw", is_staff=True)
        user.groups.add(group)
    User.objects.create_user("outsider", "outsider@clinic.example", "pw", is_staff=True)


def articles(make_article):
    make_article(
        "old",
        title="Old page",
        reviewed=TODAY - dt.timedelta(days=400),
        review_due=TODAY - dt.timedelta(days=35),
    )
    make_article(
        "soon",
        title="Soon page",
        reviewed=TODAY - dt.timedelta(days=350),
        review_due=TODAY + dt.timedelta(days=10),
    )
    make_article("later", title="Later page", reviewed=TODAY)


def test_editors_get_one_plain_text_summary(editors, make_article, settings):
    articles(make_article)

    out = run_command("review_reminders")

    assert out == "Reminded the editors of 2 article review(s).\n"
    [message] = mail.outbox
    assert sorted(message.to) == ["ana@clinic.example", "ben@clinic.example"]
    assert message.subject == "2 article review(s) due | [Clinic name]"
    body = message.body
    assert "Overdue:\n\n- Old page: review was due " in body
    assert "Due in the next 30 days:\n\n- Soon page: review due " in body
    assert "Later page" not in body
    assert "http://127.0.0.1:8000/admin/articles/article/" in body
    assert message.content_subtype == "plain"


def test_an_article_is_named_at_most_once_a_week(editors, make_article):
    articles(make_article)
    run_command("review_reminders")

    again = run_command("review_reminders")

    assert again == "No reviews are due for a reminder.\n"
    assert len(mail.outbox) == 1


def test_a_reminder_that_cannot_be_sent_exits_non_zero_and_is_tried_again(
    editors, make_article, mail_server
):
    articles(make_article)
    mail_server.go_down()

    with pytest.raises(CommandError) as error:
        run_command("review_reminders")

    assert str(error.value).startswith("The review reminder was not sent:")
    mail_server.come_back()
    assert run_command("review_reminders") == "Reminded the editors of 2 article review(s).\n"


def test_no_editor_with_an_address_is_an_error(make_article):
    articles(make_article)

    with pytest.raises(CommandError) as error:
        run_command("review_reminders")

    assert str(error.value) == (
        'The review reminder was not sent: no one to send it to: give the staff in the "Clinic '
        'editor" group an email address.'
    )
