"""NET004 二级链接 IPv6 支持率低: < 95 % of the homepage's in-site links load over IPv6.

In the latest IPv6 probe round, a sample (up to [probes] link_sample) of the in-site page
links on the homepage, taken from the latest crawl, is fetched from the AAAA address only.
A link loads when it answers 2xx; an in-site host without AAAA does not load over IPv6.
Not counted: links we could not probe (PROBE_UNAVAILABLE), WAF refusals (BLOCKED), and
links that fail over IPv4 too (the crawl's latest check was not OK): those are broken
links (LNK001–LNK004), not an IPv6 shortcoming, and are not deducted twice.
With fewer than ``min_links`` counted links, or a degraded round, "could not verify".
Nothing is fetched when the homepage itself fails over IPv6 (NET002).

Options: ``min_share`` (0.95, **unconfirmed**), ``min_links`` (5).
Source: IPv6 支持度监测实践 (二级链接).

Passing: 19 of 20 homepage links load over IPv6 (95 %).
Failing: 18 of 20 (90 %).
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks._probes import latest_ipv6_round, links_of
from zwgk.records.probes import Ipv6LinkObs, ProbeOutcome
from zwgk.records import Finding, LinkOutcome, Severity

ID = "NET004"
NAME = "ipv6-second-level"
TITLE = "二级链接 IPv6 支持率低"
SEVERITY = Severity.DEDUCTION
SOURCE = "IPv6 支持度监测实践"
READS = Ipv6LinkObs
DEFAULTS: dict[str, Any] = {"min_share": 0.95, "min_links": 5}
LEVEL = 2
WHAT = "首页上的站内链接"


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_share_findings(obs, conf, ctx, ID, TITLE, SEVERITY, LEVEL, WHAT)


def link_share_findings(obs: Observations, conf: dict[str, Any], ctx: CheckContext, rule: str, title: str,
                        severity: Severity, level: int, what: str) -> Iterator[Finding]:
    rid = latest_ipv6_round(obs.probes, ctx.as_of)
    if rid is None:
        return
    v4_ok: dict[str, bool] = {}
    for c in sorted(obs.link_checks, key=lambda c: c.checked_at):
        v4_ok[c.url] = c.outcome is LinkOutcome.OK
    for site in obs.sites:
        links = links_of(obs.ipv6_links, rid, site.id, level)
        if not links:
            continue
        if obs.degraded or any(l.degraded for l in links):
            ctx.could_not_verify(rule, f"{site.name}: 探测时监测端网络异常，未判定", site=site.id, unit=site.unit, subject=site.url)
            continue
        counted = [l for l in links if l.outcome not in (ProbeOutcome.PROBE_UNAVAILABLE, ProbeOutcome.BLOCKED)
                   and v4_ok.get(l.url, True)]
        if len(counted) < int(conf["min_links"]):
            ctx.could_not_verify(rule, f"{site.name}: 可判定的链接只有 {len(counted)} 个，未判定", site=site.id, unit=site.unit, subject=site.url)
            continue
        ok = [l for l in counted if l.outcome is ProbeOutcome.OK]
        share = len(ok) / len(counted)
        if share >= float(conf["min_share"]):
            continue
        failed = [l for l in counted if l.outcome is not ProbeOutcome.OK]
        yield Finding(
            rule=rule, severity=severity, site=site.id, unit=site.unit, column=None, url=site.url,
            message=(f"{site.name}{what}通过 IPv6 可访问的比例为 {share:.0%}（{len(ok)}/{len(counted)}），"
                     f"低于 {float(conf['min_share']):.0%}。"),
            evidence={"level": level, "ok": len(ok), "counted": len(counted), "share": round(share, 4),
                      "failed": [{"url": l.url, "source": l.source_url, "outcome": l.outcome.value,
                                  "status": l.status} for l in failed[:50]]},
            as_of=ctx.as_of)
