"""UPD002 动态、要闻类栏目未更新: a news column with no item in the 14 days before the check.

Which columns: names with 动态, 要闻, 新闻, 工作信息 … (checks/_columns.py).  A blank
column is UPD005's; a column whose items carry no date is "could not verify".

Options: ``max_days`` (14).  Counts toward the UPD veto (assessment).
Source: 国办秘函〔2019〕19号.

Passing: 乡镇动态 whose newest item is 13 days old.
Failing: 乡镇动态 whose newest item is 15 days old.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from checks._freshness import stale_columns
from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "UPD002"
NAME = "news-column-freshness"
TITLE = "动态、要闻类栏目未更新"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号"
READS = ColumnObs
DEFAULTS: dict[str, Any] = {"max_days": 14}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    oldest = ctx.as_of - timedelta(days=conf["max_days"])
    yield from stale_columns(obs, ctx, ID, SEVERITY, ("news",), oldest, f"{conf['max_days']}天内更新")
