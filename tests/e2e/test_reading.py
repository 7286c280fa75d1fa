"""What a patient meets in a real browser: keyboard, screen-reader semantics, phone, print."""

import pytest

from articles.models import Article

from .conftest import axe_violations

PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/search/",
    "/search/?q=bruising",
    "/search/?q=xylophone",
    "/search/?q=neddle",
    "/search/?q=does+it+hurt",
    "/subscribe/",
    "/subscribe/sent/",
    "/privacy/",
    "/articles/no-such-page/",
]


@pytest.mark.parametrize("width", [375, 1280])
def test_every_public_page_passes_every_axe_rule(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    articles = [a.get_absolute_url() for a in Article.objects.published()]
    assert len(articles) == 8
    found = {}
    for path in PUBLIC_PAGES + articles:
        page.goto(site + path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations

    assert found == {}, found


def test_keyboard_user_can_skip_straight_to_the_article(site, page):
    page.goto(site + "/articles/aftercare/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible_on_links(site, page):
    page.goto(site + "/articles/aftercare/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")

    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")

    assert outline == "solid"


@pytest.mark.parametrize("path", PUBLIC_PAGES[:7])
def test_text_reflows_at_320_pixels_without_sideways_scrolling(site, page, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_text_reflows_at_200_percent_zoom(site, page):
    page.set_viewport_size({"width": 640, "height": 450})
    page.goto(site + "/articles/safety-and-side-effects/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")

    assert page.evaluate("document.documentElement.scrollWidth") <= 640


def test_body_map_takes_a_patient_to_the_condition(site, page):
    page.goto(site + "/")

    page.get_by_role("link", name="Heel pain").click()

    assert page.url == site + "/articles/conditions-treated/#heel-pain"
    assert page.locator("#heel-pain").is_visible()


def test_printed_article_is_a_handout(site, page):
    page.goto(site + "/articles/aftercare/")
    page.emulate_media(media="print")

    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".pager").is_visible()
    assert page.locator(".print-only.print-phone").is_visible()
    assert page.locator(".print-only.handout").is_visible()
    assert "Printed from" in page.locator(".print-only.handout").inner_text()
    assert page.locator(".print-only svg.qr-code").is_visible()
    page.emulate_media(media="screen")
    assert not page.locator("svg.qr-code").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".admonition.danger").first.is_visible()
    break_rule = page.evaluate(
        "getComputedStyle(document.querySelector('.admonition')).breakInside"
    )
    assert break_rule == "avoid"
