"""Clinic staff write in the admin's markdown editor and preview what patients will see."""

from django.contrib.auth.models import User


def log_in(site, page):
    User.objects.create_user(
        "editor", password="a-long-password-1", is_staff=True, is_superuser=True
    )
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()


def test_live_preview_shows_the_sanitised_page(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")

    page.locator("textarea[name=body]").fill(
        '## Aftercare\n\n!!! danger "Get help"\n    Call 999.\n\n<script>window.hacked=1</script>\n'
    )
    preview = page.frame_locator("iframe.editor-frame").locator(".prose")
    preview.locator("h2#aftercare").wait_for()

    html = preview.inner_html()
    assert '<div class="admonition danger">' in html
    assert "&lt;script&gt;window.hacked=1&lt;/script&gt;" in html
    assert "<script" not in html
    assert page.evaluate("window.hacked") is None


def test_refused_upload_is_explained_in_the_editor(site, page):
    log_in(site, page)
    page.goto(site + "/admin/articles/article/add/")
    box = page.locator(".markdownx")

    box.locator("textarea").fill("Before.")

    box.evaluate(
        """(box) => {
            const files = new DataTransfer();
            files.items.add(new File(["just text"], "notes.png", {type: "image/png"}));
            box.querySelector("textarea").dispatchEvent(
                new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
        }"""
    )

    alert = box.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == (
        "That file is not a picture we can read. Upload a PNG, JPEG, WebP or GIF picture."
    )
    assert box.locator("textarea").input_value() == "Before."
