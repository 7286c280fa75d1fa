"""In a real browser every page works under its Content-Security-Policy: nothing is refused."""

import json
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from articles.editor import FRAME_POLICY
from articles.models import Article
from tests.e2e.test_staff_editing import log_in
from tests.test_security_headers import PUBLIC_POLICY, STAFF_POLICY, directives

# Chromium fires this event in each document for each thing its policy refuses.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportViolation(`${location.pathname}: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Watch:
    """What the browser refused, said in the console or by the violation event, and every page
    (frames included) that it loaded."""

    def __init__(self, page):
        self.refused: list[str] = []
        self.documents = []
        page.expose_function("reportViolation", self.violation)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.console)
        page.on("response", self.response)

    def violation(self, text: str) -> None:
        self.refused.append(text)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.refused.append(message.text)

    def response(self, response) -> None:
        if response.request.resource_type == "document":
            self.documents.append(response)

    def policies(self) -> dict[str, str]:
        """Each page's path and the policy it came with."""
        return {
            re.sub(r"^https?://[^/]+", "", response.url): response.all_headers().get(
                "content-security-policy", ""
            )
            for response in self.documents
        }


@pytest.fixture
def watch(page) -> Watch:
    return Watch(page)


def test_public_pages_show_with_nothing_refused(site, page, watch):
    slugs = list(Article.objects.published().values_list("slug", flat=True))
    paths = ["/", "/articles/", "/search/?q=needle", "/subscribe/", "/no-such-page/"]

    for path in paths + [f"/articles/{slug}/" for slug in slugs]:
        page.goto(site + path)
        # The site's stylesheet is applied.
        expect(page.locator(".site-header")).to_have_css("background-color", "rgb(242, 246, 250)")
    page.goto(site + "/articles/conditions-treated/")
    expect(page.locator("figure.figure-body-map svg")).to_be_visible()
    structured = json.loads(page.locator("script[type='application/ld+json']").text_content())
    page.emulate_media(media="print")
    page.goto(site + "/articles/aftercare/")
    expect(page.locator("svg.qr-code")).to_be_visible()

    assert watch.refused == []
    assert structured["@type"] == "MedicalWebPage"
    policies = watch.policies()
    assert len(policies) == len(paths) + len(slugs)
    assert {path: directives(policy) for path, policy in policies.items()} == dict.fromkeys(
        policies, PUBLIC_POLICY
    )


def test_public_page_refuses_script_and_inline_style_put_into_it(site, page, watch):
    page.goto(site + "/articles/aftercare/")

    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.append(script);
            document.body.setAttribute("style", "background: red");
            return window.ran === true;
        }"""
    )

    assert ran is False
    expect(page.locator("body")).not_to_have_css("background-color", "rgb(255, 0, 0)")
    reported = [text for text in watch.refused if text.startswith("/")]
    assert reported == [
        "/articles/aftercare/: script-src-elem inline",
        "/articles/aftercare/: style-src-attr inline",
    ]


def test_staff_write_and_save_an_article_with_nothing_refused(site, page, watch, tmp_path):
    picture = tmp_path / "needle.png"
    Image.new("RGB", (8, 8), "teal").save(picture)
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")
    editor = page.locator("textarea[name=body]")
    frame = page.frame_locator("iframe.editor-frame")
    checks = page.get_by_role("region", name="Reading checks")

    # The admin's own scripts: the address filled in from the title, the date shortcuts.
    page.get_by_label("Title").press_sequentially("Heat after needling")
    expect(page.get_by_label("Slug")).to_have_value("heat-after-needling")
    page.get_by_label("Summary").fill("What to expect after needling.")
    page.locator(".field-reviewed .datetimeshortcuts").get_by_role("link", name="Today").click()

    # The editor: a preview framed as the public page, phone and desktop widths, the checks.
    editor.fill('!!! warning "Tell us first"\n    Tell us if you are pregnant.\n\n')
    expect(frame.locator(".admonition.warning .admonition-title")).to_have_text("Tell us first")
    page.get_by_role("button", name="Phone").click()
    expect(page.locator("iframe.editor-frame")).to_have_attribute("data-width", "phone")
    page.get_by_role("button", name="Desktop").click()
    editor.press("Control+End")
    editor.press_sequentially(" ".join(["Needling can ache and the ache can last"] * 5) + ".")
    expect(checks.get_by_role("list")).to_contain_text("Sentences over 30 words")

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add a picture…").click()
    chooser.value.set_files(picture)
    expect(editor).to_have_value(re.compile(r"\(/media/uploads/[0-9a-f]{32}\.png\)$"))
    body = editor.input_value().replace("Describe the picture here", "A thin needle")
    editor.fill(body.replace(" ".join(["Needling can ache and the ache can last"] * 5), "Rest."))
    expect(checks).to_contain_text("No problems found.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_label("Summary").fill("What to expect in the day after needling.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_role("link", name="History").click()
    expect(page.locator(".compare-versions")).to_have_css("margin-top", "24px")
    page.goto(site + "/admin/articles/article/")
    page.locator("#changelist-filter").get_by_role("link", name="Draft", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("Heat after needling")

    assert watch.refused == []
    policies = watch.policies()
    assert directives(policies.pop("/editor/frame/")) == directives(FRAME_POLICY)
    assert policies.keys() >= {
        "/admin/login/",
        "/admin/articles/article/add/",
        "/admin/articles/article/",
    }
    assert {path: directives(policy) for path, policy in policies.items()} == dict.fromkeys(
        policies, STAFF_POLICY
    )
