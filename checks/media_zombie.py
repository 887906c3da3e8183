"""MED003 空壳/僵尸账号: an account that never posted, or has not posted for over a year.

Read from the latest observation of each account on or before as_of, as MED001 (and with the
same ``max_observation_age_days``): a source that could not be read is MED002, not empty.
Such an account is also a MED001 veto; this notice asks the unit to revive or close it
(关停整合, 123号).

Options: ``max_days`` (365, a local convention, **unconfirmed**), ``max_observation_age_days`` (3).
Source: 国办发〔2018〕123号 (“僵尸”“睡眠”账号 清理整合).

Passing: newest post 2026-01-01 with as_of 2026-11-26 (329 days).
Failing: a feed with no post at all; newest post 2025-10-01 with as_of 2026-11-26 (421 days).
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks.media_stale import current, evidence
from zwgk.records.media import MediaObs, MediaOutcome
from zwgk.records import Finding, Severity

ID = "MED003"
NAME = "media-zombie"
TITLE = "空壳/僵尸账号"
SEVERITY = Severity.NOTICE
SOURCE = "国办发〔2018〕123号"
READS = MediaObs
DEFAULTS: dict[str, Any] = {"max_days": 365, "max_observation_age_days": 3}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    limit = conf["max_days"]
    for o in current(obs, conf, ctx, ID):
        if o.outcome is MediaOutcome.NO_POSTS:
            message = f"政务新媒体账号“{o.account}”（{o.platform}）从未发布内容，属空壳账号，请整改或关停。"
        elif o.newest_date is not None and (ctx.as_of - o.newest_date).days > limit:
            days = (ctx.as_of - o.newest_date).days
            message = (f"政务新媒体账号“{o.account}”（{o.platform}）最近一次发布在{o.newest_date:%Y年%m月%d日}，"
                       f"已{days}天未更新，属僵尸账号，请整改或关停。")
        else:
            continue
        yield Finding(rule=ID, severity=SEVERITY, site="media", unit=o.unit, column=None, url=o.url,
                      message=message, evidence={**evidence(o), "max_days": limit}, as_of=ctx.as_of)
