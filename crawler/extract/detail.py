"""Detail (document) pages: body, title, 文号, signature, the date cascade.

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

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawler import profiles
from crawler.profiles import Profile
from crawler.extract.dates import date_from_url, find_dates, parse_date
from crawler.extract.labels import (
    _date_value,
    _Field,
    _LABELS,
    _clean_name,
    _clean_value,
    _fields_of,
    _metadata_table,
    _pick,
    _value_after,
)
from crawler.extract.text import (
    _Line,
    _NON_LINK_RE,
    _collapse,
    _drop_invisible,
    _is_text,
    _meta,
    _meta_map,
    _parse,
    _render_lines,
    _squeeze,
    _text_of,
)

__all__ = ["DetailFields", "extract_detail"]



@dataclass(frozen=True)
class DetailFields:
    """What a document (detail) page says about itself."""

    title: str | None
    doc_no: str | None  # 文号 exactly as printed (brackets as on the page)
    index_no: str | None  # 索引号
    publisher: str | None  # 发布机构/发文机关 of the table, else signing organ / 来源, else None
    doc_date: date | None  # 形成日期
    # "table:成文日期", "page:发文日期", "body:成文日期", "signature", "body:题注"; "attachment" with no
    # doc_date: the page is only its signed file, whose date is not read.
    doc_date_source: str | None
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
    # The body is only links to the document's file (the signed PDF): its 形成日期 is in there.
    body_is_attachment: bool = False




# A shorter block is navigation or a caption, not a body (a two-line 通告 is ~60 characters).
_MIN_BODY_CHARS = 40
# Site chrome that can out-weigh a short body (the footer's 主办单位/browser notice).
_CHROME_RE = re.compile(r"foot|copyright|header|\bnav|menu|sidebar|breadcrumb|banner|login|search", re.I)
_TITLE_HINT_RE = re.compile(r"title|biaoti|headline|^tit$|^bt$", re.I)
_TITLE_SEPARATOR_RE = re.compile(r"\s*(?:_{1,}|\||｜|\s-\s|\s—\s|--)\s*")


def _find_body(soup: BeautifulSoup, profile: Profile | None) -> Tag | None:
    """The document body: the first CMS content marker present (the fullest match, since a
    summary box may reuse the class), else the densest block of paragraphs. The markers are
    the CMS families' (crawler.profiles), the page's own family first."""
    for selector in profiles.body_selectors(profile):
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
_DATE_NOTE_RE = re.compile(r"[（(][^（()）\d]{1,20}[）)]")
_INTERPRETATION_RE = re.compile(r"解读|图解|问答|答记者问")
_RELATED_RE = re.compile(r"^(?:相关解读|政策解读|图解|图文解读)[:：]")
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
    # A note in brackets may follow the signature date: 2024年2月28日（此件公开发布）.
    if tail and not _DATE_NOTE_RE.fullmatch(tail):
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
    # Hanweb bodies end with a block of links to the document's 解读 (相关解读：…, 图解：…, and
    # further titles): everything from its first line on follows the signature.
    related = next((ln.idx for ln in body_lines if _RELATED_RE.match(_squeeze(ln.text))), None)
    if related is not None:
        body_lines = [ln for ln in body_lines if ln.idx < related]
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


def _first_signature_block(body_lines: list[_Line]) -> _Signature | None:
    """The first strict signature block (organ line, then a line that is only a date)."""
    for i in range(1, len(body_lines)):
        line = body_lines[i]
        found = _date_line(line.text)
        if found is None or found[1] is not None or _in_data_table(line):
            continue
        previous = body_lines[i - 1].text
        if _is_organ(previous):
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




_PUB_META_NAMES = (
    "PubDate",
    "firstpublishedtime",  # www.gov.cn
    "publishdate",
    "publish_date",
    "article:published_time",
)
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

    def info_line(self, key: str, labels: tuple[str, ...] | None = None) -> _Field | None:
        """A labelled field outside the table and the body, nearest to the article: the line
        under the heading (发布时间：… 来源：…), not a sidebar's or the footer's. ``labels``
        restricts the labels that count (a family's info-line labels)."""
        span = self.anchors
        if span is None:
            return None
        lo, hi = span
        order = _LABELS[key]
        best: tuple[int, int, _Field] | None = None
        for f in self.others:
            if f.key != key or f.in_body or not f.value or (labels is not None and f.label not in labels):
                continue
            distance = lo - f.line if f.line < lo else max(0, f.line - hi)
            if distance <= _INFO_LINE_REACH and (best is None or (distance, order.index(f.label)) < best[:2]):
                best = (distance, order.index(f.label), f)
        return best[2] if best else None

    def head_field(self, key: str, labels: tuple[str, ...] | None = None) -> _Field | None:
        """A labelled field on the info line proper: between the heading and the body, or on the
        line of the page's own 发布时间. Never after the body (相关文件, 上一篇) nor inside a list
        of links: a neighbouring document's 发文日期 is not this page's."""
        pub = self.info_line("pub_date") or self.info_line("weak_pub")
        start = self.body_lines[0].idx if self.body_lines else None
        if self.title_line is not None:
            lo, hi = self.title_line, start if start is not None else self.title_line + 5
        else:
            lo = hi = -1
        by_line = {ln.idx: ln for ln in self.lines}
        order = _LABELS[key]
        candidates = []
        for f in self.others:
            if f.key != key or f.in_body or not f.value or (labels is not None and f.label not in labels):
                continue
            if not (lo < f.line < hi or (pub is not None and f.line == pub.line)):
                continue
            line = by_line.get(f.line)
            if line is not None and (line.el.name in ("a", "li") or line.el.find_parent(["a", "li"]) is not None):
                continue
            candidates.append(f)
        return min(candidates, key=lambda f: (order.index(f.label), f.line)) if candidates else None

    def body_field(self, key: str) -> _Field | None:
        return _pick((f for f in self.others if f.in_body and f.value), key)

    def lines_before_body(self) -> list[_Line]:
        """Lines between the heading and the body: TRS prints the 文号 there (article_title_sec)."""
        if self.title_line is None:
            return []
        stop = self.body_lines[0].idx if self.body_lines else self.title_line + 5
        table_lines = {f.line for f in self.table}
        return [ln for ln in self.lines[self.title_line + 1 : stop] if ln.idx not in table_lines]


def _read_article(soup: BeautifulSoup, reference: str | None, profile: Profile | None) -> _Article:
    body = _find_body(soup, profile)
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
        dated = _date_value(field.value) if field else None
        value = dated[0] if dated else None
        if field and value is not None:
            return value, f"{source}:{field.label}", field.value
    if list_date is not None:
        return list_date, "list", list_date.isoformat()
    value = date_from_url(url)
    if value is not None:
        return value, "url", url
    field = article.body_field("pub_date")
    dated = _date_value(field.value) if field else None
    value = dated[0] if dated else None
    if field and value is not None:
        return value, f"body:{field.label}", field.value
    return None, None, None


def _doc_date(
    article: _Article, signature: _Signature | None, profile: Profile | None, pub_date: date | None = None
) -> _Dated:
    """形成日期: the table, else the info line (发文日期/生成日期 beside 发布时间 and 来源, with the
    family's own labels), else a labelled body line, else the signature, else the adoption note."""
    labels = (profile or profiles.GENERIC).info_line_doc_labels
    for source, field in (
        ("table", _pick(article.table, "doc_date")),
        ("page", article.head_field("doc_date", labels)),
        ("body", article.body_field("doc_date")),
    ):
        dated = _date_value(field.value) if field else None
        value = dated[0] if dated else None
        if field and value is not None and source != "table":
            # A 成文日期 carries no time of day: "生成日期：2024-06-01 10:20:33" beside 发布时间 is
            # the CMS's build stamp, and so is a 生成日期 later than the page's publication.
            if dated and dated[1]:
                continue
            if field.label == "生成日期" and pub_date is not None and value > pub_date:
                continue
        if field and value is not None:
            if source != "table" and signature is not None and signature.date != value:
                # The page's own signature outranks a labelled line that disagrees with it.
                return signature.date, "signature", signature.raw
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
    for line in article.lines_before_body():
        found = _doc_no_in(line.text, whole_line=True)
        if found:
            return found
    # The body's own 发文字号 line opens it: first, or after the page's own title repeated or a
    # 文号 label. After another line (a cited notice's title, "传达学习以下文件精神：") it is the
    # number of the document the page talks about.
    squeezed_title = _squeeze(title) if title else None
    for line in article.body_lines[:8]:
        found = _doc_no_in(line.text, whole_line=True)
        if found:
            return found
        text = _squeeze(line.text)
        if not (text == squeezed_title or _DOC_NO_LABEL_RE.fullmatch(text)):
            break
    # A 解读/图解 names the interpreted document's number in its title: not its own.
    found = _doc_no_in(title, whole_line=False) if title and not _INTERPRETATION_RE.search(title) else None
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


def _body_is_attachment(article: _Article, title: str | None) -> bool:
    """True when the body is essentially links to document files (the signed PDF, a .doc):
    apart from those links, the page's own title and 附件/下载 labels it says nothing."""
    body = article.body
    if body is None:
        return False
    files = [a for a in body.find_all("a", href=True) if _ATTACHMENT_EXT_RE.search(urlsplit(str(a["href"]).strip()).path)]
    if not files:
        return False
    link_texts = {_squeeze(_text_of(a)) for a in files}
    squeezed_title = _squeeze(title) if title else None
    rest = 0
    for line in article.body_lines:
        text = _squeeze(line.text)
        for link in link_texts:
            if link:
                text = text.replace(link, "")
        text = re.sub(r"附件\d*[:：]?|点击下载|下载|查看|原文|\d+[.、]", "", text)
        if not text or text == squeezed_title:
            continue
        rest += len(text)
    return rest <= 10


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


def extract_detail(
    html: str, url: str | None = None, list_date: date | None = None, profile: Profile | None = None
) -> DetailFields:
    """Fields of a document page. ``list_date`` is the date its list page shows for it;
    ``profile`` the site's CMS family when known (its rules are tried first)."""
    soup = _parse(html)
    metas = _meta_map(soup)
    head_title = soup.title.get_text() if soup.title else None
    base = _base_url(url, metas)
    _drop_invisible(soup)

    reference = _meta(metas, "ArticleTitle", "og:title") or _clean_head_title(head_title)
    article = _read_article(soup, reference, profile)

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
    if title and "转发" in title:
        # A 转发 notice is signed before the forwarded text, which ends with its own signature.
        signature = _first_signature_block(article.body_lines) or signature
    pub_date, pub_source, pub_raw = _pub_date(article, metas, url, list_date)
    doc_date, doc_source, doc_raw = _doc_date(article, signature, profile, pub_date)
    index_field = _pick(article.table, "index_no") or article.info_line("index_no")
    index_no = _clean_value(index_field.value) if index_field else None
    validity_field = _pick(article.table, "validity") or article.info_line("validity")

    # No date read and the body only links the signed file: the 形成日期 is in the attachment.
    body_is_attachment = doc_date is None and _body_is_attachment(article, title)
    if body_is_attachment:
        doc_source = "attachment"

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
        body_is_attachment=body_is_attachment,
    )
