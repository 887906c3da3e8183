"""LAG002 形成日期缺失: a 信息公开 document whose 成文日期 cannot be found.

Without the 形成日期 the 20-working-day rule (LAG001) cannot be applied, so the unit
should fill in the metadata table.  Only documents that carry the 信息公开 metadata
table are judged: a news article has no 成文日期 by nature.

Options: none.  Source: information quality of the 信息公开 metadata (条例第二十六条 needs it).

Passing: a page whose table reads 成文日期：2026-09-28.
Failing: a page whose table has an empty 成文日期 and no signature date at the end.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import DocumentObs, Finding, Severity

ID = "LAG002"
NAME = "missing-document-date"
TITLE = "形成日期缺失"
SEVERITY = Severity.NOTICE
SOURCE = "信息公开元数据质量（条例第二十六条需要形成日期）"
READS = DocumentObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for doc in obs.documents:
        if doc.has_metadata_table and doc.doc_date is None:
            yield Finding(
                rule=ID, severity=SEVERITY, site=doc.site_id,
                unit=obs.owner(doc.column_url or doc.url, doc.site_id), column=doc.column_url, url=doc.url,
                message=f"《{doc.title or doc.url}》未注明成文日期，无法核验是否在20个工作日内公开。",
                evidence={"title": doc.title, "pub_date": doc.pub_date.isoformat() if doc.pub_date else None},
                as_of=ctx.as_of)
