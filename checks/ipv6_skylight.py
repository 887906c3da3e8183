"""NET006 IPv6 天窗: the homepage embeds resources (img, script, css, iframe) from hosts with no AAAA.

An IPv6-only visitor sees a "skylight" — a hole in the page — where such a resource sits.
The resources are the homepage's img/script/link/iframe targets from the latest crawl; their
hosts are looked up in the latest IPv6 probe round.  Only a conclusive NODATA/NXDOMAIN for
AAAA (with an A record) counts; a failed lookup or a degraded round is "could not verify".
One notice per site, listing the hosts and resources.

Options: none.
Source: IPv6 支持度监测实践 (天窗).

Passing: every image comes from the site's own host, which has AAAA.
Failing: the logo is <img src="http://cdn.example.com/logo.png">, and cdn.example.com has only A.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

from checks.base import CheckContext, Observations
from zwgk.resolve import ResolveStatus
from crawler.probes.ipv6 import RESOURCE_ELEMENTS
from checks._probes import latest_ipv6_round, of_round
from zwgk.records.probes import DnsObs
from zwgk.records import Finding, Severity

ID = "NET006"
NAME = "ipv6-skylight"
TITLE = "IPv6 天窗"
SEVERITY = Severity.NOTICE
SOURCE = "IPv6 支持度监测实践"
READS = DnsObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    rid = latest_ipv6_round(obs.probes, ctx.as_of)
    if rid is None:
        return
    for site in obs.sites:
        hosts = [d for d in of_round(obs.dns, rid, site.id) if d.purpose == "resource"]
        if not hosts:
            continue
        if obs.degraded or any(d.degraded for d in hosts):
            ctx.could_not_verify(ID, f"{site.name}: 探测时监测端网络异常，未判定", site=site.id, unit=site.unit, subject=site.url)
            continue
        bad = sorted((d for d in hosts if not d.aaaa and d.a_status is ResolveStatus.OK
                      and d.aaaa_status is ResolveStatus.NODATA), key=lambda d: d.host)
        if not bad:
            continue
        names = {d.host for d in bad}
        resources = sorted({l.target_url for l in obs.links
                            if l.site_id == site.id and l.source_url == site.url and l.element in RESOURCE_ELEMENTS
                            and (urlsplit(l.target_url).hostname or "").lower() in names})
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=(f"{site.name}首页引用的资源来自没有 AAAA 记录的主机（{'、'.join(sorted(names))}），"
                     "IPv6 用户访问时这些图片、脚本或样式无法加载（天窗）。"),
            evidence={"hosts": sorted(names), "resources": resources[:50]},
            as_of=ctx.as_of)
