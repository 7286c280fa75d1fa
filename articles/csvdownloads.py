"""CSV downloads for staff, streamed a block of rows at a time so memory stays flat however many
rows there are."""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

ROWS_PER_BLOCK = 500
# A cell starting with one of these would run as a formula when opened in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@")


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
        return "'" + value if value.startswith(FORMULA_START) else value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
