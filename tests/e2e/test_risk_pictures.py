"""Risk figures drawn as pictures, in a real browser: accessible at phone and desktop widths,
shown under the public pages' Content-Security-Policy with nothing refused, and printed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from articles.models import Article

from .conftest import axe_violations
from .test_content_policy import Watch

BODY = """\
## Side effects in numbers

In a study in Ireland, [[risk:ireland-mild]].

[[risk-picture:ireland-mild]]

In a study in the USA, [[risk:usa-major]].

[[risk-picture:usa-major]]

[[risk-picture:ireland-serious]]

Cost: [[clinic:cost]]
"""


@pytest.fixture
def risks_page(site) -> str:
    Article.objects.create(
        slug="risks-in-pictures",
        title="Risks in pictures",
        summary="The risks of dry needling, drawn.",
        body=BODY,
        reviewed=dt.date(2026, 1, 15),
        status=Article.Status.PUBLISHED,
    )
    return site + "/articles/risks-in-pictures/"


@pytest.mark.parametrize("width", [375, 1280])
def test_a_page_of_risk_pictures_passes_every_axe_rule(risks_page, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(risks_page)

    expect(page.get_by_role("img", name="About 1,900 in 10,000 treatments")).to_be_visible()
    assert axe_violations(page) == []


def test_risk_pictures_show_with_nothing_refused_and_fit_a_phone(risks_page, page):
    watch = Watch(page)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(risks_page)

    pictures = page.locator("figure.risk-picture svg.risk-icons")
    expect(pictures).to_have_count(3)
    for index in range(3):
        assert pictures.nth(index).bounding_box()["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert watch.refused == []


def test_risk_pictures_print(risks_page, page):
    page.goto(risks_page)
    page.emulate_media(media="print")

    expect(page.locator("figure.risk-picture").first).to_be_visible()
    expect(page.locator("figure.risk-picture figcaption").first).to_contain_text(
        "About 1,900 in 10,000 treatments had a mild side effect such as a bruise"
    )
