"""LAG004 未注明发布时间: a document with no publication date on its page or list entry.

No PubDate meta, no 发布日期 in the metadata table, no date beside its list entry, none
in its URL and none labelled in its text.  Such a document counts as not updated.

Options: none.  Source: 国办秘函〔2019〕19号 practice.

Passing: a document whose list entry shows 2026-10-08.
Failing: a document page and list entry with no date at all.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import DocumentObs, Finding, Severity

ID = "LAG004"
NAME = "missing-publication-date"
TITLE = "未注明发布时间"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 实践"
READS = DocumentObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for doc in obs.documents:
        if doc.pub_date is not None or doc.list_date is not None:
            continue
        yield Finding(
            rule=ID, severity=SEVERITY, site=doc.site_id, unit=obs.owner(doc.column_url or doc.url, doc.site_id),
            column=doc.column_url, url=doc.url,
            message=f"《{doc.title or doc.url}》页面及列表均未注明发布时间。",
            evidence={"title": doc.title}, as_of=ctx.as_of)
