"""LAG003 发布日期早于成文日期: the page says it was published before the document existed.

This can be a typing error or a back-dated publication (伪造发稿日期, a 19号 veto), which
only a person can tell apart: the finding is a notice, never a veto by itself.

Options: none.  Source: 国办秘函〔2019〕19号.

Passing: 成文日期 2026-09-28, 发布日期 2026-09-30.
Failing: 成文日期 2026-09-28, 发布日期 2026-09-25.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._columns import is_interpretation
from checks.base import CheckContext, Observations
from zwgk.records import DocumentObs, Finding, Severity

ID = "LAG003"
NAME = "published-before-formed"
TITLE = "发布日期早于成文日期"
SEVERITY = Severity.NOTICE
SOURCE = "国办秘函〔2019〕19号"
READS = DocumentObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for doc in obs.documents:
        if doc.doc_date is None or doc.pub_date is None or doc.pub_date >= doc.doc_date:
            continue
        if not (doc.pub_date_source or "").startswith(("meta", "table")):
            continue   # a list or URL date is too weak to accuse anyone of back-dating
        if is_interpretation(doc.title):
            continue   # a 解读's 文号/发文日期 are the interpreted document's (RULES: LAG002 skips it too)
        if doc.doc_date_source == "page:生成日期":
            continue   # a 生成日期 later than the publication is the CMS regenerating the page
        yield Finding(
            rule=ID, severity=SEVERITY, site=doc.site_id, unit=obs.owner(doc.column_url or doc.url, doc.site_id),
            column=doc.column_url, url=doc.url,
            message=(f"《{doc.title or doc.url}》发布日期{doc.pub_date:%Y年%m月%d日}早于成文日期"
                     f"{doc.doc_date:%Y年%m月%d日}，请核实。"),
            evidence={"doc_date": doc.doc_date.isoformat(), "doc_date_source": doc.doc_date_source,
                      "pub_date": doc.pub_date.isoformat(), "pub_date_source": doc.pub_date_source},
            as_of=ctx.as_of)
