"""Pure extraction from the HTML of government pages: detail pages, list pages, charsets.

No Scrapy here (STYLE.md: Scrapy stays in the spider; extraction is plain functions from text to
frozen records, so tests feed it saved real pages). Parsing is BeautifulSoup over lxml.

The date cascade is RULES.md's ("Where dates come from on a page"), in order of trust, and every
date carries where it came from (``*_source``) and the raw string it was read from (``*_raw``):

- ``pub_date``: ``<meta name="PubDate">`` > the 信息公开 metadata table (发布日期 …) > the page's own
  info line outside the body (``发布日期：`` under the heading, as news templates print it) >
  the date on the list page (``list_date``) > the URL date > a labelled line in the body.
  The info line ranks with the table, above the list and URL dates, because it is the page
  stating its own metadata; URL dates are often migration dates (misc 005: t20210106 vs a
  displayed 2021-01-05).
- ``doc_date`` (形成日期): table 成文日期 > 发文日期 > 生成日期/制发日期 > a labelled 成文日期 in the body >
  the signature date closing the body > the adoption note under a law's title (（…通过）).

"No date is better than a wrong one": each step either finds its own field or passes; nothing
falls back to "the first date on the page".
"""

from __future__ import annotations

import codecs
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from crawler.dates import date_from_url, find_dates, parse_date

__all__ = [
    "DetailFields",
    "ListItem",
    "ListPage",
    "decode_html",
    "extract_detail",
    "extract_list",
]


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailFields:
    """What a document (detail) page says about itself."""

    title: str | None
    doc_no: str | None  # 文号 exactly as printed (brackets as on the page)
    index_no: str | None  # 索引号
    publisher: str | None  # 发布机构/发文机关 of the table, else signing organ / 来源, else None
    doc_date: date | None  # 形成日期
    doc_date_source: str | None  # "table:成文日期", "body:成文日期", "signature", "body:题注"
    doc_date_raw: str | None
    pub_date: date | None
    pub_date_source: str | None  # "meta:PubDate", "table:发布日期", "page:发布日期", "list", "url", "body:发布时间"
    pub_date_raw: str | None
    validity: str | None  # 有效性
    column_name: str | None  # <meta name="ColumnName">
    column_type: str | None  # <meta name="ColumnType">
    site_id_code: str | None  # <meta name="SiteIDCode">
    has_metadata_table: bool
    attachments: tuple[str, ...]  # absolute URLs of document files linked from the article


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


# --------------------------------------------------------------------------------------------
# Charset
# --------------------------------------------------------------------------------------------

# GB2312 and GBK pages routinely contain characters only GB18030 has (and servers mislabel one
# as the other); GB18030 is a superset of both, so decoding with it never loses text.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

# <meta charset=…>, <meta http-equiv="Content-Type" content="…; charset=…"> and an XML
# declaration. Only the start of the document is sniffed: Word fragments pasted into a body
# carry their own charset=gb2312 meta (misc 020/021), which says nothing about the page.
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
_SNIFF_BYTES = 4096


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    key = _CHARSET_ALIASES.get(key, key)
    try:
        codec = codecs.lookup(key).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(codec, codec)


def _sniff_meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET_RE.search(body[:_SNIFF_BYTES])
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    return _normalise_charset(raw.decode("ascii", "replace"))


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str, bool]:
    """Decode a page: ``(text, encoding used, header_contradicted)``; never raises.

    Order: a BOM wins; bytes that are valid UTF-8 (and not pure ASCII) are UTF-8 whatever is
    declared, since GBK text essentially never validates as UTF-8 while UTF-8 text often
    "decodes" as GB18030 into mojibake; otherwise the page's own meta charset is tried before a
    contradicting HTTP header, then the header, then GB18030 (the default of Chinese sites); if no
    candidate decodes cleanly, the one giving the fewest U+FFFD is used with ``errors="replace"``.
    ``header_contradicted`` is True when a header charset was sent and the bytes are not in it
    (rule ENC001).
    """
    header = _normalise_charset(header_charset)

    def verdict(text: str, used: str) -> tuple[str, str, bool]:
        return text, used, header is not None and used != header

    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return verdict(body[len(bom) :].decode(encoding, errors="replace"), encoding)

    meta = _sniff_meta_charset(body)
    if body.isascii():
        return body.decode("ascii"), header or meta or "utf-8", False

    text = _strict(body, "utf-8")
    if text is not None:
        return verdict(text, "utf-8")

    candidates: list[str] = []
    for encoding in (meta, header, "gb18030"):
        if encoding and encoding != "utf-8" and encoding not in candidates:
            candidates.append(encoding)
    for encoding in candidates:
        text = _strict(body, encoding)
        if text is not None:
            return verdict(text, encoding)

    best: tuple[int, str, str] | None = None
    for encoding in [*candidates, "utf-8"]:
        try:
            text = body.decode(encoding, errors="replace")
        except LookupError:
            continue
        score = text.count("\ufffd")
        if best is None or score < best[0]:
            best = (score, encoding, text)
    assert best is not None  # utf-8 and gb18030 are always available
    return verdict(best[2], best[1])


# --------------------------------------------------------------------------------------------
# Text and lines
# --------------------------------------------------------------------------------------------

# Zero-width characters appear inside titles (misc 022: U+200B) and between digits of dates.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACE_RE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    """Whitespace runs (incl. &nbsp; &ensp; U+3000) to one space, zero-width characters removed."""
    return _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()


def _squeeze(text: str) -> str:
    """All whitespace removed: Word bodies split one word or date over many spans and spaces."""
    return _SPACE_RE.sub("", _INVISIBLE_RE.sub("", text))


_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
# Never rendered as text, or form controls whose option lists (文号 filters, year pickers) would
# read as page content.
_SKIP_TAGS = frozenset(
    "script style noscript template select option textarea button input iframe object embed "
    "svg canvas map title".split()
)
_HIDDEN_CLASSES = frozenset({"ng-hide", "hide", "hidden"})
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _is_text(node: object) -> bool:
    # Comments, CDATA, <?xml:namespace …?> processing instructions of Word HTML and doctypes
    # are all PreformattedString: not text a reader sees.
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    classes = tag.get("class") or []
    if any(c in _HIDDEN_CLASSES for c in classes):
        return True
    style = tag.get("style")
    return bool(style and _DISPLAY_NONE_RE.search(str(style)))


_BREAK = "\x00"
# A line break inside CJK text (a title over two lines) joins without a space; between Latin
# words it is a space.
_BREAK_RE = re.compile(rf"(?P<a>\S?)\s*{_BREAK}[\s{_BREAK}]*(?P<b>\S?)")


def _join_break(m: re.Match[str]) -> str:
    a, b = m["a"], m["b"]
    if a and b and (a.isascii() or b.isascii()):
        return f"{a} {b}"
    return a + b


def _text_of(node: Tag) -> str:
    """Visible text of an element, inline pieces joined without separators, collapsed."""
    parts: list[str] = []
    stack: list[object] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Tag):
            if current.name in _SKIP_TAGS:
                continue
            if current.name in _BLOCK_TAGS:
                parts.append(_BREAK)
                stack.append(_BREAK)
            stack.extend(reversed(current.contents))
        elif current == _BREAK:
            parts.append(_BREAK)
        elif _is_text(current):
            parts.append(str(current))
    return _collapse(_BREAK_RE.sub(_join_break, "".join(parts)))


@dataclass(frozen=True)
class _Line:
    """One rendered line: the text between two block boundaries, and the block it sits in."""

    idx: int
    text: str
    el: Tag
    in_body: bool = False


def _render_lines(root: Tag, forced_blocks: frozenset[int] = frozenset()) -> list[_Line]:
    """Lines of text as a browser would break them (inline spans joined, blocks split).

    Iterative on purpose: legacy Word HTML nests unclosed <font>/<span> deeply enough to hit
    Python's recursion limit.
    """
    lines: list[tuple[str, Tag]] = []
    buffer: list[str] = []
    blocks: list[Tag] = [root]

    def flush() -> None:
        text = _collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append((text, blocks[-1]))

    stack: list[tuple[bool, object]] = [(False, root)]
    while stack:
        leaving, node = stack.pop()
        if leaving:
            flush()
            blocks.pop()
            continue
        if isinstance(node, Tag):
            if node.name in _SKIP_TAGS:
                continue
            if node.name == "br":
                flush()
                continue
            if node.name in _BLOCK_TAGS or id(node) in forced_blocks:
                flush()
                blocks.append(node)
                stack.append((True, node))
            stack.extend((False, child) for child in reversed(node.contents))
        elif _is_text(node):
            buffer.append(str(node))
    flush()
    return [_Line(i, text, el) for i, (text, el) in enumerate(lines)]


def _parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _meta_map(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta name|property=… content=…>`` by lower-cased name; the first occurrence wins."""
    metas: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        name = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if not name or content is None:
            continue
        key = str(name).strip().lower()
        if key not in metas:
            metas[key] = _collapse(str(content))
    return metas


def _meta(metas: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = metas.get(name.lower())
        if value:
            return value
    return None


def _drop_invisible(soup: BeautifulSoup) -> None:
    """Remove what a reader never sees, so hidden duplicates cannot answer for the page.

    AngularJS pages keep a hidden copy of the article and an empty hidden metadata block
    (``ng-hide``, misc 020/021); browser saves keep ``display:none`` share widgets.
    """
    doomed = [t for t in soup.find_all(True) if (t.name in _SKIP_TAGS and t.name != "title") or _is_hidden(t)]
    doomed_ids = {id(t) for t in doomed}
    # Only the outermost ones: their descendants go with them. Decided before removing anything,
    # because a decomposed element can no longer be asked about its parents.
    outermost = [t for t in doomed if not any(id(p) in doomed_ids for p in t.parents)]
    for tag in outermost:
        tag.decompose()


# --------------------------------------------------------------------------------------------
# Labelled fields (the 信息公开 metadata table and info lines)
# --------------------------------------------------------------------------------------------

# Canonical field → label synonyms, in order of preference within the field (RULES.md: 成文日期,
# else 发文日期, else 生成日期/制发日期).
_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号", "索取号"),
    "doc_no": ("发文字号", "文号", "发文文号", "发文号", "文件编号"),
    "publisher": (
        "发文机关", "发布机构", "发文单位", "发布单位", "发文机构", "制发机关", "成文机关",
        "办文部门", "公开主体", "发布部门",
    ),
    "doc_date": ("成文日期", "发文日期", "生成日期", "制发日期", "形成日期", "印发日期"),
    "pub_date": ("发布日期", "发布时间", "上载日期", "公开日期", "公开时间", "上网日期", "上网时间"),
    "title": ("标题", "名称", "公文名称", "文件名称", "信息名称"),
    "validity": ("有效性", "效力状态", "时效性"),
    "topic": ("主题分类", "组配分类", "主题词", "体裁分类", "服务对象分类", "信息分类"),
    "source": ("来源", "信息来源", "文章来源", "稿件来源"),
    # Bare 时间/日期 only count on the info line next to the heading (pingtan's "时间：…").
    "weak_pub": ("时间", "日期"),
    # Not used, but they end the value before them when an info line glues spans together
    # (来源：某局浏览次数：12).
    "other": (
        "浏览次数", "点击数", "点击量", "访问量", "阅读量", "阅读次数", "作者", "责任编辑", "编辑",
        "文章类型", "字号", "字体", "分享到", "打印",
    ),
}
_LABEL_KEY = {label: key for key, labels in _LABELS.items() for label in labels}
_TABLE_KEYS = frozenset({"index_no", "doc_no", "publisher", "doc_date", "pub_date", "title", "validity", "topic"})
# Keys that make a cluster of labels a 信息公开 table rather than a news info line (发布时间/来源).
_TABLE_ANCHOR_KEYS = frozenset({"index_no", "doc_no", "publisher", "doc_date", "topic"})

# Labels are often letter-spaced (索&ensp;引&ensp;号, 标　　题): allow whitespace between characters.
# A label starts its line or follows a space, a separator or the end of the previous value (a
# digit, as in "10:00来源："): 更新时间 is not 时间, and a label quoted inside a sentence
# (注明“文章来源：…”) is not a field.
_LABEL_ALT = "|".join(
    r"\s*".join(map(re.escape, label)) for label in sorted(_LABEL_KEY, key=len, reverse=True)
)
_LABEL_RE = re.compile(rf"(?:^|(?<=[\s|｜\]】）)>0-9A-Za-z]))(?P<label>{_LABEL_ALT})\s*[:：]")
# What ends a value besides the next recognised label: an unknown label after a space, or a
# known label of 3+ characters glued to the value (spans without whitespace between them).
_ANY_LABEL_RE = re.compile(
    r"\s[\u4e00-\u9fff]{2,8}[:：]|(?:"
    + "|".join(map(re.escape, sorted((k for k in _LABEL_KEY if len(k) >= 3), key=len, reverse=True)))
    + r")[:：]"
)
_LABEL_ONLY_RE = re.compile(rf"\s*(?P<label>{_LABEL_ALT})\s*[:：]?\s*")

# Values that mean "this page has none".
_NONE_VALUES = frozenset({"无", "暂无", "空", "-", "--", "—", "/", "\\", "null", "none", "未知"})


@dataclass(frozen=True)
class _Field:
    key: str
    label: str  # as canonical text (letter-spacing removed)
    value: str
    line: int
    in_body: bool


def _value_after(line: _Line, lines: list[_Line]) -> str:
    """Value of a label that stands alone in its element: the next cell or element."""
    nxt = lines[line.idx + 1] if line.idx + 1 < len(lines) else None
    # Same cell after a <br>, or an element nested in the label's block.
    if nxt is not None and (nxt.el is line.el or line.el in nxt.el.parents):
        candidate = nxt.text
    else:
        sibling = line.el.find_next_sibling()
        candidate = _text_of(sibling) if isinstance(sibling, Tag) else ""
    if not candidate or _LABEL_ONLY_RE.fullmatch(candidate) or _LABEL_RE.match(candidate):
        return ""
    return candidate


def _fields_of(lines: list[_Line]) -> list[_Field]:
    fields: list[_Field] = []
    for line in lines:
        matches = list(_LABEL_RE.finditer(line.text))
        if not matches:
            only = _LABEL_ONLY_RE.fullmatch(line.text)
            if only:
                label = _squeeze(only["label"])
                value = _value_after(line, lines)
                fields.append(_Field(_LABEL_KEY[label], label, value, line.idx, line.in_body))
            continue
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line.text)
            # An unknown label on the same line (文章类型：原创, 浏览次数：) ends the value too.
            other = _ANY_LABEL_RE.search(line.text, m.end(), end)
            value = line.text[m.end() : other.start() if other else end].strip(" |｜")
            if not value and i + 1 == len(matches):
                value = _value_after(line, lines)
            label = _squeeze(m["label"])
            fields.append(_Field(_LABEL_KEY[label], label, value, line.idx, line.in_body))
    return fields


def _metadata_table(fields: list[_Field]) -> list[_Field]:
    """The fields of the 信息公开 metadata table: the densest cluster of table labels.

    A cluster is a run of table labels with at most a few lines between them; it is a table when
    it names at least three different fields, one of them a document field (索引号, 文号, 发文机关,
    成文日期, 主题分类), and at least two carry a value. Otherwise an info line such as
    "发布时间 / 来源" of a news page would pass for one.
    """
    table_fields = [f for f in fields if f.key in _TABLE_KEYS]
    clusters: list[list[_Field]] = []
    for f in table_fields:
        if clusters and f.line - clusters[-1][-1].line <= 4:
            clusters[-1].append(f)
        else:
            clusters.append([f])
    best: list[_Field] = []
    best_score = 0
    for cluster in clusters:
        keys = {f.key for f in cluster}
        valued = {f.key for f in cluster if f.value}
        if len(keys) < 3 or not keys & _TABLE_ANCHOR_KEYS or len(valued) < 2:
            continue
        if len(keys) > best_score:
            best, best_score = cluster, len(keys)
    return best


def _pick(fields: Iterable[_Field], key: str) -> _Field | None:
    """The field for ``key`` by label preference, first occurrence within a label."""
    candidates = [f for f in fields if f.key == key]
    if not candidates:
        return None
    order = _LABELS[key]
    return min(candidates, key=lambda f: (order.index(f.label), f.line))


def _clean_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = _collapse(value)
    if not value or value.lower() in _NONE_VALUES:
        return None
    return value


def _clean_name(value: str | None) -> str | None:
    """An organ name (发文机关, 来源): a value running into a sentence is not one."""
    value = _clean_value(value)
    if value is None or len(value) > 60 or re.search(r"[。；！？”\"]", value):
        return None
    return value


# --------------------------------------------------------------------------------------------
# The article: body container, title
# --------------------------------------------------------------------------------------------

# Where CMS families put the document body, most specific first. Site specifics belong in data
# (STYLE.md); these are the CMS families' own markers, shared by every site built on them.
_CONTENT_SELECTORS: tuple[str, ...] = (
    ".TRS_Editor",  # TRS WCM editor output
    ".TRS_UEDITOR",  # TRS WCM (UEditor based)
    "#UCAP-CONTENT",  # 开普云 Ucap (www.gov.cn 政策文件库)
    "#zoom",  # 大汉 Hanweb JCMS
    ".article_content",  # TRS trt-ui templates (county sites such as pingtan)
    "#wenzhang-content",  # nfra AngularJS front end
    ".pages_content",  # www.gov.cn article template
)
# A shorter block is navigation or a caption, not a body (a two-line 通告 is ~60 characters).
_MIN_BODY_CHARS = 40
# Site chrome that can out-weigh a short body (the footer's 主办单位/browser notice).
_CHROME_RE = re.compile(r"foot|copyright|header|\bnav|menu|sidebar|breadcrumb|banner|login|search", re.I)
_TITLE_HINT_RE = re.compile(r"title|biaoti|headline|^tit$|^bt$", re.I)
_TITLE_SEPARATOR_RE = re.compile(r"\s*(?:_{1,}|\||｜|\s-\s|\s—\s|--)\s*")


def _find_body(soup: BeautifulSoup) -> Tag | None:
    """The document body: the first CMS content marker present (the fullest match, since a
    summary box may reuse the class), else the densest block of paragraphs."""
    for selector in _CONTENT_SELECTORS:
        scored = [(len(_squeeze(_text_of(tag))), tag) for tag in soup.select(selector)]
        scored = [(n, tag) for n, tag in scored if n >= 10 or tag.find("img")]
        if scored:
            return max(scored, key=lambda pair: pair[0])[1]
    return _densest_block(soup)


def _names(tag: Tag) -> list[str]:
    return [*(tag.get("class") or []), str(tag.get("id") or "")] if isinstance(tag, Tag) else []


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """Fallback for unknown templates: the element whose own paragraphs hold the most text."""
    best: tuple[int, Tag] | None = None
    # Chrome is inherited: computed top-down in document order, linear even for the deeply
    # nested unclosed <div>s of hand-edited pages.
    chrome: dict[int, bool] = {}
    for tag in soup.find_all(True):
        inherited = chrome.get(id(tag.parent), False)
        chrome[id(tag)] = inherited or any(_CHROME_RE.search(token) for token in _names(tag))
    for tag in soup.find_all(["div", "td", "article", "section"]):
        if chrome[id(tag)]:
            continue
        score = 0
        for child in tag.children:
            if not isinstance(child, Tag):
                if _is_text(child):
                    score += len(_squeeze(str(child)))
                continue
            # Paragraphs, inline runs, and <div> paragraphs of editors that do not emit <p>.
            if child.name in ("p", "span", "font", "strong", "b") or (
                child.name == "div" and child.find(["div", "table", "ul", "ol"], recursive=False) is None
            ):
                score += len(_squeeze(_text_of(child)))
        if score >= _MIN_BODY_CHARS and (best is None or score > best[0]):
            best = (score, tag)
    return best[1] if best else None


def _clean_head_title(title: str | None) -> str | None:
    """<title> without the site name: the first part before _, |, " - " separators."""
    if not title:
        return None
    parts = [p for p in _TITLE_SEPARATOR_RE.split(_collapse(title)) if p]
    return parts[0] if parts else None


def _title_candidates(soup: BeautifulSoup) -> Iterator[Tag]:
    for tag in soup.find_all(True):
        if tag.name in ("h1", "h2", "h3"):
            yield tag
            continue
        if tag.name in ("a", "html", "body", "meta", "title", "head"):
            continue
        tokens = [*(tag.get("class") or []), str(tag.get("id") or "")]
        if any(_TITLE_HINT_RE.search(token) for token in tokens if token):
            yield tag


def _visible_title(soup: BeautifulSoup, reference: str | None, body: Tag | None) -> Tag | None:
    """The heading element that shows the title named by ArticleTitle/<title>.

    The visible heading is the title "as the page publishes it": ArticleTitle metas sometimes
    append the 文号 (nfra) and <title> appends the site name; the reference only confirms which
    heading is the document's. Pages repeat titles in sidebars and "latest" lists, so among equal
    matches the heading closest to the body (deepest common ancestor) wins.
    """
    if not reference:
        return None
    ref = _squeeze(reference)
    # ArticleTitle may carry the 文号 in brackets after the title the page shows (nfra 020).
    refs = {ref, _DOC_NO_TAIL_RE.sub("", ref)}
    best: tuple[int, int, int, Tag] | None = None
    for order, tag in enumerate(_title_candidates(soup)):
        if tag.find_parent("a") is not None:
            continue
        text = _squeeze(_text_of(tag))
        if len(text) < 4:
            continue
        if text in refs:
            grade = 0
        elif text in ref and len(text) >= 0.6 * len(ref):
            grade = 1
        elif ref in text and len(ref) >= 0.6 * len(text):
            grade = 2
        else:
            continue
        common = _common_ancestor(tag, body) if body is not None else None
        closeness = -len(list(common.parents)) if common is not None else 0
        rank = (grade, closeness, order, tag)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return best[3] if best else None


# --------------------------------------------------------------------------------------------
# Document numbers, signature, adoption note
# --------------------------------------------------------------------------------------------

# 岚综管综〔2016〕178号, 闽政办[2013]108号, 国办发明电（2018）15号, 国令第707号, 中华人民共和国国务院令第707号.
_DOC_NO_CORE = (
    r"[\u4e00-\u9fffA-Za-z]{1,20}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*号"
    r"|[\u4e00-\u9fff]{0,20}令\s*第\s*\d{1,5}\s*号"
)
_DOC_NO_LINE_RE = re.compile(rf"[（(]?(?P<no>{_DOC_NO_CORE})[）)]?")
_DOC_NO_TAIL_RE = re.compile(rf"[（(](?P<no>{_DOC_NO_CORE})[）)]$")
_DOC_NO_LABEL_RE = re.compile(r"[\u4e00-\u9fff]{0,10}文号[:：]?")

# A signing organ: short, no sentence punctuation, ends like the name of a body.
_ORGAN_RE = re.compile(
    r"[\u4e00-\u9fff（）()、\s]{2,60}"
    r"(?:委员会|管委会|党工委|人民政府|政府|办公室|办公厅|厅|局|委|部|院|办|中心|所|处|站|署|会|室|镇|乡|街道|公司|总队|支队|大队)"
)
# A 令 is signed by a person: 总理 李克强, 省长 …
_SIGNER_RE = re.compile(r"(?:国务院)?(?:总理|主席|省长|市长|县长|区长|州长|旗长|主任|局长|书记)[\u4e00-\u9fff·]{2,5}")
_SENTENCE_PUNCT_RE = re.compile(r"[，。；：？！,;?!]")

# Lines that may follow the signature block: notes in brackets （此件公开发布）, the 印发/抄送 block
# of Word documents, attachment names, editor credits.
_TRAILER_RE = re.compile(
    r"^[（(].*[）)]$"
    r"|印发。?$|印$|^(?:抄送|抄报|主送|附件|附：|联系人|联系电话|责任编辑|编辑|审核|校对|来源|信息来源|扫一扫|打印|关闭|此页无正文)"
    r"|\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|et|jpe?g|png)[）)]?$",
    re.I,
)
_ADOPTION_NOTE_RE = re.compile(r"^[（(].*(?:通过|批准|发布|公布|修订|修正|施行)[）)]$")


def _doc_no_in(text: str, *, whole_line: bool) -> str | None:
    squeezed = _squeeze(text)
    if whole_line:
        m = _DOC_NO_LINE_RE.fullmatch(squeezed)
    else:
        m = _DOC_NO_TAIL_RE.search(squeezed)
    return m["no"] if m else None


def _date_line(text: str) -> tuple[date, str | None] | None:
    """The date of a line that is a date and nothing else, or an organ followed by a date.

    Returns the date and the organ written before it on the same line, if any.
    """
    squeezed = _squeeze(text)
    dates = find_dates(squeezed)
    if len(dates) != 1:
        return None
    value, raw = dates[0]
    head, _, tail = squeezed.partition(raw)
    if tail:
        return None
    if not head:
        return value, None
    if len(head) > 40 or _SENTENCE_PUNCT_RE.search(head) or not _ORGAN_RE.fullmatch(head):
        return None
    return value, head


def _is_organ(text: str) -> bool:
    squeezed = _squeeze(text)
    return bool(
        squeezed
        and len(squeezed) <= 60
        and not _SENTENCE_PUNCT_RE.search(squeezed)
        and _ORGAN_RE.fullmatch(text.strip())
    )


def _in_data_table(line: _Line) -> bool:
    """True for a date sitting in a data table row (a column of dates is no signature).

    A two-cell row "作出处罚决定的日期 | 2024年7月8日" closing a 行政处罚 form is a signature.
    """
    cell = line.el if line.el.name in ("td", "th") else line.el.find_parent(["td", "th"])
    if cell is None:
        return False
    row = cell.find_parent("tr")
    if row is None:
        return False
    filled = [c for c in row.find_all(["td", "th"], recursive=False) if _squeeze(_text_of(c))]
    return len(filled) > 2


@dataclass(frozen=True)
class _Signature:
    date: date
    raw: str
    organ: str | None


def _signature(body_lines: list[_Line]) -> _Signature | None:
    """The date closing the body, as 公文 are signed (organ line, then the date line).

    Only the last substantive line counts, after skipping the trailer lines that may follow a
    signature. A date anywhere else (an effective date, a cited document's date, a dateline at
    the top of a press release) is not the document's date.
    """
    i = len(body_lines) - 1
    while i >= 0 and _TRAILER_RE.search(_squeeze(body_lines[i].text)):
        i -= 1
    if i < 1:  # a body that is only a date is not a signed document
        return None
    line = body_lines[i]
    found = _date_line(line.text)
    if found is None or _in_data_table(line):
        return None
    value, organ = found
    if organ is None and _is_organ(body_lines[i - 1].text):
        organ = _collapse(body_lines[i - 1].text)
    return _Signature(value, _collapse(line.text), organ)


def _signature_block(body_lines: list[_Line]) -> _Signature | None:
    """A signature block that is not at the end: a notice that issues an attached text
    (印发…的通知 followed by the 方案) or a 国务院令 header (总理 李克强 / date) before the
    regulation. Only the strict two-line shape counts: a signing organ or signer line directly
    above a line that is only a date.
    """
    for i in range(len(body_lines) - 1, 0, -1):
        line = body_lines[i]
        found = _date_line(line.text)
        if found is None or found[1] is not None or _in_data_table(line):
            continue
        previous = body_lines[i - 1].text
        if _is_organ(previous) or _SIGNER_RE.fullmatch(_squeeze(previous)):
            return _Signature(found[0], _collapse(line.text), _collapse(previous))
    return None


def _adoption_note(body_lines: list[_Line]) -> tuple[date, str] | None:
    """The date of a 题注 under the title of a law or resolution: （2007年6月29日…会议通过）."""
    for line in body_lines[:5]:
        squeezed = _squeeze(line.text)
        if _ADOPTION_NOTE_RE.match(squeezed):
            dates = find_dates(squeezed)
            if dates:
                return dates[0][0], line.text
    return None


# --------------------------------------------------------------------------------------------
# Detail pages
# --------------------------------------------------------------------------------------------

_PUB_META_NAMES = (
    "PubDate",
    "firstpublishedtime",  # www.gov.cn
    "publishdate",
    "publish_date",
    "article:published_time",
)
# hrefs that are not links to another document.
_NON_LINK_RE = re.compile(r"^(?:javascript:|mailto:|tel:|#)", re.I)
_ATTACHMENT_EXT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|et)$", re.I)
# How far (in lines) an info line may sit from the heading/body and still describe this article.
_INFO_LINE_REACH = 25


def _base_url(url: str | None, metas: dict[str, str]) -> str | None:
    if url:
        return url
    meta_url = _meta(metas, "Url")
    if meta_url and urlsplit(meta_url).scheme in ("http", "https"):
        return meta_url
    return None


def _attachments(region: Tag | None, base: str | None) -> tuple[str, ...]:
    if region is None:
        return ()
    found: list[str] = []
    for a in region.find_all("a", href=True):
        href = str(a["href"]).strip()
        if not href or _NON_LINK_RE.match(href):
            continue
        absolute = urljoin(base, href) if base else href
        if _ATTACHMENT_EXT_RE.search(urlsplit(absolute).path) and absolute not in found:
            found.append(absolute)
    return tuple(found)


def _common_ancestor(a: Tag, b: Tag) -> Tag | None:
    ancestors = {id(a)} | {id(p) for p in a.parents}
    if id(b) in ancestors:
        return b
    for parent in b.parents:
        if id(parent) in ancestors:
            return parent
    return None


@dataclass
class _Article:
    """A detail page laid out as lines, with its labelled fields sorted by where they sit."""

    lines: list[_Line]
    body: Tag | None
    body_lines: list[_Line]
    table: list[_Field]  # the 信息公开 metadata table, [] when the page has none
    others: list[_Field]  # labelled fields outside that table
    title_tag: Tag | None
    title_line: int | None

    @property
    def anchors(self) -> tuple[int, int] | None:
        """Line span of the article itself: from its heading to the end of its body."""
        points = [i for i in (self.title_line,) if i is not None]
        if self.body_lines:
            points += [self.body_lines[0].idx, self.body_lines[-1].idx]
        return (min(points), max(points)) if points else None

    def info_line(self, key: str) -> _Field | None:
        """A labelled field outside the table and the body, nearest to the article: the line
        under the heading (发布时间：… 来源：…), not a sidebar's or the footer's."""
        span = self.anchors
        if span is None:
            return None
        lo, hi = span
        order = _LABELS[key]
        best: tuple[int, int, _Field] | None = None
        for f in self.others:
            if f.key != key or f.in_body or not f.value:
                continue
            distance = lo - f.line if f.line < lo else max(0, f.line - hi)
            if distance <= _INFO_LINE_REACH and (best is None or (distance, order.index(f.label)) < best[:2]):
                best = (distance, order.index(f.label), f)
        return best[2] if best else None

    def body_field(self, key: str) -> _Field | None:
        return _pick((f for f in self.others if f.in_body and f.value), key)

    def lines_before_body(self) -> list[_Line]:
        """Lines between the heading and the body: TRS prints the 文号 there (article_title_sec)."""
        if self.title_line is None:
            return []
        stop = self.body_lines[0].idx if self.body_lines else self.title_line + 5
        table_lines = {f.line for f in self.table}
        return [ln for ln in self.lines[self.title_line + 1 : stop] if ln.idx not in table_lines]


def _read_article(soup: BeautifulSoup, reference: str | None) -> _Article:
    body = _find_body(soup)
    # The whole document, not soup.body: a stray </html> mid-page (misc 001) makes lxml put the
    # rest of the page after <body>.
    lines = _render_lines(soup, frozenset({id(body)}) if body is not None else frozenset())
    if body is not None:
        inside = {id(body)} | {id(t) for t in body.find_all(True)}
        lines = [_Line(ln.idx, ln.text, ln.el, id(ln.el) in inside) for ln in lines]
    fields = _fields_of(lines)
    table = _metadata_table(fields)
    table_lines = {f.line for f in table}
    title_tag = _visible_title(soup, reference, body)
    title_line = None
    if title_tag is not None:
        title_line = next((ln.idx for ln in lines if ln.el is title_tag or title_tag in ln.el.parents), None)
    return _Article(
        lines=lines,
        body=body,
        body_lines=[ln for ln in lines if ln.in_body],
        table=table,
        others=[f for f in fields if f.line not in table_lines],
        title_tag=title_tag,
        title_line=title_line,
    )


_Dated = tuple[date | None, str | None, str | None]  # value, source, raw


def _pub_date(article: _Article, metas: dict[str, str], url: str | None, list_date: date | None) -> _Dated:
    for name in _PUB_META_NAMES:
        raw = _meta(metas, name)
        value = parse_date(raw)
        if value is not None:
            return value, f"meta:{name}", raw
    for source, field in (
        ("table", _pick(article.table, "pub_date")),
        ("page", article.info_line("pub_date") or article.info_line("weak_pub")),
    ):
        value = parse_date(field.value) if field else None
        if field and value is not None:
            return value, f"{source}:{field.label}", field.value
    if list_date is not None:
        return list_date, "list", list_date.isoformat()
    value = date_from_url(url)
    if value is not None:
        return value, "url", url
    field = article.body_field("pub_date")
    value = parse_date(field.value) if field else None
    if field and value is not None:
        return value, f"body:{field.label}", field.value
    return None, None, None


def _doc_date(article: _Article, signature: _Signature | None) -> _Dated:
    for source, field in (("table", _pick(article.table, "doc_date")), ("body", article.body_field("doc_date"))):
        value = parse_date(field.value) if field else None
        if field and value is not None:
            return value, f"{source}:{field.label}", field.value
    if signature is not None:
        return signature.date, "signature", signature.raw
    note = _adoption_note(article.body_lines)
    if note is not None:
        return note[0], "body:题注", note[1]
    return None, None, None


def _doc_no(article: _Article, title: str | None) -> str | None:
    """文号: the table's (where 无 means none), else a line of its own between the heading and the
    start of the body (TRS article_title_sec, the 发文字号 line heading a 公文), else a trailing
    （文号） in the title, else a labelled field (行政处罚决定书文号 | 金罚决字〔2024〕36号).
    Numbers cited inside sentences belong to other documents and are never taken."""
    field = _pick(article.table, "doc_no")
    if field is not None:
        value = _clean_value(field.value)
        return _squeeze(value) if value else None
    for line in [*article.lines_before_body(), *article.body_lines[:8]]:
        found = _doc_no_in(line.text, whole_line=True)
        if found:
            return found
    found = _doc_no_in(title, whole_line=False) if title else None
    if found:
        return found
    for field in (article.info_line("doc_no"), article.body_field("doc_no")):
        found = _doc_no_in(field.value, whole_line=True) if field else None
        if found:
            return found
    for line in article.body_lines:
        if _DOC_NO_LABEL_RE.fullmatch(_squeeze(line.text)):
            value = _value_after(line, article.lines)
            found = _doc_no_in(value, whole_line=True) if value else None
            if found:
                return found
    return None


def _publisher(article: _Article, signature: _Signature | None) -> str | None:
    """发文机关/发布机构 of the table; without one, the signing organ, else the 来源 line."""
    field = _pick(article.table, "publisher")
    if field is not None:
        return _clean_name(field.value)
    if signature is not None and signature.organ:
        return signature.organ
    field = article.info_line("publisher") or article.info_line("source")
    return _clean_name(field.value) if field else None


def _attachment_region(article: _Article) -> Tag | None:
    """The article (heading, body and its attachment block), not the sidebar's documents."""
    body = article.body
    if body is None:
        return None
    if article.title_tag is not None:
        region = _common_ancestor(body, article.title_tag)
        if region is not None and region.name not in ("body", "html", "[document]"):
            return region
    return body.parent or body


def extract_detail(html: str, url: str | None = None, list_date: date | None = None) -> DetailFields:
    """Fields of a document page. ``list_date`` is the date its list page shows for it."""
    soup = _parse(html)
    metas = _meta_map(soup)
    head_title = soup.title.get_text() if soup.title else None
    base = _base_url(url, metas)
    _drop_invisible(soup)

    reference = _meta(metas, "ArticleTitle", "og:title") or _clean_head_title(head_title)
    article = _read_article(soup, reference)

    # Title: the table's 标题, else the visible heading confirmed by ArticleTitle/<title>.
    title_field = _pick(article.table, "title")
    title = _clean_value(title_field.value) if title_field else None
    if title is None and article.title_tag is not None:
        title = _text_of(article.title_tag)
    title = _collapse(title or reference or "") or None
    if article.title_line is None and title:
        table_lines = {f.line for f in article.table}
        article.title_line = next(
            (ln.idx for ln in article.lines if _squeeze(ln.text) == _squeeze(title) and ln.idx not in table_lines),
            None,
        )

    signature = _signature(article.body_lines) or _signature_block(article.body_lines)
    pub_date, pub_source, pub_raw = _pub_date(article, metas, url, list_date)
    doc_date, doc_source, doc_raw = _doc_date(article, signature)
    index_field = _pick(article.table, "index_no") or article.info_line("index_no")
    index_no = _clean_value(index_field.value) if index_field else None
    validity_field = _pick(article.table, "validity") or article.info_line("validity")

    return DetailFields(
        title=title,
        doc_no=_doc_no(article, title),
        index_no=_squeeze(index_no) if index_no else None,
        publisher=_publisher(article, signature),
        doc_date=doc_date,
        doc_date_source=doc_source,
        doc_date_raw=doc_raw,
        pub_date=pub_date,
        pub_date_source=pub_source,
        pub_date_raw=pub_raw,
        validity=_clean_value(validity_field.value) if validity_field else None,
        column_name=_meta(metas, "ColumnName"),
        column_type=_meta(metas, "ColumnType"),
        site_id_code=_meta(metas, "SiteIDCode"),
        has_metadata_table=bool(article.table),
        attachments=_attachments(_attachment_region(article), base),
    )


# --------------------------------------------------------------------------------------------
# List pages
# --------------------------------------------------------------------------------------------

_ROW_STOP_TAGS = frozenset({"ul", "ol", "table", "tbody", "thead", "body", "html", "[document]"})
_ROW_MAX_CLIMB = 5
_ELLIPSIS_RE = re.compile(r"(?:\.{2,}|…+|。。+)$")
_DATE_ONLY_RE = re.compile(r"^[\[［(（【]?(?P<d>.+?)[\]］)）】]?$")
_PAGER_TEXT_RE = re.compile(r"^(?:下一页|下页|后一页|尾页|末页|最后一页|next|>|>>|»|\d{1,4})$", re.I)
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
)
_COUNT_PAGE_RE = re.compile(r"\b(?:countPage|pageCount|totalPage|totalPages|pageTotal)\s*[=:]\s*['\"]?(\d+)")
_RECORD_COUNT_RE = re.compile(r"\brecordCount\s*:\s*['\"]?(\d+)")
_PREPAGE_RE = re.compile(r"\bprepage\s*:\s*['\"]?(\d+)")
_MAX_STATIC_RE = re.compile(r"\bmaxStaticIndex\s*:\s*(\d+)")
_QUICK_MODE_RE = re.compile(r"\bquickMode\s*:\s*['\"]([^'\"]*)['\"]")
_TOTAL_PAGES_TEXT_RE = re.compile(r"共\s*(\d{1,5})\s*页|第\s*\d+\s*/\s*(\d{1,5})\s*页")
_STATIC_PAGE_RE = re.compile(r"(?P<name>[^/]+?)_(?P<n>\d+)\.(?P<ext>s?html?)", re.I)
_QUERY_PAGE_KEYS = frozenset({"page", "pageno", "pageindex", "pagenum", "curpage", "currentpage", "pn", "p"})
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
        for other in node.find_all("a", href=True):
            if other is anchor or urljoin(base, str(other["href"]).strip()) == url:
                continue
            if len(_squeeze(_text_of(other))) > 6:
                return None
        dates = _row_dates(node, anchor)
        if dates:
            chosen = _column_date(node, anchor) or _labelled_pub(node, dates) or dates[-1]
            return ListItem(title=text, url=url, date=chosen[0], date_raw=chosen[1]), node
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
        count, current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
        for k in range(min(count, _MAX_GENERATED_PAGES)):
            if k != current:
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
