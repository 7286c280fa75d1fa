"""CSV downloads for staff, streamed a block of rows at a time so memory stays flat however many
rows there are."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

ROWS_PER_BLOCK = 500
# Where a spreadsheet may start a cell: the start of the text, or after any character it might be
# told to split on (; , tab, a line end), whatever this file's own delimiter is. A cell that starts
# with = + - or @ (after spaces or a quote) runs as a formula; one starting with a tab or a
# carriage return can hide one. An apostrophe there makes the cell plain text.
_FORMULA_AT_A_CELL_START = re.compile(r"""(?:^|(?<=[;,\t\r\n]))(?=[ "]*[=+\-@]|[\t\r])""")


def csv_download(queryset: QuerySet, columns: list[str], name: str) -> StreamingHttpResponse:
    """``columns`` of every row of ``queryset`` as ``<name>-<date>.csv``."""
    rows = queryset.values_list(*columns).iterator(chunk_size=2000)
    response = StreamingHttpResponse(_lines(columns, rows), content_type="text/csv")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _lines(columns: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    yield _block([columns])
    rows = iter(rows)
    while block := list(islice(rows, ROWS_PER_BLOCK)):
        yield _block([[_cell(value) for value in row] for row in block])


def _block(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return defuse(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def defuse(text: str) -> str:
    """The text with an apostrophe wherever a spreadsheet might start a formula: at its start,
    and after each ; , tab or line end, since an apostrophe only at the start would leave
    ``Nice page;=1+1`` a formula in a spreadsheet that splits on semicolons."""
    return _FORMULA_AT_A_CELL_START.sub("'", text)
