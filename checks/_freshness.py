"""Shared by UPD002–UPD004: columns of one class whose newest item is older than a limit."""
from __future__ import annotations

from datetime import date
from typing import Iterator

from checks._columns import column_class
from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity


def stale_columns(obs: Observations, ctx: CheckContext, rule: str, severity: Severity,
                  classes: tuple[str, ...], oldest_allowed: date, limit_text: str) -> Iterator[Finding]:
    parents = {c.parent_url for c in obs.columns if c.parent_url}
    for col in obs.columns:
        if column_class(col.name, col.column_type) not in classes or col.url in parents:
            continue
        if col.item_count == 0:
            continue   # a blank column is UPD005's, not counted twice
        if col.newest_date is None:
            ctx.could_not_verify(rule, f"{col.name or col.url}: 条目未标日期，无法判断更新时间", site=col.site_id, unit=obs.owner(col.url, col.site_id), subject=col.url)
            continue
        if col.newest_date >= oldest_allowed:
            continue
        days = (ctx.as_of - col.newest_date).days
        yield Finding(
            rule=rule, severity=severity, site=col.site_id, unit=obs.owner(col.url, col.site_id),
            column=col.url, url=col.url,
            message=(f"栏目“{col.name or col.url}”最近一条信息发布于{col.newest_date:%Y年%m月%d日}，"
                     f"已{days}天未更新（要求：{limit_text}）。"),
            evidence={"name": col.name, "newest_date": col.newest_date.isoformat(), "days": days,
                      "items": col.item_count},
            as_of=ctx.as_of)


def months_before(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
