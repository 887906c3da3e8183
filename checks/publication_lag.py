"""LAG001 公开超时: a document published more than 20 working days after it was formed.

Policy: 《政府信息公开条例》第二十六条 — 属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起
20个工作日内予以公开; 方案第26项.  Working days count Monday–Friday less 法定节假日, plus 调休
working Saturdays/Sundays; the start day is not counted (``workdays_between``).

Options:
- ``max_working_days`` (20): the 公开时限.  A unit's 标准目录 may set a shorter one.
- ``window_days`` (365): only documents published in this many days before as_of are judged
  (0 = all); older lateness is history, not something a unit can still fix.

The 形成日期 is the 成文日期 (else 发文日期/生成日期, else the signature date — but not for a
转发, whose last signature is the forwarded document's); the 发布日期
must come from the page itself (PubDate meta, metadata table or the list entry): a date read
only from the URL is often a migration date, so such a document is not judged.

Passing: 成文日期 2026-09-28, 发布日期 2026-10-30 — the 20th working day (国庆 off, 10-10 调休).
Failing: 成文日期 2026-09-28, 发布日期 2026-11-02 — the 21st working day.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from checks._columns import is_interpretation
from checks.base import CheckContext, Observations
from zwgk.records import DocumentObs, Finding, Severity

ID = "LAG001"
NAME = "publication-lag"
TITLE = "公开超时"
SEVERITY = Severity.DEDUCTION
SOURCE = "条例第二十六条; 方案第26项"
READS = DocumentObs
DEFAULTS = {"max_working_days": 20, "window_days": 365}
TRUSTED_PUB_SOURCES = ("meta", "table", "list", "body")


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    limit = conf["max_working_days"]
    since = ctx.as_of - timedelta(days=conf["window_days"]) if conf["window_days"] else None
    for doc in obs.documents:
        if doc.doc_date is None or doc.pub_date is None:
            continue   # LAG002 / LAG004 say so
        if is_interpretation(doc.title):
            continue   # a 解读's 文号/发文日期 are the interpreted document's (RULES: LAG002 skips it too)
        if doc.doc_date_source == "signature" and "转发" in (doc.title or ""):
            # A 转发 ends with the forwarded document's signature: an older date, not this one's.
            ctx.could_not_verify(ID, f"{doc.url}: 转发类文件，成文日期仅见于文末落款，未判定", site=doc.site_id, unit=obs.owner(doc.url, doc.site_id), subject=doc.url)
            continue
        if not (doc.pub_date_source or "").startswith(TRUSTED_PUB_SOURCES):
            ctx.could_not_verify(ID, f"{doc.url}: 发布日期只见于网址 ({doc.pub_date_source})", site=doc.site_id, unit=obs.owner(doc.url, doc.site_id), subject=doc.url)
            continue
        if doc.pub_date > ctx.as_of or (since and doc.pub_date < since) or doc.pub_date < doc.doc_date:
            continue
        lag = ctx.calendar.workdays_between(doc.doc_date, doc.pub_date)
        if lag <= limit:
            continue
        deadline = ctx.calendar.add_workdays(doc.doc_date, limit)
        yield Finding(
            rule=ID, severity=SEVERITY, site=doc.site_id, unit=obs.owner(doc.column_url or doc.url, doc.site_id),
            column=doc.column_url, url=doc.url,
            message=(f"《{doc.title or doc.url}》成文于{doc.doc_date:%Y年%m月%d日}，"
                     f"{doc.pub_date:%Y年%m月%d日}才公开，用时{lag}个工作日，超过{limit}个工作日的时限"
                     f"（应于{deadline:%Y年%m月%d日}前公开）。"),
            evidence={"title": doc.title, "doc_no": doc.doc_no, "doc_date": doc.doc_date.isoformat(),
                      "doc_date_source": doc.doc_date_source, "pub_date": doc.pub_date.isoformat(),
                      "pub_date_source": doc.pub_date_source, "working_days": lag,
                      "deadline": deadline.isoformat(), "limit": limit},
            as_of=ctx.as_of)
