"""NET001 无AAAA记录: the site's host has no AAAA record.

Judged on the latest IPv6 probe round (``zwgk probe``): only when the AAAA query was
answered conclusively — NODATA (the name exists without AAAA).  A query that timed out,
a SERVFAIL, or a degraded round (our resolver or network down) is "could not verify".
A name that does not exist at all is AVL001's business, not this rule's.

Options: none.
Source: 《推进互联网协议第六版（IPv6）规模部署行动计划》; 方案第27项 (门户网站 IPv6 改造).

Passing: www.example.gov.cn has AAAA 240e:…; or the AAAA query timed out (not judged).
Failing: the AAAA query for www.example.gov.cn answered NOERROR with no record (NODATA).
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.resolve import ResolveStatus
from checks._probes import latest_ipv6_round, site_dns
from zwgk.records.probes import DnsObs
from zwgk.records import Finding, Severity

ID = "NET001"
NAME = "ipv6-no-aaaa"
TITLE = "无AAAA记录"
SEVERITY = Severity.DEDUCTION
SOURCE = "IPv6 规模部署行动计划; 方案第27项"
READS = DnsObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    rid = latest_ipv6_round(obs.probes, ctx.as_of)
    if rid is None:
        return
    for site in obs.sites:
        d = site_dns(obs.dns, rid, site.id)
        if d is None:
            continue
        if d.degraded or obs.degraded:
            ctx.could_not_verify(ID, f"{site.name}: 探测时监测端网络异常，未判定 AAAA 记录", site=site.id, unit=site.unit, subject=site.url)
            continue
        if d.aaaa:
            continue
        if d.a_status is not ResolveStatus.OK or d.aaaa_status is not ResolveStatus.NODATA:
            ctx.could_not_verify(ID, f"{site.name}: {d.host} 的 AAAA 查询未得到明确答复"
                                     f"（A {d.a_status.value}, AAAA {d.aaaa_status.value}）", site=site.id, unit=site.unit, subject=site.url)
            continue
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=f"{site.name}的域名 {d.host} 没有 AAAA 记录，IPv6 用户无法访问。",
            evidence={"host": d.host, "a": list(d.a), "aaaa_status": d.aaaa_status.value,
                      "ns": list(d.ns), "observed_at": d.observed_at.isoformat()},
            as_of=ctx.as_of)
