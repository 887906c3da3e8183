"""Date parsing for Chinese government pages.

Pure functions, no Scrapy and no HTML: callers hand in text or a URL. The forms are those of
RULES.md ("Where dates come from on a page"): 2024-06-05, 2024/6/5, 2024.06.05, 2024年06月05日,
2024年6月5日 10:00, and signature dates in Chinese numerals (二〇二〇年十二月八日).

Everything returns None (or skips the match) rather than guessing: an impossible date such as
2024-02-30 or a month 13 is not a date, and never raises.

Year bounds. A URL date is a CMS artefact (TRS ``t20210624_…``, Hanweb ``/art/2024/6/5/``), so
years before 1990 or after 2100 there are noise. Text dates are allowed back to 1949: the national
policy library republishes documents from the 1980s and 1990s (国发〔1981〕88号 signed
一九八一年五月二十三日) and their 成文日期 is genuine.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "TEXT_YEAR_MIN",
    "TEXT_YEAR_MAX",
    "URL_YEAR_MIN",
    "URL_YEAR_MAX",
    "parse_date",
    "find_dates",
    "date_from_url",
]

TEXT_YEAR_MIN = 1949
TEXT_YEAR_MAX = 2100
URL_YEAR_MIN = 1990
URL_YEAR_MAX = 2100

# Full-width digits occur in Word-exported bodies (２０２４年６月５日). Translating one character to one
# character keeps match offsets valid, so the raw string can still be cut from the original text.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Arabic-digit forms. The separators must agree within one date (2024-06-05, 2024/6/5, 2024.06.05)
# so that version numbers and decimals ("1.1:50.3") do not combine into dates; 年月日 allows spaces
# because pages split "2020 年 2 月 3 日" over spans. 日/号 is required after 年月 so that
# "2013年9月15个工作日" is not read as a date.
_ARABIC = (
    r"(?<![0-9])(?P<y>\d{4})\s*"
    r"(?:(?P<sep>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=sep)\s*(?P<d1>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号])"
    r"(?![0-9])"
)

# Chinese numerals. Zero is written 〇 (U+3007), ○ (U+25CB), ◯, 零, or a full-width/Latin O in
# older pages; the year is digit-by-digit (二〇二〇), month and day use 十 (十二, 二十三, 三十一).
_CN_ZERO = "〇○◯零ＯO0０"
_CN_DIGIT = "一二三四五六七八九"
_CN_YEAR_CHARS = _CN_ZERO + _CN_DIGIT
_CN_NUM = rf"[{_CN_DIGIT}十廿卅]{{1,3}}|[{_CN_ZERO}]?[{_CN_DIGIT}]"
_CHINESE = (
    rf"(?P<cy>[{_CN_YEAR_CHARS}]{{4}})\s*年\s*(?P<cm>{_CN_NUM}|元)\s*月\s*(?P<cd>{_CN_NUM})\s*[日号]"
)

_DATE_RE = re.compile(rf"{_ARABIC}|{_CHINESE}")

_CN_DIGIT_VALUE = {c: 0 for c in _CN_ZERO} | {c: i + 1 for i, c in enumerate(_CN_DIGIT)}

# A compact 8-digit date (20240605) is only accepted when it is the whole value (a meta tag or a
# form field), never inside running text where it is more likely an ID or a phone number.
_COMPACT_RE = re.compile(r"\s*(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[\sT]?\d{1,2}[:：]\d{2}(?::\d{2})?)?\s*")


def _make_date(year: int, month: int, day: int, lo: int, hi: int) -> date | None:
    if not lo <= year <= hi:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cn_year(text: str) -> int | None:
    value = 0
    for ch in text:
        digit = _CN_DIGIT_VALUE.get(ch)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def _cn_small_number(text: str) -> int | None:
    """Value of a Chinese month/day number: 八, 十, 十二, 二十, 二十三, 三十一, 〇八, 廿三."""
    if text == "元":
        return 1
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" not in text:
        if len(text) == 2 and text[0] in _CN_ZERO:  # 〇八 as written in some dates
            text = text[1:]
        return _CN_DIGIT_VALUE.get(text) if len(text) == 1 else None
    tens_text, _, units_text = text.partition("十")
    if "十" in units_text:
        return None
    tens = 1 if tens_text == "" else _CN_DIGIT_VALUE.get(tens_text)
    units = 0 if units_text == "" else _CN_DIGIT_VALUE.get(units_text)
    if tens is None or units is None or len(tens_text) > 1 or len(units_text) > 1:
        return None
    return tens * 10 + units


def _date_of_match(m: re.Match[str], lo: int, hi: int) -> date | None:
    if m.group("y") is not None:
        month = m.group("m1") or m.group("m2")
        day = m.group("d1") or m.group("d2")
        return _make_date(int(m.group("y")), int(month), int(day), lo, hi)
    year = _cn_year(m.group("cy"))
    month = _cn_small_number(m.group("cm"))
    day = _cn_small_number(m.group("cd"))
    if year is None or month is None or day is None:
        return None
    return _make_date(year, month, day, lo, hi)


def find_dates(
    text: str, *, min_year: int = TEXT_YEAR_MIN, max_year: int = TEXT_YEAR_MAX
) -> list[tuple[date, str]]:
    """Every valid date in ``text`` with the raw string it was read from, in order of appearance.

    Matches that are not real dates (2024-02-30, month 13, a year out of range) are skipped.
    """
    if not text:
        return []
    normalised = text.translate(_FULLWIDTH_DIGITS)
    found: list[tuple[date, str]] = []
    for m in _DATE_RE.finditer(normalised):
        value = _date_of_match(m, min_year, max_year)
        if value is not None:
            found.append((value, text[m.start() : m.end()]))
    return found


def parse_date(
    text: str | None, *, min_year: int = TEXT_YEAR_MIN, max_year: int = TEXT_YEAR_MAX
) -> date | None:
    """The date written in ``text`` (one date string, possibly with a time), or None.

    Accepts every form of RULES.md plus a bare 8-digit ``20240605`` when it is the whole value.
    """
    if not text:
        return None
    dates = find_dates(text, min_year=min_year, max_year=max_year)
    if dates:
        return dates[0][0]
    m = _COMPACT_RE.fullmatch(text.translate(_FULLWIDTH_DIGITS))
    if m:
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]), min_year, max_year)
    return None


def date_from_url(url: str | None) -> date | None:
    """The date a CMS wrote into a document URL, or None.

    Beware: on many sites this is the date the page was (re)generated or migrated, not the
    publication date, which is why it ranks below the page's own metadata and the list date.
    """
    if not url:
        return None
    # The URL shapes are the CMS families' own (crawler.profiles: TRS t20210624_…, Hanweb
    # /art/2024/6/5/, Ucap /2018-12/27/content_…).
    from crawler.profiles import url_date

    found = url_date(url)
    return _make_date(*found, URL_YEAR_MIN, URL_YEAR_MAX) if found else None
