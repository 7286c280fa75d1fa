"""Risk figures in words and pictures: the one place where a count from a study becomes what
patients read ("about 19 in 100 treatments had a mild side effect such as a bruise; about 81 in
100 did not") and see (an array of icons, drawn here as SVG from numbers only).

Patients misread mixed formats ("19%", "0.04%", "1 in 5", "4 in 10,000"), so a page states every
figure out of one number, its *denominator*: 100, 1,000 or 10,000, the smallest at which every
figure on the page (its blocks included) is a whole number after rounding that moves it by no
more than a tenth of itself. So a page that shows 19 in 100 beside a risk of 1 in 1,000 says
"about 190 in 1,000" and "about 1 in 1,000", and the two can be compared at a glance. Never a
percentage, and never a word such as "rare" or "common" in place of a number.

The wording is written for a reading age of about 11: whole numbers, "about" whenever a number
was rounded, and both sides of every figure (those who had it and those who did not).
"""

import html
import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction

DENOMINATORS = (100, 1_000, 10_000)
# Rounding to a whole number may move a figure by at most this share of itself.
CLOSE_ENOUGH = Fraction(1, 10)
UNITS = {"treatments": "treatment", "people": "person"}
UPPER = re.compile(r"\s*([0-9][0-9,]*)\s+in\s+([0-9][0-9,]*)\s*\Z")


def parse_upper(text: str) -> tuple[int, int] | None:
    """An upper limit written "N in D" ("4 in 10,000") as (N, D); None if it is not one."""
    match = UPPER.match(text or "")
    if not match or not all(re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", part) for part in match.groups()):
        return None
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


@dataclass(frozen=True)
class Figure:
    """One risk as a page states it: out of ``per``, the page's denominator."""

    per: int
    unit: str  # "treatments" or "people"
    event: str  # what happened, as it follows "had"
    count: int
    total: int
    marked: int  # how many in ``per`` had it (0 when none did, or fewer than 1 in ``per``)
    exact: bool  # ``marked`` is the figure itself, not a rounding of it
    upper: int = 0  # when none had it: at most this many in ``per`` (0: no limit given)

    @property
    def singular(self) -> str:
        return UNITS.get(self.unit, self.unit)

    def words(self) -> str:
        """The figure in words, starting in lower case, to stand anywhere in a sentence."""
        per, unit, event = f"{self.per:,}", self.unit, self.event
        if self.count == 0:
            said = f"none of the {self.total:,} {unit} had {event}"
            if self.upper:
                said += f"; the chance is at most {self.upper:,} in {per}"
            return said
        if self.count == self.total:
            return f"all {self.total:,} {unit} had {event}"
        if self.marked == 0:
            return (
                f"fewer than 1 in {per} {unit} had {event}; more than {self.per - 1:,} in {per} "
                "did not"
            )
        if self.marked == self.per:
            return (
                f"more than {self.per - 1:,} in {per} {unit} had {event}; fewer than 1 in {per} "
                "did not"
            )
        about = "" if self.exact else "about "
        return (
            f"{about}{self.marked:,} in {per} {unit} had {event}; "
            f"{about}{self.per - self.marked:,} in {per} did not"
        )

    def sentence(self) -> str:
        """The figure in words as a sentence of its own (a picture's caption)."""
        words = self.words()
        return f"{words[0].upper()}{words[1:]}."


def _share(count: int, total: int, per: int) -> Fraction:
    return Fraction(count * per, total)


def _rounded(exact: Fraction, per: int) -> int:
    """A whole number near ``exact``: the nearest, or, from 100 up, to two significant figures
    (the studies give their percentages to two or three), unless that would say none or all."""
    if exact.denominator == 1:
        return int(exact)
    nearest = math.floor(exact + Fraction(1, 2))
    if nearest >= 100:
        step = 10 ** (len(str(nearest)) - 2)
        coarse = math.floor(exact / step + Fraction(1, 2)) * step
        if 0 < coarse < per:
            return coarse
    return nearest


def _close_enough(said: int, exact: Fraction) -> bool:
    return said >= 1 and abs(said - exact) <= CLOSE_ENOUGH * exact


def fits(risk, per: int) -> bool:
    """Whether ``risk`` can be stated out of ``per`` as a whole number without moving it by more
    than a tenth of itself (an upper limit, rounded up so that it stays a limit, likewise)."""
    if risk.count:
        exact = _share(risk.count, risk.total, per)
        return _close_enough(_rounded(exact, per), exact)
    limit = parse_upper(risk.upper)
    if not limit:
        return True
    exact = _share(*limit, per)
    return _close_enough(math.ceil(exact), exact)


def smallest_denominator(risk) -> int:
    """The smallest of 100, 1,000 and 10,000 that ``risk`` fits; the largest if none does."""
    return next((per for per in DENOMINATORS if fits(risk, per)), DENOMINATORS[-1])


def page_denominator(risks) -> int:
    """The one denominator of a page that states ``risks``: the smallest that every one fits."""
    return max((smallest_denominator(risk) for risk in risks), default=DENOMINATORS[0])


def figure(risk, per: int) -> Figure:
    """``risk`` (anything with event, count, total, of and upper) stated out of ``per``."""
    exact = _share(risk.count, risk.total, per)
    marked = _rounded(exact, per) if risk.count else 0
    limit = parse_upper(risk.upper) if not risk.count else None
    return Figure(
        per=per,
        unit=risk.of,
        event=risk.event,
        count=risk.count,
        total=risk.total,
        marked=min(marked, per),
        exact=marked == exact,
        upper=min(math.ceil(_share(*limit, per)), per) if limit else 0,
    )


# The pictures. Every icon is one treatment (or person), at every denominator: an icon that
# stood for 10 or 100 could not show 1 in 1,000 or 4 in 10,000 at all, and a part of an icon is
# hard to read. The icons come in blocks of 100 (10 by 10), so the eye counts by hundreds: one
# block for 100, ten blocks (5 across, 2 down) for 1,000, and a hundred blocks (10 by 10) for
# 10,000. Those who had it are filled in first, block by block from the top left; when they are
# fewer than 100 in a large picture, their block is outlined so the eye finds them. A marked
# icon differs from the others in shape (a circle, not a square) and in fill (dark, not white),
# so the picture reads without colour and prints in black and white; an upper limit is an
# empty circle. Each kind of icon is a pattern filling the rectangles of its run, so even
# 10,000 icons are a few dozen elements.
ICON = 10  # user units a side
BLOCK = 10 * ICON
GAP = ICON  # between blocks: a whole icon, so that the patterns line up across blocks
BLOCKS = {100: (1, 1), 1_000: (5, 2), 10_000: (10, 10)}  # across, down
WIDTHS = {100: 280, 1_000: 640, 10_000: 640}  # as drawn, in pixels, before the page scales it
MARGIN = 4
DARK = "#12395e"
LINE = "#5f6b78"
SHAPES = {
    "had": f'<circle cx="5" cy="5" r="4.2" fill="{DARK}"/>',
    "might": f'<circle cx="5" cy="5" r="3.6" fill="#ffffff" stroke="{DARK}" stroke-width="2"/>',
    "not": f'<rect x="1.5" y="1.5" width="7" height="7" fill="#ffffff" stroke="{LINE}"/>',
}


def drawing(shown: Figure, number: int, label: str) -> str:
    """The icon array of ``shown``, the ``number``th on its page (its patterns' ids are unique
    on the page), named by ``label``. Numbers only go into it; ``label`` is escaped."""
    across, down = BLOCKS[shown.per]
    width = across * BLOCK + (across - 1) * GAP
    height = down * BLOCK + (down - 1) * GAP
    prefix = f"risk{number}"
    patterns = "".join(
        f'<pattern id="{prefix}-{kind}" width="{ICON}" height="{ICON}" '
        f'patternUnits="userSpaceOnUse">{shape}</pattern>'
        for kind, shape in SHAPES.items()
    )
    # Those who had it, then those who might (the rest of an upper limit), then the others.
    runs = [("had", shown.marked), ("might", shown.marked + shown.upper), ("not", shown.per)]
    parts = []
    for index in range(across * down):
        left = (index % across) * (BLOCK + GAP)
        top = (index // across) * (BLOCK + GAP)
        first = index * 100
        start = 0
        for kind, end in runs:
            low, high = max(start, first), min(end, first + 100)
            for x, y, w, h in _rectangles(low - first, high - first):
                parts.append(
                    f'<rect x="{left + x * ICON}" y="{top + y * ICON}" width="{w * ICON}" '
                    f'height="{h * ICON}" fill="url(#{prefix}-{kind})"/>'
                )
            start = end
    few = shown.marked + shown.upper
    if shown.per > 100 and 0 < few < 100:
        parts.append(
            f'<rect x="-2" y="-2" width="{BLOCK + 4}" height="{BLOCK + 4}" fill="none" '
            f'stroke="{DARK}" stroke-width="2"/>'
        )
    shown_width = WIDTHS[shown.per]
    shown_height = round(shown_width * (height + 2 * MARGIN) / (width + 2 * MARGIN))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="risk-icons" '
        f'viewBox="{-MARGIN} {-MARGIN} {width + 2 * MARGIN} {height + 2 * MARGIN}" '
        f'width="{shown_width}" height="{shown_height}" role="img" '
        f'aria-label="{html.escape(label)}" focusable="false">'
        f"<defs>{patterns}</defs>{''.join(parts)}</svg>"
    )


def _rectangles(start: int, end: int, across: int = 10):
    """The icons ``start`` to ``end`` (counted row by row in a block of 10 by 10) as
    rectangles (x, y, width, height) in icons: a part row, whole rows, a part row."""
    while start < end:
        row, column = divmod(start, across)
        if column or end - start < across:
            stop = min(end, (row + 1) * across)
            yield column, row, stop - start, 1
        else:
            stop = start + (end - start) // across * across
            yield 0, row, across, (stop - start) // across
        start = stop


def key_icon(kind: str) -> str:
    """A small icon for the key beside a picture, hidden from screen readers (the words say it)."""
    return (
        f'<svg class="risk-key-icon" viewBox="0 0 {ICON} {ICON}" width="20" height="20" '
        f'aria-hidden="true" focusable="false">{SHAPES[kind]}</svg>'
    )


def key(shown: Figure) -> str:
    """What each kind of icon stands for, as a list, with the blocks explained when there are
    more than 100 icons. Escaped here: the event is staff's words."""
    one = f"1 {shown.singular}"
    event = shown.event
    items = []
    if shown.marked:
        items.append(("had", f"{one} that had {event}"))
    if shown.upper:
        items.append(("might", f"{one} that might have {event} (at most this many)"))
    if shown.marked + shown.upper < shown.per:
        items.append(("not", f"{one} that did not have {event}"))
    listed = "".join(f"<li>{key_icon(kind)} {html.escape(words)}</li>" for kind, words in items)
    blocks = (
        f'<p class="risk-scale">There are {shown.per:,} {html.escape(shown.unit)} here, in '
        "blocks of 100.</p>"
        if shown.per > 100
        else ""
    )
    return f'<ul class="risk-key">{listed}</ul>{blocks}'


def encode(shown: Figure) -> str:
    """``shown`` as hex, to travel through the renderer in a marker only this module writes."""
    return json.dumps(shown.__dict__, separators=(",", ":")).encode().hex()


def decode(encoded: str) -> Figure:
    return Figure(**json.loads(bytes.fromhex(encoded)))


def picture_html(shown: Figure, caption_html: str, number: int) -> str:
    """The figure as a page shows it: the drawing, named by the figure in words, then the same
    words as its visible caption (``caption_html``, sanitised, with its citation), then the key."""
    return (
        f'<figure class="risk-picture">{drawing(shown, number, shown.sentence())}'
        f"<figcaption><p>{caption_html}</p>{key(shown)}</figcaption></figure>"
    )
