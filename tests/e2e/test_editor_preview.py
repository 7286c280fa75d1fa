"""The article editor shows staff, beside the text, the page patients will see and how it reads."""

import re

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_staff_editing import log_in

FRAME = "iframe.editor-frame"
LONG_SENTENCE = (
    "Dry needling is a treatment in which a physiotherapist places very thin needles into tight "
    "bands of muscle so that the muscle can relax and move more freely again after weeks of "
    "pain and stiffness."
)
LONG_SENTENCE_WARNING = (
    "A sentence has 35 words (“Dry needling is a treatment in…”). Sentences over 30 words are "
    "hard to follow: split it up."
)


def open_editor(site, page) -> None:
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")


def preview(page):
    return page.frame_locator(FRAME).locator(".prose")


def test_preview_frame_shows_a_callout_styled_by_the_site(site, page):
    open_editor(site, page)

    page.locator("textarea[name=body]").fill(
        '## Before you come\n\n!!! warning "Tell us first"\n    Tell us if you are pregnant.\n'
    )

    callout = preview(page).locator(".admonition.warning")
    expect(callout.locator(".admonition-title")).to_have_text("Tell us first")
    expect(callout).to_have_css("background-color", "rgb(255, 246, 224)")
    expect(callout).to_have_css("border-left-color", "rgb(138, 90, 0)")
    expect(callout).to_have_css("border-left-width", "6px")
    assert page.locator(FRAME).get_attribute("sandbox") == "allow-same-origin"


def test_phone_and_desktop_switch_sets_the_preview_width(site, page):
    open_editor(site, page)
    frame = page.locator(FRAME)
    phone = page.get_by_role("button", name="Phone")
    desktop = page.get_by_role("button", name="Desktop")
    desktop_width = frame.bounding_box()["width"]

    # From the text, Tab moves on to the switch (it does not type a tab into the text).
    page.locator("textarea[name=body]").press_sequentially("Some words.")
    page.keyboard.press("Tab")
    expect(phone).to_be_focused()
    page.keyboard.press("Space")

    assert preview(page).evaluate("prose => prose.ownerDocument.defaultView.innerWidth") == 375
    assert frame.bounding_box()["width"] == 375 + 2  # and a 1 px border each side
    assert phone.get_attribute("aria-pressed") == "true"
    assert desktop.get_attribute("aria-pressed") == "false"
    assert page.locator("textarea[name=body]").input_value() == "Some words."

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    assert frame.bounding_box()["width"] == desktop_width
    assert desktop_width == page.locator(".editor-see").bounding_box()["width"]
    assert phone.get_attribute("aria-pressed") == "false"
    assert desktop.get_attribute("aria-pressed") == "true"


def test_long_sentence_warning_comes_and_goes_as_staff_type(site, page):
    open_editor(site, page)
    checks = page.get_by_role("region", name="Reading checks")
    editor = page.locator("textarea[name=body]")

    editor.press_sequentially(LONG_SENTENCE)

    expect(checks.get_by_role("listitem")).to_have_text(
        [
            LONG_SENTENCE_WARNING,
            "The reading grade is 13.4. Aim for 8 or below: use shorter sentences and everyday "
            "words.",
        ]
    )
    expect(checks.locator("dd")).to_have_text(
        ["13.4", "– (needs 3 sentences)", "35", "About 1 minute"]
    )

    editor.press("Control+a")
    editor.press_sequentially("Dry needling uses very thin needles.")

    expect(checks.get_by_role("listitem")).to_have_count(0)
    expect(checks).to_contain_text("No problems found.")
    assert preview(page).inner_html() == "<p>Dry needling uses very thin needles.</p>"


def test_percentage_warning_and_smog_grade_show_as_staff_type(site, page):
    open_editor(site, page)
    checks = page.get_by_role("region", name="Reading checks")
    editor = page.locator("textarea[name=body]")
    smog = checks.get_by_role("definition").nth(1)

    editor.press_sequentially("About 19% of people")

    expect(checks.get_by_role("listitem")).to_have_text(
        [
            "“19%” is a percentage, which many patients find hard to picture. Write it as "
            "“N in D” instead: “about 19 in 100”."
        ]
    )
    expect(smog).to_have_text("– (needs 3 sentences)")
    expect(checks.get_by_role("term").nth(1)).to_have_text("SMOG (aim for 9 or below)")

    editor.press_sequentially(
        " feel a little sore after needling. The soreness usually goes within a day or two. "
        "Most people go back to work on the same day."
    )

    expect(smog).to_have_text("6.4")
    expect(checks.get_by_role("definition").first).to_have_text("3.5")
    expect(checks.get_by_role("listitem")).to_have_count(1)


def test_picture_button_uploads_and_inserts_the_picture(site, page, tmp_path):
    picture = tmp_path / "needle.png"
    Image.new("RGB", (8, 8), "teal").save(picture)
    open_editor(site, page)
    editor = page.locator("textarea[name=body]")
    editor.fill("Before.")

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add a picture…").press("Enter")
    chooser.value.set_files(picture)

    expect(editor).to_have_value(
        re.compile(
            r"^Before\.\n\n!\[Describe the picture here\]\(/media/uploads/[0-9a-f]{32}\.png\)$"
        )
    )
    expect(page.get_by_role("alert")).to_have_count(0)


def test_picture_button_explains_a_refused_file(site, page, tmp_path):
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("just text")
    open_editor(site, page)
    editor = page.locator("textarea[name=body]")
    editor.fill("Before.")

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add a picture…").click()
    chooser.value.set_files(not_a_picture)

    alert = page.locator(".markdownx").get_by_role("alert")
    expect(alert).to_have_text(
        "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture."
    )
    assert alert.evaluate("note => note.matches('p.errornote')")
    assert editor.input_value() == "Before."
