"""MED002 无法核验: an account whose source could not be read, so a person must look.

The latest observation of the account on or before as_of is BLOCKED (captcha page, 401, 403,
429), UNREACHABLE (DNS, connection, timeout), HTTP_ERROR (the feed is down: 404, 5xx …),
MALFORMED (not a parseable feed, selectors that match nothing) or UNDATED (posts without a
readable date).  Such an account is never judged stale (MED001) or empty (MED003).

Options: none.  Source: project practice ("could not verify" is never a failure).

Passing: a feed read with posts; a feed read with no post (that is MED003).
Failing: the platform answered a 验证码 page with status 200; the feed bridge answered 403.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks.media_stale import evidence
from zwgk.records.media import LABELS, MediaObs, latest_by_account
from zwgk.records import Finding, Severity

ID = "MED002"
NAME = "media-unverifiable"
TITLE = "政务新媒体无法核验"
SEVERITY = Severity.NOTICE
SOURCE = ""
READS = MediaObs
# 无法核验 is not a defect: listed in the report, never put in a unit's 整改通知.
NOTIFY = False
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for o in latest_by_account(obs.media, ctx.as_of):
        if o.outcome.readable:
            continue
        yield Finding(
            rule=ID, severity=SEVERITY, site="media", unit=o.unit, column=None, url=o.url,
            message=(f"政务新媒体账号“{o.account}”（{o.platform}）的信息源{o.observed_on:%m月%d日}无法读取："
                     f"{LABELS[o.outcome]}。无法核验其更新情况，请人工查看该账号。"),
            evidence=evidence(o), as_of=ctx.as_of)
