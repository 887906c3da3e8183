"""LAG002 形成日期缺失: a 公文 whose 形成日期 cannot be found anywhere on its page.

Without the 形成日期 the 20-working-day rule (LAG001) cannot be applied, so the unit should
fill it in. A page is a 公文, whatever its template, when it carries a 文号, when it sits in a
政策文件-class column (政策文件, 规范性文件, 政府文件 …, see checks/_columns.py), or when it
carries the 信息公开 metadata table (whose 成文日期 field is there to be filled). The 形成日期
may come from anywhere the crawler reads one: the table, the info line beside 发布时间 and 来源
(发文日期 / 生成日期), a labelled line in the body, or the signature date. A news article (no
文号, no table, a 动态 column) has no 形成日期 by nature and is not judged, and neither is a
解读/图解/问答 page or any page of a news or 解读 column (the 文号 it shows is the one it cites).

Options: none.  Source: information quality of the 信息公开 metadata (条例第二十六条 needs it).

Passing: a page whose info line reads 发文日期：2026-09-28; a signed 公文 with an empty table cell;
a 工作动态 article without 文号 or table.
Failing: a page with 文号 积政发〔2026〕12号 and no date besides its 发布时间; a 政策文件 page
without table, 文号 or signature date.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._columns import column_class, is_interpretation
from checks.base import CheckContext, Observations
from zwgk.records import DocumentObs, Finding, Severity

_NOT_OFFICIAL_CLASSES = frozenset({"news", "interpretation"})

ID = "LAG002"
NAME = "missing-document-date"
TITLE = "形成日期缺失"
SEVERITY = Severity.NOTICE
SOURCE = "信息公开元数据质量（条例第二十六条需要形成日期）"
READS = DocumentObs
DEFAULTS: dict[str, Any] = {}


def why_official(doc: DocumentObs, obs: Observations,
                 listed_in: dict[str, set[str]] | None = None) -> str | None:
    """Why the page is a 公文 (so it must have a 形成日期), or None.

    Its columns are the one it was crawled from and every column whose list shows it (a
    document first reached from the homepage carries no column of its own)."""
    if is_interpretation(doc.title):
        return None   # a 解读/图解/问答 explains a 公文; it is none itself
    urls = {doc.column_url} | (listed_in or {}).get(doc.url, set())
    classes = {column.name: column_class(column.name, column.column_type)
               for column in obs.columns if column.url in urls}
    policy = next((name for name, cls in classes.items() if cls == "policy"), None)
    if policy is None and any(cls in _NOT_OFFICIAL_CLASSES for cls in classes.values()):
        return None   # a news or 解读 column's page cites 公文, it is none
    if doc.doc_no:
        return f"文号 {doc.doc_no}"
    if policy is not None:
        return f"政策文件类栏目「{policy}」"
    if doc.has_metadata_table:
        return "信息公开元数据表"
    return None


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    listed_in: dict[str, set[str]] = {}
    for item in obs.list_items:
        listed_in.setdefault(item.url, set()).add(item.column_url)
    column_urls = {c.url for c in obs.columns}
    for doc in obs.documents:
        if doc.doc_date is not None or doc.doc_date_source == "attachment":
            continue   # "attachment": the page is only the signed file, whose date is not read
        why = why_official(doc, obs, listed_in)
        if why is None:
            continue
        # A document first reached from a homepage link has no column of its own: the column
        # whose list shows it is where it belongs (a homepage's 最新 list is no column).
        column = doc.column_url or min((c for c in listed_in.get(doc.url, ()) if c in column_urls), default=None)
        yield Finding(
            rule=ID, severity=SEVERITY, site=doc.site_id,
            unit=obs.owner(column or doc.url, doc.site_id), column=column, url=doc.url,
            message=f"《{doc.title or doc.url}》未注明成文日期，无法核验是否在20个工作日内公开。",
            evidence={"title": doc.title, "pub_date": doc.pub_date.isoformat() if doc.pub_date else None,
                      "why": why},
            as_of=ctx.as_of)
