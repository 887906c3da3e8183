"""Chinese working-day calendar for the 20-working-day publication rule (LAG001).

《中华人民共和国政府信息公开条例》第二十六条: 属于主动公开范围的政府信息，应当自该政府信息形成或者
变更之日起20个工作日内及时公开. A working day is Monday–Friday that is not a 法定节假日, plus the
调休 Saturdays/Sundays declared working days by the yearly 国务院办公厅 holiday notice.

The notices come from the ``chinese_calendar`` package (PyPI ``chinesecalendar``). It raises
NotImplementedError for years it does not carry yet (2027 in 1.11.0), so every call is wrapped:

* a :class:`YearOverride` from config.toml replaces the package for its year entirely;
* an unknown year without an override falls back to Monday–Friday and is recorded in
  :meth:`WorkdayCalendar.unknown_years`, so the report can warn that its deadlines ignore holidays.

Counting follows RULES.md: ``workdays_between(start, end)`` counts working days d with
start < d <= end, and the deadline is ``add_workdays(形成日期, 20)``; late when 发布日期 > deadline.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar

__all__ = ["YearOverride", "WorkdayCalendar", "parse_overrides"]


@dataclass(frozen=True)
class YearOverride:
    """One year's holiday notice from config: for a year the package lacks, or to correct it."""

    year: int
    holidays: frozenset[date]  # 法定节假日 days off (may include weekdays)
    workdays: frozenset[date]  # 调休 make-up working Saturdays/Sundays

    def is_workday(self, d: date) -> bool:
        # A listed 调休 day wins; otherwise Monday–Friday minus the listed holidays.
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


@dataclass(frozen=True)
class _YearTable:
    """One year as prefix counts: ``prefix[i]`` = working days among its first i days."""

    first: date  # 1 January
    prefix: tuple[int, ...]  # len = days in year + 1

    @property
    def total(self) -> int:
        return self.prefix[-1]

    def through(self, d: date) -> int:
        """Working days from 1 January up to and including d."""
        return self.prefix[(d - self.first).days + 1]


class WorkdayCalendar:
    """Answers working-day questions from the package, config overrides, or a Mon–Fri fallback.

    Each year is computed once, on first use, into prefix counts; afterwards is_workday is O(1),
    workdays_between O(years spanned) and add_workdays O(log 366) per year crossed, which matters
    because LAG001 asks for every one of tens of thousands of documents.
    """

    def __init__(self, overrides: Iterable[YearOverride] = ()) -> None:
        self._overrides: dict[int, YearOverride] = {}
        for override in overrides:
            if override.year in self._overrides:
                raise ValueError(f"two working-day overrides for year {override.year}")
            self._overrides[override.year] = override
        self._tables: dict[int, _YearTable] = {}
        self._unknown: set[int] = set()

    def is_known_year(self, year: int) -> bool:
        """True when an override or the package carries the holiday notice of ``year``."""
        return year in self._overrides or _package_knows(year)

    def unknown_years(self) -> frozenset[int]:
        """Years asked about so far that were counted Mon–Fri for want of a holiday notice."""
        return frozenset(self._unknown)

    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        table = self._table(d.year)
        i = (d - table.first).days
        return table.prefix[i + 1] > table.prefix[i]

    def workdays_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (start not counted, end counted).

        0 when end == start. When end < start the result is negative:
        -(working days d with end < d <= start), so a caller sees the order was reversed.
        """
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.workdays_between(end, start)
        count = self._table(end.year).through(end) - self._table(start.year).through(start)
        for year in range(start.year, end.year):
            count += self._table(year).total
        return count

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after start (start not counted); ``start`` itself when n == 0.

        The LAG001 deadline is ``add_workdays(形成日期, 20)``. A negative n is a caller bug.
        """
        if n < 0:
            raise ValueError(f"add_workdays needs n >= 0, got {n}")
        start = _as_date(start)
        if n == 0:
            return start
        year = start.year
        table = self._table(year)
        # Working-day count (from 1 January) that the answer reaches; the answer is the first day
        # whose prefix count reaches it, found by bisection instead of walking day by day.
        target = table.through(start) + n
        while target > table.total:
            target -= table.total
            year += 1
            table = self._table(year)
        index = bisect.bisect_left(table.prefix, target)  # prefix[index] is through day index-1
        return table.first + timedelta(days=index - 1)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = self._build(year)
        return table

    def _build(self, year: int) -> _YearTable:
        first = date(year, 1, 1)
        days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
        override = self._overrides.get(year)
        if override is not None:
            flags = [override.is_workday(d) for d in days]
        else:
            try:
                flags = [chinese_calendar.is_workday(d) for d in days]
            except NotImplementedError:
                # No notice for this year: Mon–Fri is the best guess, and the report must say so.
                self._unknown.add(year)
                flags = [d.weekday() < 5 for d in days]
        prefix = [0]
        for flag in flags:
            prefix.append(prefix[-1] + flag)
        return _YearTable(first, tuple(prefix))


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _as_date(d: date) -> date:
    # datetime subclasses date; its time part must not leak into day arithmetic.
    return d.date() if isinstance(d, datetime) else d


_OVERRIDE_KEYS = ("holidays", "workdays")
# date.fromisoformat alone would also take 20270101 and week dates; config uses one spelling.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_overrides(
    table: Mapping[str, Mapping[str, list[str]]], source: str
) -> list[YearOverride]:
    """Read ``{"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}}``.

    ``source`` names where the table came from (e.g. ``"config.toml [workdays]"``) for the error
    message. Dates may be ISO strings or TOML dates. A missing list is empty. Raises ValueError on a
    bad year key, unknown key, non-list, bad date, date outside its year, or a day in both lists.
    """
    overrides = []
    for key, entry in table.items():
        where = f"{source}: year {key!r}"
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4):
            raise ValueError(f"{where}: the key must be a four-digit year")
        year = int(key)
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a table with holidays/workdays, got {entry!r}")
        unknown = sorted(set(entry) - set(_OVERRIDE_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; expected holidays, workdays")
        lists = {
            name: _parse_dates(entry.get(name, []), year, f"{where}, {name}")
            for name in _OVERRIDE_KEYS
        }
        both = lists["holidays"] & lists["workdays"]
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"{where}: {days} listed as both holiday and workday")
        overrides.append(YearOverride(year, lists["holidays"], lists["workdays"]))
    return overrides


def _parse_dates(values: object, year: int, where: str) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError(f"{where}: expected a list of dates, got {values!r}")
    days = set()
    for value in values:
        if isinstance(value, date) and not isinstance(value, datetime):  # TOML bare date
            d = value
        elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                d = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
        else:
            raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        if d.year != year:
            raise ValueError(f"{where}: {value!r} is not in {year}")
        days.add(d)
    return frozenset(days)


def calendar_for(config: Any) -> WorkdayCalendar:
    """The working-day calendar of a loaded config (chinese-calendar plus its [calendar.years])."""
    return WorkdayCalendar(parse_overrides(config.calendar_years, f"{config.path} [calendar.years]"))
