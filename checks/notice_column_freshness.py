"""UPD003 通知公告、政策文件类栏目未更新: no item in the 6 months before the check.

Which columns: 通知公告, 公示, 政策文件, 规范性文件 … (checks/_columns.py).  A blank
column is UPD005's; a column whose items carry no date is "could not verify".

Options: ``max_months`` (6).  Counts toward the UPD veto (assessment).
Source: 国办秘函〔2019〕19号.

Passing: 政策文件 whose newest item is 5 months old.
Failing: 通知公告 whose newest item is 7 months old.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._freshness import months_before, stale_columns
from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "UPD003"
NAME = "notice-column-freshness"
TITLE = "通知公告、政策文件类栏目未更新"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号"
READS = ColumnObs
DEFAULTS: dict[str, Any] = {"max_months": 6}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    oldest = months_before(ctx.as_of, conf["max_months"])
    yield from stale_columns(obs, ctx, ID, SEVERITY, ("notice", "policy"), oldest,
                             f"{conf['max_months']}个月内更新")
