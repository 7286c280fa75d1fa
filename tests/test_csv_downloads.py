"""CSV downloads never hand a spreadsheet a formula: not at the start of a cell, and not at the
start of any part a spreadsheet might split a cell into (on ; , tab or a new line)."""

import csv
import re

import pytest

from articles.csvdownloads import defuse
from articles.models import Feedback

SEPARATORS = re.compile(r"[;,\t\r\n]")
DANGEROUS = ("=", "+", "-", "@")


def parts(cell: str) -> list[str]:
    return SEPARATORS.split(cell)


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1+1",
        "\rhello",
        " =1+1",
        "Nice page;=1+1",
        "Nice page,=1+1",
        "Nice page\t=1+1",
        "Nice page\n=1+1",
        "Nice page\r\n@SUM(A1)",
        "Nice page; =HYPERLINK(1)",
        'Nice page;"=1+1"',
        "a;b;c,-2+3",
    ],
)
def test_no_part_of_a_cell_starts_a_formula(text):
    cell = defuse(text)

    assert not cell.startswith(("\t", "\r"))
    for part in parts(cell):
        assert not part.lstrip(' "').startswith(DANGEROUS), (cell, part)
    assert cell.replace("'", "") == text.replace("'", "")


@pytest.mark.parametrize(
    "text",
    ["Nice page; thanks", "Clear, short and kind", "e-mail me - no", "/articles/aftercare/", ""],
)
def test_ordinary_text_is_left_as_it_is(text):
    assert defuse(text) == text


@pytest.mark.django_db
def test_a_comment_with_a_formula_after_a_semicolon_is_exported_defused(staff_client, make_article):
    feedback = Feedback.objects.create(
        article=make_article("aftercare"), helpful=True, comment="Nice page;=1+1"
    )

    export = staff_client.post(
        "/admin/articles/feedback/", {"action": "export_csv", "_selected_action": [feedback.pk]}
    )

    text = b"".join(export.streaming_content).decode()
    [row] = list(csv.reader(text.splitlines()[1:]))
    assert row[3] == "Nice page;'=1+1"
    for line in text.splitlines():
        for cell in re.split(r"[;,]", line):
            assert not cell.lstrip(' "').startswith(DANGEROUS), line
