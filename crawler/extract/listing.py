"""List (column) pages: dated entries, undated rows of dated lists, pagination."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from crawler import profiles
from crawler.extract.dates import find_dates
from crawler.extract.text import (
    _NON_LINK_RE,
    _SKIP_TAGS,
    _collapse,
    _is_text,
    _meta,
    _meta_map,
    _parse,
    _squeeze,
    _text_of,
)

__all__ = ["ListItem", "ListPage", "extract_list"]


@dataclass(frozen=True)
class ListItem:
    title: str
    url: str  # absolute
    date: date | None
    date_raw: str | None


@dataclass(frozen=True)
class ListPage:
    items: tuple[ListItem, ...]
    next_pages: tuple[str, ...]  # absolute URLs of the column's other pages
    total_pages: int | None
    column_name: str | None




_ROW_STOP_TAGS = frozenset({"ul", "ol", "table", "tbody", "thead", "body", "html", "[document]"})
_ROW_MAX_CLIMB = 5
_ELLIPSIS_RE = re.compile(r"(?:\.{2,}|…+|。。+)$")
_DATE_ONLY_RE = re.compile(r"^[\[［(（【]?(?P<d>.+?)[\]］)）】]?$")
_PAGER_TEXT_RE = re.compile(r"^(?:下一页|下页|后一页|尾页|末页|最后一页|next|>|>>|»|\d{1,4})$", re.I)
# Pager rules are the CMS families' (crawler.profiles): TRS createPageHTML and index_N.html,
# Hanweb ?pageNum=, and the generic query parameters; a page is read with all of them.
_PAGERS = profiles.pager_rules()
_CREATE_PAGE_RE = next(p.script_call for p in _PAGERS if p.script_call is not None)
_COUNT_PAGE_RE = re.compile(r"\b(?:countPage|pageCount|totalPage|totalPages|pageTotal)\s*[=:]\s*['\"]?(\d+)")
_RECORD_COUNT_RE = re.compile(r"\brecordCount\s*:\s*['\"]?(\d+)")
_PREPAGE_RE = re.compile(r"\bprepage\s*:\s*['\"]?(\d+)")
_MAX_STATIC_RE = re.compile(r"\bmaxStaticIndex\s*:\s*(\d+)")
_QUICK_MODE_RE = re.compile(r"\bquickMode\s*:\s*['\"]([^'\"]*)['\"]")
_TOTAL_PAGES_TEXT_RE = re.compile(r"共\s*(\d{1,5})\s*页|第\s*\d+\s*/\s*(\d{1,5})\s*页")
_STATIC_PAGE_RE = next(p.static_page for p in _PAGERS if p.static_page is not None)
_QUERY_PAGE_KEYS = frozenset(k for p in _PAGERS for k in p.query_keys)
_JS_LINE_COMMENT_RE = re.compile(r"(?m)(?<![:'\"\\\w])//.*$")
_MAX_GENERATED_PAGES = 2000


def _anchor_text(a: Tag) -> str:
    """Anchor text without a date written inside the link (<a>标题<span>2024-06-05</span></a>)."""
    parts = [str(s) for s in a.find_all(string=True) if _is_text(s) and not _is_date_only(str(s))]
    return _collapse("".join(parts))


def _is_date_only(text: str) -> bool:
    text = _squeeze(text)
    if not text:
        return False
    m = _DATE_ONLY_RE.fullmatch(text)
    return bool(m and (dates := find_dates(m["d"])) and dates[0][1] == m["d"])


def _row_dates(row: Tag, anchor: Tag) -> list[tuple[date, str]]:
    """Dates in the row outside the link (titles carry years: 规划（2023-2035年）)."""
    texts: list[str] = []
    for s in row.find_all(string=True):
        if not _is_text(s) or s.find_parent(list(_SKIP_TAGS)) is not None:
            continue
        if anchor in s.parents:
            if _is_date_only(str(s)):
                texts.append(str(s))
            continue
        texts.append(str(s))
    return find_dates(" ".join(texts))


def _column_date(row: Tag, anchor: Tag) -> tuple[date, str] | None:
    """In a table with a 发布日期 column, the date under that header (not 成文日期's)."""
    if row.name != "tr":
        return None
    table = row.find_parent("table")
    header = table.find("tr") if table else None
    if header is None or header is row:
        return None
    titles = [_squeeze(_text_of(c)) for c in header.find_all(["th", "td"], recursive=False)]
    cells = row.find_all(["td", "th"], recursive=False)
    for wanted in ("发布", "日期", "时间"):
        for i, name in enumerate(titles):
            if wanted in name and i < len(cells) and anchor not in cells[i].descendants:
                dates = find_dates(_text_of(cells[i]))
                if dates:
                    return dates[0]
    return None


def _entry_title(anchor: Tag) -> str | None:
    """Title of a document link, or None for links that cannot be entries (pager, icons)."""
    href = str(anchor.get("href") or "").strip()
    if not href or _NON_LINK_RE.match(href):
        return None
    text = _anchor_text(anchor)
    # Lists truncate long titles ("关于印发…的通...") and keep the full one in title="".
    title_attr = _collapse(str(anchor.get("title") or ""))
    truncated = bool(_ELLIPSIS_RE.search(text)) and title_attr.startswith(_ELLIPSIS_RE.sub("", text))
    if title_attr and (not text or truncated):
        text = title_attr
    if len(_squeeze(text)) < 4 or _PAGER_TEXT_RE.match(text):
        return None
    return text


# A list date without its year (Hanweb portals: <span class="time">02-07</span>).
_MONTH_DAY_RE = re.compile(r"[\[［(（【]?(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?[\]］)）】]?")


def _month_day(row: Tag, anchor: Tag) -> tuple[int, int, str] | None:
    """The MM-DD a row shows outside its link, as a text of its own (02-07), or None."""
    found = None
    for s in row.find_all(string=True):
        if not _is_text(s) or anchor in s.parents or s.find_parent(list(_SKIP_TAGS)) is not None:
            continue
        text = _squeeze(str(s))
        m = _MONTH_DAY_RE.fullmatch(text) if text else None
        if m and 1 <= int(m["m"]) <= 12 and 1 <= int(m["d"]) <= 31:
            if found is not None:
                return None  # two of them: which is which is not ours to guess
            found = (int(m["m"]), int(m["d"]), text)
    return found


def _month_day_date(url: str, month: int, day: int) -> date | None:
    """The full date of an MM-DD list date when the document's URL carries the same month and
    day with a year (/art/2023/2/7/…); else None: no year is guessed."""
    found = profiles.url_date(url)
    if found is None or (found[1], found[2]) != (month, day):
        return None
    try:
        return date(found[0], month, day)
    except ValueError:
        return None


def _in_dateless_branch(link: Tag, row: Tag, anchor: Tag) -> bool:
    """True when ``link`` sits in a nested block of the row that holds no date and not the
    anchor: a 解读 pop-up (<span class="jds"><div class="RcontUlList"><a>…) hanging on the entry."""
    child = link
    while child.parent is not None and child.parent is not row:
        child = child.parent
    if child is link or child.parent is None or anchor in child.descendants:
        return False
    text = " ".join(str(t) for t in child.find_all(string=True) if _is_text(t))
    return not find_dates(text) and _month_day(child, anchor) is None


def _dated_entry(anchor: Tag, base: str) -> tuple[ListItem, Tag] | None:
    """The list entry an anchor opens and its row, if the row shows a date of its own.

    The row is the nearest ancestor (li, tr, dl, div …) that shows a date outside the link;
    climbing stops at list containers and at blocks holding other entries.
    """
    text = _entry_title(anchor)
    if text is None:
        return None
    url = urljoin(base, str(anchor["href"]).strip())
    node: Tag | None = anchor.parent
    for _ in range(_ROW_MAX_CLIMB):
        if node is None or node.name in _ROW_STOP_TAGS:
            return None
        # A row holds one document: another substantial link to elsewhere means we climbed
        # into a block of many entries, whose dates belong to the others.
        first = True
        for other in node.find_all("a", href=True):
            if other is anchor:
                first = False
                continue
            if urljoin(base, str(other["href"]).strip()) == url:
                continue
            if len(_squeeze(_text_of(other))) > 6:
                # Links after the entry's own, in a date-less nested block (its 解读 pop-up),
                # are the entry's; any other link means a block of many entries.
                if first or not _in_dateless_branch(other, node, anchor):
                    return None
        dates = _row_dates(node, anchor)
        if dates:
            chosen = _column_date(node, anchor) or _labelled_pub(node, dates) or dates[-1]
            return ListItem(title=text, url=url, date=chosen[0], date_raw=chosen[1]), node
        month_day = _month_day(node, anchor)
        if month_day is not None:
            month, day, raw = month_day
            return ListItem(title=text, url=url, date=_month_day_date(url, month, day), date_raw=raw), node
        node = node.parent
    return None


def _undated_entries(rows: list[Tag], base: str) -> dict[int, ListItem]:
    """Entries without a date in lists whose other rows have one (LAG004: an entry without a
    date must be seen, not dropped). A sibling row counts when it has the same tag and class as
    a dated row and holds exactly one document link; navigation lists have no dated rows at all.
    """
    found: dict[int, ListItem] = {}
    shapes = {(id(row.parent), row.name, tuple(row.get("class") or ())) for row in rows if row.parent}
    dated = {id(row) for row in rows}
    for row in rows:
        parent = row.parent
        if parent is None:
            continue
        for sibling in parent.find_all(row.name, recursive=False):
            shape = (id(parent), sibling.name, tuple(sibling.get("class") or ()))
            if id(sibling) in dated or shape not in shapes:
                continue
            links = [(a, t) for a in sibling.find_all("a", href=True) if (t := _entry_title(a))]
            if len(links) == 1:
                anchor, title = links[0]
                url = urljoin(base, str(anchor["href"]).strip())
                found[id(anchor)] = ListItem(title=title, url=url, date=None, date_raw=None)
            dated.add(id(sibling))
    return found


def _labelled_pub(row: Tag, dates: list[tuple[date, str]]) -> tuple[date, str] | None:
    """When a row shows several dates, the one labelled 发布 is the publication date."""
    if len(dates) < 2:
        return None
    text = _text_of(row)
    for value, raw in dates:
        pos = text.find(raw)
        if pos > 0 and "发布" in text[max(0, pos - 8) : pos]:
            return value, raw
    return None


def _page_url(folder: str, name: str, ext: str, k: int) -> str:
    """Page k of a TRS-style static pager: index.html, index_1.html, index_2.html …"""
    return urljoin(folder, f"{name}.{ext}" if k == 0 else f"{name}_{k}.{ext}")


def _folder(url: str) -> str:
    """The folder of a URL (…/zfxxgknb/ for …/zfxxgknb/index.htm and for …/zfxxgknb/)."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _static_page_number(url: str, name: str, ext: str) -> int | None:
    leaf = urlsplit(url).path.rsplit("/", 1)[-1]
    if leaf in ("", f"{name}.{ext}"):
        return 0
    m = _STATIC_PAGE_RE.fullmatch(leaf)
    return int(m["n"]) if m and m["name"] == name else None


def _query_page(url: str) -> tuple[str, int] | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() in _QUERY_PAGE_KEYS and value.isdigit():
            return key, int(value)
    return None


def _with_query(url: str, key: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    return urlunsplit((*parts[:3], urlencode([*query, (key, str(value))]), ""))


def _total_pages(soup: BeautifulSoup, scripts: str) -> int | None:
    """The page count a pager script or text states (not guessed from links)."""
    m = _CREATE_PAGE_RE.search(scripts)
    if m:
        return int(m[1])
    m = _COUNT_PAGE_RE.search(scripts)
    if m and int(m[1]) > 0:
        return int(m[1])
    # TRS trt-ui listModel (avalon): the list comes from a search API; the HTML only has
    # recordCount and prepage.
    rc, pp = _RECORD_COUNT_RE.search(scripts), _PREPAGE_RE.search(scripts)
    if rc and pp and int(pp[1]) > 0:
        return max(1, math.ceil(int(rc[1]) / int(pp[1])))
    m = _TOTAL_PAGES_TEXT_RE.search(_text_of(soup))
    if m:
        return int(m[1] or m[2])
    return None


def _pagination(
    soup: BeautifulSoup, url: str, items: int, doc_ext: str | None
) -> tuple[tuple[str, ...], int | None]:
    scripts = _JS_LINE_COMMENT_RE.sub("", "\n".join(s.get_text() for s in soup.find_all("script")))
    total = _total_pages(soup, scripts)
    pages: list[str] = []

    def add(page: str) -> None:
        if page != url and page not in pages:
            pages.append(page)

    # TRS WCM static pager: createPageHTML(count, current, "index", "html") writes index.html,
    # index_1.html … index_{count-1}.html next to the current page.
    m = _CREATE_PAGE_RE.search(scripts)
    if m:
        count, written, name, ext = int(m[1]), int(m[2]), m[3], m[4]
        for k in range(min(count, _MAX_GENERATED_PAGES)):
            if k != written:
                add(_page_url(_folder(url), name, ext, k))

    # Pager links in the static HTML (下一页, 尾页, page numbers), including what a
    # document.write pager left in a saved page.
    linked: list[str] = []
    static_links: list[tuple[str, str, str, int]] = []  # folder, name, ext, number
    query_links: list[tuple[str, int, str]] = []  # key, value, link text
    for a in soup.find_all("a", href=True):
        text = _squeeze(_text_of(a))
        href = str(a["href"]).strip()
        if not _PAGER_TEXT_RE.match(text) or _NON_LINK_RE.match(href):
            continue
        absolute = urljoin(url, href)
        leaf = urlsplit(absolute).path.rsplit("/", 1)[-1]
        static = _STATIC_PAGE_RE.fullmatch(leaf)
        query = _query_page(absolute)
        if static:
            static_links.append((_folder(absolute), static["name"], static["ext"], int(static["n"])))
        elif query:
            query_links.append((*query, text))
        else:
            continue
        linked.append(absolute)

    if total is None and static_links:
        total = max(n for *_, n in static_links) + 1
    # With the page count known, every page of the column can be listed in order, not just the
    # few numbers a pager shows (misc 017 shows 1-6 of 56).
    if total and static_links:
        folder, name, ext, _ = static_links[0]
        current = _static_page_number(url, name, ext)
        for k in range(min(total, _MAX_GENERATED_PAGES)):
            if k != current:
                add(_page_url(folder, name, ext, k))
    if total and query_links:
        key = query_links[0][0]
        # The parameter may count from 0 or 1: calibrate on a numbered link ("2" → page=2 or 1).
        offset = next((v - int(t) for k, v, t in query_links if k == key and t.isdigit()), 0)
        here = _query_page(url)
        current = here[1] if here and here[0] == key else None
        for n in range(1, min(total, _MAX_GENERATED_PAGES) + 1):
            value = n + offset
            if value != current and not (current is None and n == 1):
                add(_with_query(url, key, value))
    for page in linked:
        add(page)

    # trt-ui "动静结合" lists also publish their first maxStaticIndex pages as static files.
    rc, qm, ms = _RECORD_COUNT_RE.search(scripts), _QUICK_MODE_RE.search(scripts), _MAX_STATIC_RE.search(scripts)
    if total and rc and qm and ms and "静" in qm[1] and items < int(rc[1]):
        leaf = urlsplit(url).path.rsplit("/", 1)[-1]
        name, _, ext = leaf.partition(".")
        for k in range(1, min(total, int(ms[1]))):
            add(_page_url(_folder(url), name or "index", ext or doc_ext or "html", k))
    return tuple(pages), total


def _breadcrumb_column(soup: BeautifulSoup) -> str | None:
    for tag in soup.find_all(True, class_=re.compile(r"breadcrumb|crumb|location|position|dqwz", re.I)):
        links = [_text_of(a) for a in tag.find_all("a") if _text_of(a)]
        if links:
            return links[-1]
    return None


def extract_list(html: str, url: str) -> ListPage:
    """Document entries of a column list page, with its pagination.

    An entry is a link in a row (li, tr, dl …) that shows a date outside the link, plus the
    undated rows of the same lists; links without such a row are navigation. ``next_pages``
    are the column's other pages as far as the static HTML tells (a JS/API-only pager gives
    ``total_pages`` but no URLs); ``total_pages`` is None when the page states no count.
    """
    soup = _parse(html)
    metas = _meta_map(soup)
    anchors = soup.find_all("a", href=True)
    entries: dict[int, ListItem] = {}
    rows: list[Tag] = []
    for anchor in anchors:
        found = _dated_entry(anchor, url)
        if found is not None:
            entries[id(anchor)] = found[0]
            rows.append(found[1])
    entries |= _undated_entries(rows, url)
    items: list[ListItem] = []
    seen: set[str] = set()
    for anchor in anchors:
        item = entries.get(id(anchor))
        if item is None or item.url in seen or item.url == url:
            continue
        seen.add(item.url)
        items.append(item)
    extensions = [m[1].lower() for it in items if (m := re.search(r"\.(s?html?)$", urlsplit(it.url).path))]
    doc_ext = Counter(extensions).most_common(1)[0][0] if extensions else None
    next_pages, total = _pagination(soup, url, len(items), doc_ext)
    next_pages = tuple(p for p in next_pages if p not in seen)
    column = _meta(metas, "ColumnName") or _breadcrumb_column(soup)
    return ListPage(items=tuple(items), next_pages=next_pages, total_pages=total, column_name=column)
