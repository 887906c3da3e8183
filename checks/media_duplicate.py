"""MED004 重复账号: more than one active account of one unit on one platform.

The accounts are those with an observation on or before as_of that are active in config.toml
(closed accounts, ``active = false``, are neither read nor counted).  Each account of such a
group is a finding, naming the others.

Options: none.  Source: 国办发〔2018〕123号 (同一单位在同一平台原则上只开设一个账号, 整合重复账号).

Passing: 县教育局 has one 微信公众号 and one 抖音 account.
Failing: 县教育局 has two 微信公众号 accounts, 积石山教育 and 积石山县教育局.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records.media import MediaObs, latest_by_account
from zwgk.records import Finding, Severity

ID = "MED004"
NAME = "media-duplicate"
TITLE = "重复账号"
SEVERITY = Severity.NOTICE
SOURCE = "国办发〔2018〕123号"
READS = MediaObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    groups: dict[tuple[str, str], list[MediaObs]] = {}
    for o in latest_by_account(obs.media, ctx.as_of):
        groups.setdefault((o.unit, o.platform), []).append(o)
    for (unit, platform), accounts in sorted(groups.items()):
        if len(accounts) < 2:
            continue
        names = [a.account for a in accounts]
        for a in accounts:
            others = "、".join(f"“{n}”" for n in names if n != a.account)
            yield Finding(
                rule=ID, severity=SEVERITY, site="media", unit=unit, column=None, url=a.url,
                message=(f"{unit}在{platform}上有{len(accounts)}个账号：“{a.account}”与{others}，"
                         f"请整合为一个账号。"),
                evidence={"account": a.account, "platform": platform, "accounts": names,
                          "urls": [x.url for x in accounts]},
                as_of=ctx.as_of)
