"""Dates named in Korean news text, resolved against the article's own date.

News text dates events relative to the day it was written: `15일(현지시간)`,
`지난 9월`, `지난해 5월`, `오는 2028년`, `13일 장중`, `어제`. Each becomes an event
with the words as printed, their offsets, the resolved date and its precision;
the text itself is never changed.

Rules (the reference is the publication date `ref`):
- `N일` alone is the most recent day N on or before `ref` (news reports what
  happened), unless `오는`/`다음` marks it as coming: then the next day N.
- `N월` alone, or `지난 N월`: the most recent month N; `오는 N월`: the next one.
- `지난해`/`작년`, `올해`/`금년`, `내년`, `재작년` shift the year; a month or a
  day after them is placed in that year.
- `YYYY년`, `YYYY년 M월`, `YYYY년 M월 D일`, `M월 D일` are absolute (the year of
  `M월 D일` is taken as above).
- `어제`, `오늘`, `그제`/`그저께`, `내일`, `지난달`, `이달`, `다음 달`, `지난주`,
  `이번 주`, `다음 주` are offsets from `ref`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

PRECISIONS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Event:
    text: str
    start: int
    end: int
    date: str  # ISO: YYYY-MM-DD for day and week (the week's Monday), YYYY-MM, YYYY
    precision: str

    def to_dict(self) -> dict:
        return asdict(self)


_YEAR_WORDS = {"재작년": -2, "지난해": -1, "작년": -1, "올해": 0, "금년": 0, "내년": 1, "이듬해": 1}
_DAY_WORDS = {"그저께": -2, "그제": -2, "어제": -1, "오늘": 0, "내일": 1, "모레": 2}
_MONTH_WORDS = {"지난달": -1, "이달": 0, "이번 달": 0, "다음 달": 1, "다음달": 1}
_WEEK_WORDS = {"지난주": -1, "이번 주": 0, "이번주": 0, "다음 주": 1, "다음주": 1}

_PATTERN = re.compile(
    r"(?P<prefix>(?:지난|오는|다음)\s*)?"
    r"(?:"
    r"(?P<year>\d{4})년(?:\s*(?P<ymonth>\d{1,2})월(?:\s*(?P<yday>\d{1,2})일)?)?"
    r"|(?P<yword>재작년|지난해|작년|올해|금년|내년|이듬해)(?:\s*(?P<wmonth>\d{1,2})월(?:\s*(?P<wday>\d{1,2})일)?)?"
    r"|(?P<month>\d{1,2})월(?:\s*(?P<mday>\d{1,2})일)?"
    r"|(?P<day>\d{1,2})일"
    r"|(?P<dword>그저께|그제|어제|오늘|내일|모레)"
    r"|(?P<mword>지난달|이번 달|이달|다음 달|다음달)"
    r"|(?P<wword>지난주|이번 주|이번주|다음 주|다음주)"
    r")"
    # Not part of a longer number or word: 2025년도 is fine, 15일간 (a span) is not a date.
    r"(?![간째분초])"
)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _day_near(ref: date, day: int, future: bool, strict: bool = False) -> date | None:
    """The most recent day `day` on or before ref (or the next one, when future).

    `strict` (지난 N일) excludes ref itself."""
    year, month = ref.year, ref.month
    for _ in range(3):
        if _valid(year, month, day):
            candidate = date(year, month, day)
            if (candidate >= ref) if future else (candidate < ref if strict else candidate <= ref):
                return candidate
        year, month = _shift_month(year, month, 1 if future else -1)
    return None


def _month_near(ref: date, month: int, future: bool, same_ok: bool = True) -> int:
    """The year of the most recent month `month` (or the next one, when future)."""
    if future:
        return ref.year if month > ref.month or (same_ok and month == ref.month) else ref.year + 1
    return ref.year if month < ref.month or (same_ok and month == ref.month) else ref.year - 1


def resolve(text: str, ref: date) -> list[Event]:
    """Every date expression in `text`, resolved against the publication date `ref`."""
    events: list[Event] = []
    for m in _PATTERN.finditer(text):
        if m.start() and (text[m.start() - 1].isdecimal() or text[m.start() - 1] in ".,"):
            continue  # the tail of a longer number (1.5일, 2,000년)
        g = m.groupdict()
        prefix = (g["prefix"] or "").strip()
        future = prefix in ("오는", "다음")
        event = None
        if g["year"]:
            year = int(g["year"])
            if g["ymonth"] and g["yday"] and _valid(year, int(g["ymonth"]), int(g["yday"])):
                event = (date(year, int(g["ymonth"]), int(g["yday"])).isoformat(), "day")
            elif g["ymonth"] and 1 <= int(g["ymonth"]) <= 12:
                event = (f"{year:04d}-{int(g['ymonth']):02d}", "month")
            elif not g["ymonth"] and 1000 <= year <= 2999:
                event = (f"{year:04d}", "year")
        elif g["yword"]:
            year = ref.year + _YEAR_WORDS[g["yword"]]
            month, day = g["wmonth"], g["wday"]
            if month and day and _valid(year, int(month), int(day)):
                event = (date(year, int(month), int(day)).isoformat(), "day")
            elif month and 1 <= int(month) <= 12:
                event = (f"{year:04d}-{int(month):02d}", "month")
            elif not month:
                event = (f"{year:04d}", "year")
        elif g["month"]:
            month = int(g["month"])
            if 1 <= month <= 12:
                # 지난 9월 on 2025-09-20 means last September unless a day says otherwise.
                year = _month_near(ref, month, future, same_ok=not prefix or bool(g["mday"]))
                if g["mday"] and _valid(year, month, int(g["mday"])):
                    event = (date(year, month, int(g["mday"])).isoformat(), "day")
                elif not g["mday"]:
                    event = (f"{year:04d}-{month:02d}", "month")
        elif g["day"]:
            resolved = _day_near(ref, int(g["day"]), future, strict=prefix == "지난")
            if resolved:
                event = (resolved.isoformat(), "day")
        elif g["dword"]:
            event = ((ref + timedelta(days=_DAY_WORDS[g["dword"]])).isoformat(), "day")
        elif g["mword"]:
            year, month = _shift_month(ref.year, ref.month, _MONTH_WORDS[g["mword"]])
            event = (f"{year:04d}-{month:02d}", "month")
        elif g["wword"]:
            monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=_WEEK_WORDS[g["wword"]])
            event = (monday.isoformat(), "week")
        if event:
            start = m.start() if not prefix else m.start("prefix")
            events.append(Event(text[start:m.end()], start, m.end(), *event))
    return events


def reference_day(published: str | None) -> date | None:
    """The day relative dates count from: the publication day, or the last day of
    a month/year when only that is known (an article of December 2025 that says
    15일 means 15 December)."""
    if not published:
        return None
    try:
        if len(published) >= 10:
            return date.fromisoformat(published[:10])
        if len(published) == 7:
            year, month = int(published[:4]), int(published[5:7])
            return date(year, month, calendar.monthrange(year, month)[1])
        if len(published) == 4:
            return date(int(published), 12, 31)
    except ValueError:
        return None
    return None


# An inferred date this far from the others on the same list page is a date the
# article merely mentions (a landing in 2021), not when it was written.
PAGE_OUTLIER_DAYS = 60


def drop_page_outliers(inferred: list[str]) -> list[bool]:
    """Which of a list page's inferred dates to keep: those near the page's median."""
    days = [reference_day(d) for d in inferred]
    known = sorted(d for d in days if d)
    if not known:
        return [False] * len(inferred)
    median = known[len(known) // 2]
    return [d is not None and abs((d - median).days) <= PAGE_OUTLIER_DAYS for d in days]


def page_order_bounds(published: list[str | None]) -> list[str | None]:
    """Dates for a newest-first list page's undated cards, from their dated neighbours.

    `published` is the page's cards top to bottom (None: undated). When the dated
    cards (at least two) run from newest to oldest, the page is newest first, and a
    card lies between the dated card above it and the one below it: it gets the
    older bound (published on or after it), or, below the last dated card, the one
    above (on or before it). Otherwise nothing is bound (None everywhere).
    """
    dated = [(i, d) for i, d in enumerate(published) if d]
    keys = [d[:10] for _, d in dated]
    if len(dated) < 2 or any(newer < older for newer, older in zip(keys, keys[1:])):
        return [None] * len(published)
    bounds: list[str | None] = []
    for i, day in enumerate(published):
        if day:
            bounds.append(None)
            continue
        below = next((d for j, d in dated if j > i), None)
        above = next((d for j, d in reversed(dated) if j < i), None)
        bounds.append(below or above)
    return bounds


def infer_date(text: str) -> tuple[str, str] | None:
    """A date for an article that has none, from the absolute dates its text names.

    The latest full date (YYYY년 M월 D일) gives a day; else the latest YYYY년 M월 a
    month. Relative expressions cannot date an article by themselves.
    Returns (ISO date, precision) or None.
    """
    best: tuple[str, str] | None = None
    for m in _PATTERN.finditer(text):
        if m.group("year") and m.group("ymonth"):
            year, month = int(m.group("year")), int(m.group("ymonth"))
            day = int(m.group("yday")) if m.group("yday") else None
            if day and _valid(year, month, day):
                candidate = (date(year, month, day).isoformat(), "day")
            elif 1 <= month <= 12:
                candidate = (f"{year:04d}-{month:02d}", "month")
            else:
                continue
            if best is None or candidate[0] > best[0]:
                best = candidate
    return best
