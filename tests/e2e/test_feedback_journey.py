"""A reader answers "Was this page helpful?" on a cached article page, in a real browser."""

from articles.models import Feedback

from .conftest import axe_violations


def test_a_reader_says_no_and_explains_on_a_cached_page(site, page):
    page.goto(site + "/articles/aftercare/")
    cached = page.goto(site + "/articles/aftercare/")
    assert cached.headers["x-page-cache"] == "hit"
    assert "set-cookie" not in cached.headers

    page.get_by_role("button", name="No").click()
    page.get_by_label("What was missing or unclear?").fill(
        "The ice advice was unclear. Email me at jo@example.org"
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send").click()

    page.get_by_text("Thank you for telling us.").wait_for()
    feedback = Feedback.objects.get()
    assert (feedback.article.slug, feedback.helpful) == ("aftercare", False)
    assert feedback.comment == "The ice advice was unclear. Email me at [email address removed]"


def test_the_buttons_work_from_the_keyboard(site, page):
    page.goto(site + "/articles/what-it-feels-like/")
    yes = page.get_by_role("button", name="Yes")
    yes.focus()

    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Thank you").wait_for()
    assert Feedback.objects.get().helpful is True
