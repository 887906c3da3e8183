"""Labelled fields: the 信息公开 metadata table, info lines and labelled body lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from datetime import date

from bs4 import Tag
from crawler.extract.dates import find_dates, parse_date
from crawler.extract.text import (
    _Line,
    _collapse,
    _squeeze,
    _text_of,
)



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


# Elements that can hold the value of a label standing alone in the element before them: a
# table cell, a definition, an inline span. Never a block (the body <div>, a paragraph, a list).
_VALUE_CELL_TAGS = frozenset({"td", "th", "dd", "span", "font", "em", "b", "strong", "i", "label"})
_VALUE_BLOCK_TAGS = ("p", "div", "table", "ul", "ol", "li", "br", "section", "article", "h1", "h2", "h3")
# Sentence punctuation: a value containing it is running text, not a field value.
_VALUE_SENTENCE_RE = re.compile(r"[。；！？!?]")


def _short_value(text: str, *, limit: int) -> bool:
    return len(text) <= limit and "\n" not in text and not _VALUE_SENTENCE_RE.search(text)


def _value_after(line: _Line, lines: list[_Line]) -> str:
    """Value of a label that stands alone in its element: the next cell or element.

    Only a short, cell-like value counts: a label left empty on an info line
    (``<span>成文日期：</span>``) followed by the body must not read the body's text.
    """
    nxt = lines[line.idx + 1] if line.idx + 1 < len(lines) else None
    # Same cell after a <br>, or an element nested in the label's block.
    if nxt is not None and (nxt.el is line.el or line.el in nxt.el.parents):
        candidate = nxt.text
        limit = 200 if line.el.name in ("td", "th") else 40
    else:
        sibling = line.el.find_next_sibling()
        if (
            not isinstance(sibling, Tag)
            or sibling.name not in _VALUE_CELL_TAGS
            or sibling.find(_VALUE_BLOCK_TAGS) is not None
            or (nxt is not None and nxt.in_body != line.in_body)
        ):
            return ""
        candidate = _text_of(sibling)
        # A table cell may hold a long 标题; anything else is a short token.
        limit = 200 if sibling.name in ("td", "th") else 40
    candidate = candidate.strip()
    if not candidate or _LABEL_ONLY_RE.fullmatch(candidate) or _LABEL_RE.match(candidate):
        return ""
    if not _short_value(candidate, limit=limit):
        return ""
    return candidate


# A time of day after a date (10:21, 10:21:33, 10时21分).
_TIME_RE = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|\d{1,2}时(?:\d{1,2}分(?:\d{1,2}秒)?)?")


def _date_value(value: str | None) -> tuple[date, bool] | None:
    """The date of a labelled date value that is just a date (and perhaps a time of day).

    Returns the date and whether a time of day was written with it. A value with a second date
    or other words around the date (a sentence, a neighbour's text) is no date value.
    """
    if not value:
        return None
    found = find_dates(value)
    if len(found) != 1:
        compact = parse_date(value)
        return (compact, False) if compact is not None and len(found) == 0 else None
    when, raw = found[0]
    head, _, tail = value.partition(raw)
    tail_rest = _TIME_RE.sub("", tail, count=1)
    has_time = tail_rest != tail
    leftover = re.sub(r"[\s|｜/()（）\[\]【】,，.。:：-]+", "", head + tail_rest)
    if leftover:
        return None
    return when, has_time


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
