"""Staff add blocks, boxes, links, pictures and risk figures from the editor's buttons and
menus, with no syntax to remember, and publish; a picture always goes on a line of its own."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_staff_editing import log_in

FRAME = "iframe.editor-frame"
URGENT_HELP = "When to get help (999, NHS 111 or GP, the clinic) (urgent-help)"
RISK_WORDS = "about 19 in 100 treatments had a mild side effect such as a bruise"
WRITTEN = (
    "Most people feel fine after needling.\n"
    "\n"
    "[[block:urgent-help]]\n"
    "\n"
    '!!! warning "Before your treatment"\n'
    "    Tell us if you feel faint.\n"
    "    Bring a list of your medicines.\n"
    "\n"
    "Read [Looking after yourself after dry needling](/articles/aftercare/) for more. "
    "In a study, [[risk:ireland-mild]]."
)


def choose_the_mild_risk(page) -> None:
    page.get_by_role("button", name="Risk figure…").click()
    page.get_by_label("Risk figure to add").select_option(
        label="ireland-mild: a mild side effect such as a bruise (1,450 in 7,629 treatments)"
    )


def small_png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "steelblue").save(picture, "PNG")
    return picture.getvalue()


def test_staff_write_and_publish_with_a_block_a_box_a_link_a_picture_and_risks(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")
    editor = page.locator("textarea[name=body]")
    preview = page.frame_locator(FRAME).locator(".prose")
    page.get_by_label("Title").press_sequentially("Feeling faint")
    page.get_by_label("Summary").fill("What to do if you feel faint.")
    page.locator(".field-reviewed .datetimeshortcuts").get_by_role("link", name="Today").click()
    editor.press_sequentially("Most people feel fine after needling.")

    # A block, chosen by its title.
    page.get_by_role("button", name="Block…").click()
    page.get_by_label("Block to add").select_option(label=URGENT_HELP)
    page.get_by_role("button", name="Insert block").click()

    # A warning box, from the keyboard alone: its text is selected, to be typed over, and
    # Enter keeps the next line in the box.
    box_button = page.get_by_role("button", name="Box…")
    box_button.focus()
    page.keyboard.press("Enter")
    expect(box_button).to_have_attribute("aria-expanded", "true")
    kind = page.get_by_label("Kind of box")
    expect(kind).to_be_focused()
    expect(kind.locator("option")).to_have_text(["Information", "Warning", "Urgent"])
    kind.select_option(label="Warning")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Insert box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()
    expect(box_button).to_have_attribute("aria-expanded", "false")
    page.keyboard.type("Tell us if you feel faint.")
    page.keyboard.press("Enter")
    page.keyboard.type("Bring a list of your medicines.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    # A link to another article, chosen by its title, and a risk figure in words.
    page.keyboard.type("Read")
    page.get_by_role("button", name="Link to an article…").click()
    page.get_by_label("Article to link to").select_option(
        label="Looking after yourself after dry needling"
    )
    page.get_by_role("button", name="Insert link").click()
    page.keyboard.press("End")
    page.keyboard.type(" for more. In a study,")
    choose_the_mild_risk(page)
    page.get_by_role("button", name="Insert in words").click()
    page.keyboard.type(".")

    expect(editor).to_have_value(WRITTEN)
    # The block has a warning box of its own; the one added here comes after it.
    callout = preview.locator(".admonition.warning").last
    expect(callout.locator(".admonition-title")).to_have_text("Before your treatment")
    expect(callout.locator("p").nth(1)).to_have_text(
        "Tell us if you feel faint.\nBring a list of your medicines."
    )
    expect(preview.locator(".admonition.danger .admonition-title")).to_have_text(
        "Call 999 or go to A&E now if you have:"
    )
    expect(preview).to_contain_text(f"In a study, {RISK_WORDS}")
    expect(
        preview.get_by_role("link", name="Looking after yourself after dry needling")
    ).to_have_attribute("href", "/articles/aftercare/")

    # Tab leaves the text for the next control; it types nothing.
    editor.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Phone")).to_be_focused()
    expect(editor).to_have_value(WRITTEN)

    # A picture from the button, its description typed over the words selected for it, and
    # the risk figure again, drawn as a picture: each on a line of its own.
    editor.focus()
    page.keyboard.press("Control+End")
    with page.expect_file_chooser() as chosen:
        page.get_by_role("button", name="Add a picture…").click()
    chosen.value.set_files({"name": "leaflet.png", "mimeType": "image/png", "buffer": small_png()})
    expect(editor).to_have_value(re.compile(r"!\[Describe the picture here\]"))
    page.keyboard.type("A physiotherapist with a patient")
    page.keyboard.press("Control+End")
    choose_the_mild_risk(page)
    page.get_by_role("button", name="Insert as a picture").click()
    expect(editor).to_have_value(
        re.compile(
            re.escape(WRITTEN) + r"\n\n!\[A physiotherapist with a patient\]"
            r"\(/media/uploads/[0-9a-f]{32}\.png\)\n\n\[\[risk-picture:ireland-mild\]\]\n*$"
        )
    )
    expect(preview.locator("figure.risk-picture")).to_have_count(1)

    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto(site + "/articles/feeling-faint/")
    prose = page.locator(".prose")
    expect(prose.get_by_role("img", name="A physiotherapist with a patient")).to_be_visible()
    expect(prose.locator("figure.risk-picture svg.risk-icons")).to_have_count(1)
    callout = prose.locator(".admonition.warning").last
    expect(callout.locator(".admonition-title")).to_have_text("Before your treatment")
    expect(callout.locator("p").nth(1)).to_have_text(
        "Tell us if you feel faint.\nBring a list of your medicines."
    )
    expect(prose.locator(".admonition.danger .admonition-title")).to_have_text(
        "Call 999 or go to A&E now if you have:"
    )
    expect(prose).to_contain_text(f"In a study, {RISK_WORDS}")
    expect(
        prose.get_by_role("link", name="Looking after yourself after dry needling")
    ).to_have_attribute("href", "/articles/aftercare/")


def test_escape_closes_a_menu_and_goes_back_to_its_button(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")
    opener = page.get_by_role("button", name="Risk figure…")

    opener.click()
    expect(page.get_by_label("Risk figure to add")).to_be_focused()
    page.keyboard.press("Escape")

    expect(opener).to_be_focused()
    expect(opener).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Insert in words")).to_be_hidden()


def test_a_dropped_picture_goes_on_a_line_of_its_own(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")
    editor = page.locator("textarea[name=body]")
    editor.press_sequentially("Call us if you need help. We are open every day.")
    editor.press("Home")
    for _ in "We are open every day.":
        editor.press("ArrowRight")
    # The cursor sits after "help. ": django-markdownx would glue the picture there.
    for _ in "We are open every day.":
        editor.press("ArrowLeft")

    page.locator(".markdownx").evaluate(
        """async (box) => {
            const canvas = document.createElement("canvas");
            canvas.width = 8;
            canvas.height = 8;
            const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
            const files = new DataTransfer();
            files.items.add(new File([blob], "needle.png", {type: "image/png"}));
            box.querySelector("textarea").dispatchEvent(
                new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
        }"""
    )

    expect(editor).to_have_value(
        re.compile(
            r"^Call us if you need help\.\n\n!\[Describe the picture here\]"
            r"\(/media/uploads/[0-9a-f]{32}\.png\)\n\nWe are open every day\.$"
        )
    )
    assert editor.evaluate("e => e.value.slice(e.selectionStart, e.selectionEnd)") == (
        "Describe the picture here"
    )
    expect(page.frame_locator(FRAME).locator(".prose img")).to_have_count(1)


def test_a_block_is_not_offered_inside_a_block(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/block/add/")

    expect(page.get_by_role("button", name="Box…")).to_be_visible()
    expect(page.get_by_role("button", name="Risk figure…")).to_be_visible()
    expect(page.get_by_role("button", name="Block…")).to_have_count(0)
