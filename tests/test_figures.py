"""Drawings that ship with the site are inlined into pages, so they are held to the sanitiser's bar."""

import xml.etree.ElementTree as ET

import pytest

from articles.importers import ContentError, load_content
from articles.markdown import FIGURES_DIR, figure_names, render

FIGURES = figure_names()


def test_the_promised_figures_exist():
    assert FIGURES == ("body-map", "needle")


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_accessible_and_inert(name):
    root = ET.parse(FIGURES_DIR / f"{name}.svg").getroot()
    namespace = "{http://www.w3.org/2000/svg}"

    assert root.get("role") in {"img", "group"}
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{namespace}title").get("id") == title_id
    assert root.find(f"{namespace}desc").get("id") == desc_id
    assert root.get("width") and root.get("height") and root.get("viewBox")
    for element in root.iter():
        tag = element.tag.removeprefix(namespace)
        assert tag not in {"script", "style", "foreignObject", "image", "iframe"}, tag
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (tag, attribute)
            assert attribute != "style", tag
            if attribute.endswith("href"):
                assert value.startswith("/articles/"), value
        if element.get("id"):
            assert element.get("id").startswith(f"{name.replace('-', '')}-")


def test_figure_shortcode_inlines_the_drawing():
    html = render("Intro.\n\n[[figure:needle]]\n\nAfter.").html

    assert '<figure class="figure figure-needle"><svg' in html
    assert "<p>After.</p>" in html


def test_figure_text_is_not_counted_as_reading_text():
    assert render("Intro.\n\n[[figure:body-map]]\n").text == "Intro."


@pytest.mark.django_db
def test_unknown_figure_is_an_import_error(write_article, content_dir):
    path = write_article("one", body="[[figure:skeleton]]\n")

    with pytest.raises(ContentError) as raised:
        load_content(content_dir)

    assert raised.value.problems == [
        f"{path}: body: There is no figure called 'skeleton' (there are: body-map, needle)."
    ]
