"""A visitor signs up from an article's footer, confirms from the email, and can unsubscribe."""

import re

from django.core import mail

from articles.models import Subscriber

from .conftest import axe_violations


def test_visitor_signs_up_from_an_article_and_confirms(site, page):
    page.goto(site + "/articles/aftercare/")
    footer = page.locator(".footer-signup")
    footer.get_by_label("Your email address").fill("reader@example.org")
    footer.get_by_label("Email me when the clinic publishes").check()
    footer.get_by_role("button", name="Subscribe").click()

    page.get_by_text("Almost done: check your address, then press Subscribe.").wait_for()
    page.locator("main").get_by_role("button", name="Subscribe").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    assert page.locator("[role=status]").count() == 1
    assert page.locator(".lead").inner_text() == "We have sent an email to reader@example.org."
    assert axe_violations(page) == []
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_page == "/articles/aftercare/"
    link = re.search(r"http://127\.0\.0\.1:8000(/subscribe/confirm/\S+/)", mail.outbox[0].body)

    page.goto(site + link.group(1))
    assert "reader@example.org" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="You are subscribed").wait_for()
    assert Subscriber.objects.get().status == "confirmed"


def test_signup_errors_are_announced_and_meet_wcag(site, page):
    page.goto(site + "/subscribe/")
    main = page.locator("main")
    main.get_by_label("Your email address").fill("not an address")
    main.get_by_role("button", name="Subscribe").click()

    # The click starts a page load: wait for the new page, not the old one.
    page.get_by_role("alert").wait_for()
    assert (
        page.get_by_role("link", name="Enter an email address like name@example.com.").count() == 1
    )
    assert (
        page.get_by_role("link", name="Tick the box to say you would like these emails.").count()
        == 1
    )
    assert axe_violations(page) == []
    assert Subscriber.objects.count() == 0


def test_visitor_who_spots_a_typo_changes_the_address(site, page):
    page.goto(site + "/subscribe/")
    main = page.locator("main")
    main.get_by_label("Your email address").fill("reader@exmaple.org")
    main.get_by_label("Email me when the clinic publishes").check()
    main.get_by_role("button", name="Subscribe").click()

    page.get_by_text("We have sent an email to reader@exmaple.org.").wait_for()
    page.get_by_role("button", name="Change the address").click()

    page.get_by_text("Almost done: check your address, then press Subscribe.").wait_for()
    main.get_by_label("Your email address").fill("reader@example.org")
    main.get_by_role("button", name="Subscribe").click()

    page.get_by_text("We have sent an email to reader@example.org.").wait_for()
    assert [message.to for message in mail.outbox] == [
        ["reader@exmaple.org"],
        ["reader@example.org"],
    ]
