"""UPD001 首页不更新: no new dated item on a site's homepage in the 14 days before the check.

The homepage's list entries with a date are read by the crawler; undated entries count
as not updated.  A navigation-only homepage (no entries at all) is judged by the
newest item of the site's columns instead.  A homepage that did not load is "could
not verify" (availability is AVL001's business).  The warning at 10 days is shown in
the report's 无法核验/提醒 section, not as a finding.

Options: ``max_days`` (14), ``warn_days`` (10).  Veto for the site.
Source: 国办秘函〔2019〕19号.

Passing: the newest homepage entry is 13 days old.
Failing: the newest homepage entry is 20 days old.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, ListItemObs, Severity

ID = "UPD001"
NAME = "homepage-freshness"
TITLE = "首页不更新"
SEVERITY = Severity.VETO
SOURCE = "国办秘函〔2019〕19号"
READS = ListItemObs
DEFAULTS: dict[str, Any] = {"max_days": 14, "warn_days": 10}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for site in obs.sites:
        home = next((p for p in obs.pages if p.url == site.url and p.kind == "home"), None)
        if home is None or home.status is None or not 200 <= home.status < 300:
            ctx.could_not_verify(ID, f"{site.name}: 首页未能访问，无法判断更新情况", site=site.id, unit=site.unit, subject=site.url)
            continue
        items = [i for i in obs.list_items if i.column_url == site.url]
        if items:
            dates = [i.item_date for i in items if i.item_date and i.item_date <= ctx.as_of]
            basis = "首页"
        else:
            dates = [c.newest_date for c in obs.columns
                     if c.site_id == site.id and c.newest_date and c.newest_date <= ctx.as_of]
            basis = "首页为导航页，按二级栏目"
            if not dates:
                ctx.could_not_verify(ID, f"{site.name}: 首页与栏目均未读到带日期的信息", site=site.id, unit=site.unit, subject=site.url)
                continue
        newest = max(dates, default=None)
        if newest is not None and newest >= ctx.as_of - timedelta(days=conf["warn_days"]):
            continue
        if newest is not None and newest >= ctx.as_of - timedelta(days=conf["max_days"]):
            ctx.could_not_verify(ID, f"提醒：{site.name}首页已{(ctx.as_of - newest).days}天未更新"
                                     f"（{conf['max_days']}天即单项否决）", site=site.id, unit=site.unit, subject=site.url)
            continue
        days = (ctx.as_of - newest).days if newest else None
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=(f"{site.name}{basis}最近一条信息发布于{newest:%Y年%m月%d日}，已{days}天未更新"
                     if newest else f"{site.name}首页的信息均未标注日期，视为未更新")
                    + f"（要求{conf['max_days']}天内更新，单项否决）。",
            evidence={"newest_date": newest.isoformat() if newest else None, "days": days,
                      "items": len(items), "basis": basis},
            as_of=ctx.as_of)
