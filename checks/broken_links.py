"""LNK002 其他页面不可用链接: a link on any page but the homepage that is confirmed broken.

A link fails when the server answers 4xx/5xx (but 401/403/429, which are blocks), or the
redirects loop.  It is reported only after failing at two checks at least
``confirm_after_hours`` apart (default 1 hour) with no success in between.
Timeouts, blocks and our own DNS or connection trouble never become findings.

Options: ``confirm_after_hours`` (1), ``points`` (0.1 per link, **unconfirmed**).
Source: 国办秘函〔2019〕19号 (可用性).

Passing: a link that answered 503 once and 200 when checked again; a 403 from a WAF.
Failing: a link that answered 404 at 09:00 and again at 10:05.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._links import confirmed_failures, pending
from checks.base import CheckContext, Observations
from zwgk.records import Finding, LinkObs, Severity

ID = "LNK002"
NAME = "broken-links"
TITLE = "其他页面不可用链接"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 可用性"
READS = LinkObs
DEFAULTS: dict[str, Any] = {"confirm_after_hours": 1.0, "points": 0.1}
ON_HOMEPAGE = False


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from broken_link_findings(obs, conf, ctx, ID, SEVERITY, on_homepage=ON_HOMEPAGE)


def broken_link_findings(obs: Observations, conf: dict[str, Any], ctx: CheckContext, rule: str,
                         severity: Any, on_homepage: bool) -> Iterator[Finding]:
    homes = {s.url for s in obs.sites}
    links = [l for l in obs.links if (l.source_url in homes) == on_homepage]
    targets = {l.target_url for l in links}
    history = [c for c in obs.link_checks if c.url in targets]
    confirmed = confirmed_failures(history, conf["confirm_after_hours"])
    for url in sorted(pending(history, confirmed)):
        ctx.could_not_verify(rule, f"{url}: 已失败一次，待 {conf['confirm_after_hours']} 小时后复核")
    sources: dict[str, list[LinkObs]] = {}
    for link in links:
        if link.target_url in confirmed:
            sources.setdefault(link.target_url, []).append(link)
    for url, found_on in sorted(sources.items()):
        checks = confirmed[url]
        first = found_on[0]
        status = checks[-1].status
        yield Finding(
            rule=rule, severity=severity, site=first.site_id, unit=obs.owner(first.source_url, first.site_id),
            column=None, url=url,
            message=(f"页面 {first.source_url} 上的链接“{first.text or url}”无法访问"
                     f"（{checks[-1].outcome.value}{' ' + str(status) if status else ''}），"
                     f"{checks[0].checked_at:%m-%d %H:%M} 与 {checks[-1].checked_at:%m-%d %H:%M} 两次检查均失败。"),
            evidence={"status": status, "outcome": checks[-1].outcome.value,
                      "sources": sorted({l.source_url for l in found_on}),
                      "element": first.element, "text": first.text,
                      "checks": [c.checked_at.isoformat() for c in checks]},
            as_of=ctx.as_of)
