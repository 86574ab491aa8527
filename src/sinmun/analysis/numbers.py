"""Numbers as one term however the news writes them: 3,000명, 3000명 and 3천 명.

Korean news writes a figure with thousands separators (25,000), in digits (25000) or
with Korean units (2만5천, 1억 2천만, 1.5억). Kiwi reads a separated number as one
token (3,000/SN) and a unit numeral as digits and units (3/SN 천/NR). A figure is one
word, its value (3000), whichever way it was written, with the digits and units it was
written in kept as joined forms (korean.py): a search for any of the three writings finds
the others, and counts the figure once. Only groups of exactly three digits are separators: 2,3위 (second and
third place) stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

_SEPARATED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}


def plain(form: str) -> str:
    """A number written with thousands separators, without them (3,000 -> 3000)."""
    return form.replace(",", "") if _SEPARATED.fullmatch(form) else form


def unit(form: str) -> tuple[int, int] | None:
    """A unit numeral's (small, big) multipliers: 천 (1000, 1), 만 (1, 10**4), 천만 (1000, 10**4);
    None if `form` is not one."""
    big = BIG_UNITS.get(form[-1:], 1)
    small = form[:-1] if big > 1 else form
    if not small and big == 1:
        return None
    multiplier = 1
    for ch in small:
        if ch not in SMALL_UNITS:
            return None
        multiplier *= SMALL_UNITS[ch]
    return multiplier, big


def value(run: list[tuple[str, str]]) -> str | None:
    """The value of a run of (form, tag) read as one figure: digits (SN), each followed by a unit
    numeral (NR) but perhaps the last (2만5천, 1억 2천만, 2만 5000), as digits; None unless the
    run has a unit. 1.5억 is 150000000."""
    total = section = Decimal(0)
    units = 0
    i = 0
    while i < len(run):
        form, tag = run[i]
        if tag != "SN":
            return None
        try:
            number = Decimal(plain(form))
        except InvalidOperation:
            return None
        multipliers = unit(run[i + 1][0]) if i + 1 < len(run) and run[i + 1][1] == "NR" else None
        if multipliers is None:
            if i + 1 != len(run):
                return None
            section += number
            break
        small, big = multipliers
        units += 1
        if big == 1:
            section += number * small
        else:
            total += (section + number * small) * big
            section = Decimal(0)
        i += 2
    if not units:
        return None
    figure = total + section
    return str(int(figure)) if figure == figure.to_integral_value() else format(figure.normalize(), "f")


def figures(tokens: Sequence[tuple], joins: Sequence[bool]) -> dict[int, tuple[int, str]]:
    """The figures written with unit numerals among analysed tokens ((form, tag, ...) each;
    `joins[i]`: token i and the next are one written word or one space apart), as
    {first token: (last token, value)}."""
    found: dict[int, tuple[int, str]] = {}
    n = len(tokens)
    i = 0
    while i < n - 1:
        if tokens[i][1] == "SN" and tokens[i + 1][1] == "NR" and joins[i]:
            last = i + 1
            while last + 1 < n and joins[last] and tokens[last + 1][1] == ("SN" if tokens[last][1] == "NR" else "NR"):
                last += 1
            figure = value([(t[0], t[1]) for t in tokens[i:last + 1]])
            if figure:
                found[i] = (last, figure)
                i = last + 1
                continue
        i += 1
    return found
