"""Searching as a patient does, in a real browser, on a phone and on a desktop screen."""

import re

import pytest
from playwright.sync_api import expect


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_question_leads_to_the_section_that_answers_it(site, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site + "/")
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("What would you like to know?").fill("Does it hurt?")
    page.keyboard.press("Enter")

    expect(
        page.get_by_role("heading", level=2, name=re.compile("found for “does it hurt”"))
    ).to_be_visible()
    first = page.locator("ol.results > li").first
    expect(first.get_by_role("link")).to_have_attribute(
        "href", "/articles/what-it-feels-like/#how-often-it-hurts"
    )
    expect(first.locator("mark").first).to_be_visible()
    assert fits_the_screen(page)

    first.get_by_role("link").click()

    assert page.url.endswith("/articles/what-it-feels-like/#how-often-it-hurts")
    expect(page.locator("#how-often-it-hurts")).to_be_in_viewport()
    assert fits_the_screen(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_a_slip_of_typing_still_finds_the_pages(site, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site + "/search/?q=acupunture")

    expect(page.locator(".did-you-mean")).to_contain_text("Did you mean acupuncture?")
    first = page.locator("ol.results > li").first
    expect(first.get_by_role("link")).to_contain_text("Dry needling vs acupuncture")
    assert fits_the_screen(page)


def test_a_search_that_finds_nothing_offers_searches_that_do(site, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site + "/search/?q=xylophone")

    expect(page.get_by_role("heading", name="No pages found for “xylophone”")).to_be_visible()
    offered = page.locator("ul.suggestions a")
    assert offered.count() >= 3
    for number in range(offered.count()):
        page.goto(site + "/search/?q=xylophone")
        page.locator("ul.suggestions a").nth(number).click()
        expect(page.locator("ol.results > li").first).to_be_visible()
