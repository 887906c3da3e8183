"""The shape of a CMS profile: what one CMS family's templates look like, as data.

A profile is a frozen record; the extractors and the spider read it and hold no family's
knowledge themselves (STYLE.md: "site specifics are data, not code"). Every family module
(trs, hanweb, ucap, generic) defines one ``PROFILE``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pager:
    """How a family's column list pages link their other pages."""

    # A static page file: index_1.html …; groups ``name``, ``n``, ``ext``.
    static_page: re.Pattern[str] | None = None
    # A pager script call; groups 1 count, 2 current, 3 name, 4 ext (TRS createPageHTML).
    script_call: re.Pattern[str] | None = None
    # Query parameters that number pages (?pageNum=2, ?page=3).
    query_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Detection:
    """How a family is recognised on a page: each pattern that matches is one piece of evidence."""

    generator: re.Pattern[str] | None = None   # <meta name="generator">, "Produced By …" comments
    paths: tuple[re.Pattern[str], ...] = ()     # URL path shapes of its pages and links
    scripts: tuple[str, ...] = ()               # names of its script files and markers in the HTML


@dataclass(frozen=True)
class Profile:
    name: str                                  # the key of ``[[sites]] cms``
    title: str                                 # as people call it
    # Document (detail) page URLs: a page of this shape is a document whatever its template.
    detail_url: re.Pattern[str] | None
    # The date a document URL carries; groups ``y``, ``m``, ``d``. Often a generation date.
    url_date: re.Pattern[str] | None
    # Where the family puts the body: editor output first, then template wrappers.
    body_markers: tuple[str, ...] = ()
    body_containers: tuple[str, ...] = ()
    # Labels of the family's 信息公开 metadata table, by field (a subset of the shared vocabulary
    # in crawler.extract.labels, which every page is read with).
    metadata_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Labels its templates print on the info line under the heading, beside 发布时间 and 来源,
    # that carry the 形成日期 (发文日期, 生成日期 …). Only these count on the info line.
    info_line_doc_labels: tuple[str, ...] = ()
    # List items: the tags a list row is; a row shows its date outside the link.
    list_rows: tuple[str, ...] = ("li", "tr", "dl", "div", "p")
    pager: Pager = Pager()
    # Names under which a column's first page answers besides ``dir/`` (dir/index.html …).
    column_index_names: tuple[str, ...] = ()
    detection: Detection = Detection()

    def date_from_url(self, url: str) -> tuple[int, int, int] | None:
        m = self.url_date.search(url) if self.url_date else None
        return (int(m["y"]), int(m["m"]), int(m["d"])) if m else None

    def is_detail_url(self, url_path: str) -> bool:
        return bool(self.detail_url and self.detail_url.search(url_path))
