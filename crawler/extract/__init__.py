"""Pure extraction from the HTML of government pages: detail pages, list pages, charsets.

No Scrapy here (STYLE.md: Scrapy stays in the spider; extraction is plain functions from text to
frozen records, so tests feed it saved real pages). One module per concern:

- ``charset``: bytes to text (``decode_html``);
- ``text``: visible text and rendered lines of a parsed page;
- ``labels``: labelled fields (the 信息公开 metadata table, info lines);
- ``dates``: date strings and URL dates;
- ``detail``: document pages and the date cascade (``extract_detail``);
- ``listing``: column list pages and pagination (``extract_list``).

CMS-family knowledge (URL shapes, label sets, pager rules) lives in ``crawler.profiles``.
"""

from __future__ import annotations

from crawler.extract.charset import content_type_charset, decode_html
from crawler.extract.dates import date_from_url, find_dates, parse_date
from crawler.extract.detail import DetailFields, extract_detail
from crawler.extract.listing import ListItem, ListPage, extract_list

__all__ = [
    "DetailFields",
    "ListItem",
    "ListPage",
    "content_type_charset",
    "date_from_url",
    "decode_html",
    "extract_detail",
    "extract_list",
    "find_dates",
    "parse_date",
]
