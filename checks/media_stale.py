"""MED001 政务新媒体不更新: an account with no post in the 14 days before the check.

An account fails when its newest post is more than ``max_days`` (14) days before as_of — a
post exactly 14 days earlier still counts — or when it has never posted (that account is
also MED003).  Between ``warn_days`` (10) and 14 days it is not a finding but a 提醒 in the
report's 无法核验/提醒 section (``approaching`` lists those accounts).  Only the latest observation of each account on or before
as_of is read, and only when it is at most ``max_observation_age_days`` (3) old: the account
may have posted since an older one, so it is "could not verify".  A source that could not be
read (blocked, captcha, feed down, malformed) is MED002, never stale.

Options: ``max_days`` (14), ``warn_days`` (10), ``max_observation_age_days`` (3).
Source: 国办秘函〔2019〕19号 (政务新媒体 单项否决: 2周以上不更新); 国办发〔2018〕123号.

Passing: as_of 2026-11-26, newest post 2026-11-13 (13 days); a 403 from the platform.
Failing: as_of 2026-11-26, newest post 2026-11-11 (15 days); a feed with no post at all.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records.media import MediaObs, MediaOutcome, latest_by_account
from zwgk.records import Finding, Severity

ID = "MED001"
NAME = "media-stale"
TITLE = "政务新媒体不更新"
SEVERITY = Severity.VETO
SOURCE = "国办秘函〔2019〕19号; 国办发〔2018〕123号"
READS = MediaObs
DEFAULTS: dict[str, Any] = {"max_days": 14, "warn_days": 10, "max_observation_age_days": 3}


def current(obs: Observations, conf: dict[str, Any], ctx: CheckContext, rule: str | None) -> Iterator[MediaObs]:
    """Latest readable observations recent enough to judge; the others are "could not verify"
    (said for ``rule``, unless None)."""
    for o in latest_by_account(obs.media, ctx.as_of):
        if not o.outcome.readable:
            continue   # MED002
        age = (ctx.as_of - o.observed_on).days
        if age > conf["max_observation_age_days"]:
            if rule is not None:
                ctx.could_not_verify(rule, f"{o.account}（{o.platform}）: 最近一次读取在 {o.observed_on}，"
                                           f"距检查日已 {age} 天，需重新读取", site="media", unit=o.unit, subject=o.url)
            continue
        yield o


def approaching(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> list[MediaObs]:
    """Accounts past ``warn_days`` but not yet stale: a warning for the unit, not a finding."""
    out = []
    for o in current(obs, conf, ctx, None):
        if o.outcome is MediaOutcome.OK and o.newest_date is not None:
            days = (ctx.as_of - o.newest_date).days
            if conf["warn_days"] <= days <= conf["max_days"]:
                out.append(o)
    return out


def evidence(o: MediaObs) -> dict[str, Any]:
    return {"account": o.account, "platform": o.platform, "source": o.source, "outcome": o.outcome.value,
            "newest_date": o.newest_date.isoformat() if o.newest_date else None, "post_count": o.post_count,
            "observed_at": o.observed_at.isoformat(), "detail": o.detail}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    limit = conf["max_days"]
    for o in approaching(obs, conf, ctx):
        assert o.newest_date is not None      # approaching() keeps only dated accounts
        ctx.could_not_verify(ID, f"提醒：政务新媒体账号“{o.account}”（{o.platform}，{o.unit}）已"
                                 f"{(ctx.as_of - o.newest_date).days}天未更新（超过{limit}天即单项否决）", site="media", unit=o.unit, subject=o.url)
    for o in current(obs, conf, ctx, ID):
        if o.outcome is MediaOutcome.NO_POSTS:
            message = (f"政务新媒体账号“{o.account}”（{o.platform}）从未发布内容，"
                       f"超过{limit}天未更新。")
        elif o.newest_date is not None and (ctx.as_of - o.newest_date).days > limit:
            days = (ctx.as_of - o.newest_date).days
            message = (f"政务新媒体账号“{o.account}”（{o.platform}）最近一次发布在"
                       f"{o.newest_date:%Y年%m月%d日}，已{days}天未更新，超过{limit}天的要求。")
        else:
            continue
        yield Finding(rule=ID, severity=SEVERITY, site="media", unit=o.unit, column=None, url=o.url,
                      message=message, evidence={**evidence(o), "max_days": limit}, as_of=ctx.as_of)
