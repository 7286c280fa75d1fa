"""Clinic staff never lose an edit: a save made over someone else's is refused with both texts
shown, and typing not yet saved is kept in the browser and offered back."""

import re

import pytest
from django.contrib.auth.models import Group, User

from articles.models import Article

DRAFT_KEY = "unsaved-changes:/admin/articles/article/{pk}/change/"


def log_in(browser, site, name: str):
    """A page in a browser of its own, logged in as a member of the Clinic editor group, and
    what that browser refused to run under the site's Content-Security-Policy, on any page."""
    user = User.objects.create_user(name, password="a-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinic editor"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.refused_by_policy = refused
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/admin/")
    return page, refused


@pytest.fixture
def aftercare(site) -> Article:
    return Article.objects.get(slug="aftercare")


def draft_in(page, article):
    return page.evaluate("key => window.localStorage.getItem(key)", DRAFT_KEY.format(pk=article.pk))


def test_a_save_over_someone_elses_is_refused_and_both_texts_are_shown(browser, site, aftercare):
    asha, asha_refused = log_in(browser, site, "asha")
    ben, ben_refused = log_in(browser, site, "ben")
    address = f"{site}/admin/articles/article/{aftercare.pk}/change/"
    asha.goto(address)
    ben.goto(address)
    body = aftercare.body

    asha.locator("textarea[name=body]").fill(body + "\nAsha's new line.\n")
    asha.get_by_role("button", name="Save", exact=True).click()
    asha.get_by_text("was changed successfully").wait_for()
    ben.locator("textarea[name=body]").fill(body + "\nBen's new line.\n")
    ben.get_by_role("button", name="Save", exact=True).click()

    refusal = ben.locator(".errorlist .edit-conflict")
    refusal.wait_for()
    assert re.match(
        r"asha saved a change to this article at \d\d:\d\d on \d+ \w+ \d{4}, after you "
        r"opened it, so your changes have not been saved\.",
        refusal.locator("p").first.inner_text(),
    )
    diff = refusal.locator("pre.diff")
    assert diff.locator("del").all_inner_texts() == ["− Asha's new line."]
    assert diff.locator("ins").all_inner_texts() == ["+ Ben's new line."]
    assert diff.is_visible()
    assert ben.locator("textarea[name=body]").input_value() == body + "\nBen's new line.\n"
    aftercare.refresh_from_db()
    assert aftercare.body == body + "\nAsha's new line.\n"

    merged = body + "\nAsha's new line.\nBen's new line.\n"
    ben.locator("textarea[name=body]").fill(merged)
    ben.get_by_role("button", name="Save", exact=True).click()
    ben.get_by_text("was changed successfully").wait_for()
    aftercare.refresh_from_db()
    assert aftercare.body == merged
    assert asha_refused == ben_refused == []


def test_typing_left_unsaved_is_offered_back_and_saving_clears_it(browser, site, aftercare):
    page, refused = log_in(browser, site, "asha")
    address = f"{site}/admin/articles/article/{aftercare.pk}/change/"
    page.goto(address)
    typed = aftercare.body + "\nA line typed but never saved.\n"

    page.locator("textarea[name=body]").fill(typed)
    page.wait_for_function(
        "key => (localStorage.getItem(key) || '').includes('never saved')",
        arg=DRAFT_KEY.format(pk=aftercare.pk),
    )
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(address)

    notice = page.locator(".draft-notice[role=status]")
    notice.get_by_role("button", name="Discard").wait_for()
    assert re.fullmatch(
        r"You typed changes here on \d+ \w+ \d{4} at \d\d:\d\d that were not saved\. They are "
        r"kept in this browser only\.",
        notice.locator("p").inner_text(),
    )
    assert page.locator("textarea[name=body]").input_value() == aftercare.body
    restore = notice.get_by_role("button", name="Restore unsaved changes")
    assert notice.get_by_role("button", name="Discard").is_visible()
    restore.focus()
    page.keyboard.press("Enter")

    assert page.locator("textarea[name=body]").input_value() == typed
    assert notice.inner_text() == "Your unsaved changes are back in the form. Save to keep them."
    assert page.evaluate("document.activeElement.textContent") == notice.inner_text()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    assert draft_in(page, aftercare) is None
    aftercare.refresh_from_db()
    assert aftercare.body == typed
    page.goto(address)
    assert page.locator(".draft-notice").count() == 0
    assert refused == []


def test_a_discarded_draft_is_gone(browser, site, aftercare):
    page, _ = log_in(browser, site, "asha")
    address = f"{site}/admin/articles/article/{aftercare.pk}/change/"
    page.goto(address)
    page.locator("input[name=title]").fill("A title never saved")
    page.wait_for_function(
        "key => (localStorage.getItem(key) || '').includes('never saved')",
        arg=DRAFT_KEY.format(pk=aftercare.pk),
    )
    page.goto(address)

    page.get_by_role("button", name="Discard").click()

    notice = page.locator(".draft-notice[role=status]")
    assert notice.inner_text() == "The unsaved changes were discarded."
    assert draft_in(page, aftercare) is None
    assert page.locator("input[name=title]").input_value() == aftercare.title
    page.goto(address)
    assert page.locator(".draft-notice").count() == 0


def test_a_save_refused_for_a_problem_keeps_the_draft(browser, site, aftercare):
    page, _ = log_in(browser, site, "asha")
    address = f"{site}/admin/articles/article/{aftercare.pk}/change/"
    page.goto(address)
    page.locator("input[name=slug]").fill("Not A Slug")

    page.get_by_role("button", name="Save", exact=True).click()

    page.locator(".errornote").wait_for()
    assert "Not A Slug" in draft_in(page, aftercare)
    assert page.locator(".draft-notice").count() == 0


def test_unsaved_typing_restored_over_a_later_save_is_refused_not_saved_over_it(
    browser, site, aftercare
):
    asha, _ = log_in(browser, site, "asha")
    ben, _ = log_in(browser, site, "ben")
    address = f"{site}/admin/articles/article/{aftercare.pk}/change/"
    asha.goto(address)
    asha.locator("input[name=summary]").fill("Asha's summary, never saved.")
    asha.wait_for_function(
        "key => (localStorage.getItem(key) || '').includes('never saved')",
        arg=DRAFT_KEY.format(pk=aftercare.pk),
    )
    ben.goto(address)
    ben.locator("input[name=summary]").fill("Ben's summary.")
    ben.get_by_role("button", name="Save", exact=True).click()
    ben.get_by_text("was changed successfully").wait_for()

    asha.goto(address)
    asha.get_by_role("button", name="Restore unsaved changes").click()
    asha.get_by_role("button", name="Save", exact=True).click()

    diff = asha.locator(".edit-conflict pre.diff")
    diff.wait_for()
    assert diff.locator("del").all_inner_texts() == ["− Ben's summary."]
    assert diff.locator("ins").all_inner_texts() == ["+ Asha's summary, never saved."]
    assert asha.locator("input[name=summary]").input_value() == "Asha's summary, never saved."
    aftercare.refresh_from_db()
    assert aftercare.summary == "Ben's summary."
