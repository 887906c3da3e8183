"""UPD005 空白栏目: a column that has never held an item.

A column counts as blank only when its list page says so (暂无信息, 暂无内容 …), it lists
no item and it has no sub-columns.  A list filled by JavaScript, or one we could not
read, shows no items either: that is "could not verify", never a blank column.

Options: none (the veto count, ≥ 5 blank columns, lives in the assessment).
Source: 国办秘函〔2019〕19号 (空白栏目).

Passing: 法定主动公开内容, which holds only sub-columns; a column with one document.
Failing: a 通知公告 column whose page reads 暂无信息.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "UPD005"
NAME = "empty-column"
TITLE = "空白栏目"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号"
READS = ColumnObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    parents = {c.parent_url for c in obs.columns if c.parent_url}
    for col in obs.columns:
        if col.item_count or col.url in parents:
            continue
        if not col.empty_marker:
            ctx.could_not_verify(ID, f"{col.name or col.url}: 未读到条目，页面也未注明暂无信息", site=col.site_id, unit=obs.owner(col.url, col.site_id), subject=col.url)
            continue
        yield Finding(
            rule=ID, severity=SEVERITY, site=col.site_id, unit=obs.owner(col.url, col.site_id),
            column=col.url, url=col.url,
            message=f"栏目“{col.name or col.url}”为空白栏目，没有任何信息。",
            evidence={"name": col.name, "pages_seen": col.pages_seen}, as_of=ctx.as_of)
