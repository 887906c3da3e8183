"""AVL001 站点无法访问: the homepage failed ≥ 5 % of its probes over a rolling 7 days.

zwgk's probes (``zwgk probe``) fetch each homepage as a user would, ≥ 20 times a day,
spaced; a probe fails when no complete response arrives within 15 s ([probes] timeout),
or the server answers an error status, refuses or drops the connection, or the name does
not resolve.  The window is the 7 days up to the latest probe on or before ``as_of``.

Not counted at all: probes we could not make (PROBE_UNAVAILABLE: our resolver or network
down), probes a WAF refused (BLOCKED), and every probe of a *degraded* round (more than
[probes] degraded_share of all hosts failed at once, or our resolver gave no answer: our
network's fault).  With fewer than ``min_coverage`` × ``min_probes_per_day`` counted
probes in any day of the window, the site is "could not verify", not judged.

A share of failures ≥ ``warn_share`` but below ``fail_share`` is a warning, not a finding:
it is recorded with ``ctx.could_not_verify`` under AVL001 with the prefix "预警", so the
report shows it in its 无法核验/提醒 section.

Options: ``window_days`` (7), ``min_probes_per_day`` (20), ``min_coverage`` (0.9),
``fail_share`` (0.05), ``warn_share`` (0.03).  Veto for the site.
Source: 国办秘函〔2019〕19号 (站点无法访问: 每天抽查不少于20次, 累计一周, 无法访问比例超过5%).

Passing: 140 probes over 7 days, 5 failed (3.6 %: a warning only).
Failing: 140 probes over 7 days, 8 timed out after 15 s (5.7 %).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks._probes import end_of, utc
from zwgk.records.probes import Family, ProbeObs
from zwgk.records import Finding, Severity

ID = "AVL001"
NAME = "availability"
TITLE = "站点无法访问"
SEVERITY = Severity.VETO
SOURCE = "国办秘函〔2019〕19号"
READS = ProbeObs
DEFAULTS: dict[str, Any] = {"window_days": 7, "min_probes_per_day": 20, "min_coverage": 0.9,
                            "fail_share": 0.05, "warn_share": 0.03}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    if not obs.probes:
        ctx.could_not_verify(ID, "本次检查没有首页探测记录（探测未运行或中断），未判定站点可访问性", reason="探测缺失")
        return
    if obs.degraded:
        ctx.could_not_verify(ID, "本次检查期间监测端网络异常，未判定站点可访问性")
        return
    end = end_of(ctx.as_of)
    days = int(conf["window_days"])
    per_day = float(conf["min_probes_per_day"]) * float(conf["min_coverage"])
    for site in obs.sites:
        mine = [p for p in obs.probes if isinstance(p, ProbeObs) and p.site_id == site.id
                and p.family is Family.ANY and utc(p.observed_at) <= end]
        if not mine:
            ctx.could_not_verify(ID, f"{site.name}: 监测期内没有首页探测记录，未判定", site=site.id, unit=site.unit,
                                 subject=site.url, reason="探测缺失")
            continue
        degraded_rounds = {p.round_id for p in mine if p.degraded}
        counted = [p for p in mine if not p.degraded and p.outcome.judged]
        if not counted:
            ctx.could_not_verify(ID, f"{site.name}: 监测期内没有有效探测（{len(degraded_rounds)} 轮因监测端网络异常剔除）", site=site.id, unit=site.unit, subject=site.url)
            continue
        last = max(utc(p.observed_at) for p in counted)
        start = last - timedelta(days=days)
        window = [p for p in counted if utc(p.observed_at) > start]
        slices = [0] * days
        for p in window:
            k = min(days - 1, int((utc(p.observed_at) - start) / timedelta(days=1) - 1e-9))
            slices[k] += 1
        if min(slices) < per_day:
            ctx.could_not_verify(ID, f"{site.name}: 探测次数不足（近 {days} 天每天 {slices} 次，"
                                     f"要求每天不少于 {conf['min_probes_per_day']} 次），未判定", site=site.id, unit=site.unit, subject=site.url)
            continue
        failed = [p for p in window if p.outcome.is_failure]
        share = len(failed) / len(window)
        by_outcome: dict[str, int] = {}
        for p in failed:
            by_outcome[p.outcome.value] = by_outcome.get(p.outcome.value, 0) + 1
        if share >= float(conf["fail_share"]):
            yield Finding(
                rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
                message=(f"{site.name}首页在 {ctx.local(start):%m-%d %H:%M} 至 {ctx.local(last):%m-%d %H:%M}的 {len(window)} 次探测中"
                         f"有 {len(failed)} 次无法访问（{share:.1%}），达到 {float(conf['fail_share']):.0%} 的否决线。"),
                evidence={"probes": len(window), "failed": len(failed), "share": round(share, 4),
                          "by_outcome": by_outcome, "window_start": start.isoformat(), "window_end": last.isoformat(),
                          "excluded_degraded_rounds": len(degraded_rounds),
                          "failures": [f"{p.observed_at.isoformat()} {p.outcome.value}"
                                       f"{' ' + str(p.status) if p.status else ''}" for p in failed[:20]]},
                as_of=ctx.as_of)
        elif share >= float(conf["warn_share"]):
            ctx.could_not_verify(ID, f"预警：{site.name}首页近 {days} 天 {len(window)} 次探测中 {len(failed)} 次失败"
                                     f"（{share:.1%}），未达 {float(conf['fail_share']):.0%} 否决线", site=site.id, unit=site.unit, subject=site.url)


