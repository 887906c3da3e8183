"""UPD004 应更新但长期未更新: a 人事 or 规划 column past its cadence.

Which columns: 人事信息, 人事任免, 招录 …; 规划计划, 发展规划 … (checks/_columns.py).
The cadence is ``max_days`` (365) **(unconfirmed: 19号 names such columns but no
period; keep it configurable)**.

Options: ``max_days`` (365).  Counts toward the UPD veto (≥ 10 columns).
Source: 国办秘函〔2019〕19号 (应更新但长期未更新).

Passing: 规划计划 whose newest item is 300 days old.
Failing: 规划计划 whose newest item is 420 days old.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from checks._freshness import stale_columns
from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "UPD004"
NAME = "cadence-columns"
TITLE = "应更新但长期未更新"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号（周期未确认）"
READS = ColumnObs
DEFAULTS: dict[str, Any] = {"max_days": 365}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    oldest = ctx.as_of - timedelta(days=conf["max_days"])
    yield from stale_columns(obs, ctx, ID, SEVERITY, ("personnel", "plan"), oldest, f"{conf['max_days']}天内更新")
