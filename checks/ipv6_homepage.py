"""NET002 IPv6 首页不可访问: a GET of the homepage over IPv6 only gives no 2xx within 15 s.

The probe connects to the host's AAAA address itself (Host header and SNI set, no fallback
to IPv4), in the latest IPv6 probe round.  A failure is an error status, a refused or
dropped connection, a TLS error or no complete response within [probes] timeout (15 s).
Not judged: a host without AAAA (NET001's business); a monitor host without IPv6
(PROBE_UNAVAILABLE: errno 99/101); a WAF refusing the monitor; a degraded round.

Options: none (the time limit is [probes] timeout).
Source: IPv6 monitoring practice; 方案第27项.

Passing: the AAAA address answers 200 in 0.3 s; or the monitor host has no IPv6 route.
Failing: the AAAA address accepts the connection and closes it without an answer.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks._probes import latest_ipv6_round, of_round
from zwgk.records.probes import Family, ProbeObs, ProbeOutcome
from zwgk.records import Finding, Severity

ID = "NET002"
NAME = "ipv6-homepage"
TITLE = "IPv6 首页不可访问"
SEVERITY = Severity.DEDUCTION
SOURCE = "IPv6 监测实践; 方案第27项"
READS = ProbeObs
DEFAULTS: dict[str, Any] = {}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    rid = latest_ipv6_round(obs.probes, ctx.as_of)
    if rid is None:
        return
    for site in obs.sites:
        v6 = next((p for p in of_round(obs.probes, rid, site.id) if p.family is Family.V6), None)
        if v6 is None or v6.outcome in (ProbeOutcome.OK, ProbeOutcome.NO_ADDRESS):
            continue
        if v6.degraded or obs.degraded or not v6.outcome.is_failure:
            ctx.could_not_verify(ID, f"{site.name}: IPv6 首页未能探测（{v6.outcome.value}"
                                     f"{': ' + v6.detail if v6.detail else ''}）", site=site.id, unit=site.unit, subject=site.url)
            continue
        what = {ProbeOutcome.TIMEOUT: f"{v6.elapsed_s:.0f} 秒内没有完整响应",
                ProbeOutcome.HTTP_ERROR: f"返回状态 {v6.status}",
                ProbeOutcome.CONNECT_FAILED: "连接被拒绝或未响应即断开",
                ProbeOutcome.TLS_ERROR: "TLS 握手失败"}.get(v6.outcome, v6.outcome.value)
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=f"{site.name}首页通过 IPv6 地址 {v6.address} 访问失败：{what}。",
            evidence={"address": v6.address, "outcome": v6.outcome.value, "status": v6.status,
                      "elapsed_s": v6.elapsed_s, "detail": v6.detail, "observed_at": v6.observed_at.isoformat()},
            as_of=ctx.as_of)
