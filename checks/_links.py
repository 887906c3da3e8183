"""Confirmation of failing links over time, shared by LNK001–LNK004.

A link is broken only when it failed by the site's fault at two checks at least
``confirm_after_hours`` apart, with no success since.  The site's faults
(``LinkCheck.site_failure``): an error status (BROKEN), SOFT_404, REDIRECT_LOOP; and,
from a check made while our side was healthy (``LinkCheck.healthy``: our resolver had
just given an address for another name and another host had answered), an NXDOMAIN
answer for the link's host (``LinkCheck.dns``) or a refused connection
(``LinkCheck.refused``).  Checks of a degraded crawl never reach here (the store gives
the history of complete crawls only; a check of a degraded run judges no link).
Timeouts, blocks (403/429), our resolver's timeouts, SERVFAIL and errors (REFUSED from
our resolver included), NODATA, resets and TLS errors are "could not verify": they
neither confirm nor clear a failure, and are listed as 无法核验.

Each confirmed failing target is reported under exactly one rule (no double
deduction): an attachment under LNK004, a soft 404 under LNK003, anything else
under LNK001 when the homepage links to it, else LNK002.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable, Iterator
from urllib.parse import unquote, urlsplit

from checks.base import CheckContext, Observations
from zwgk.records import Finding, LinkCheck, LinkObs, LinkOutcome, Severity
from zwgk.records.probes import ResolveStatus

INCONCLUSIVE = {LinkOutcome.TIMEOUT, LinkOutcome.BLOCKED, LinkOutcome.DNS_ERROR, LinkOutcome.CONNECT_ERROR,
                LinkOutcome.TLS_ERROR, LinkOutcome.ERROR, LinkOutcome.EXCLUDED}
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ppt", ".pptx", ".zip",
                       ".rar", ".7z", ".ofd", ".txt", ".csv")
OUTCOME_LABEL = {LinkOutcome.BROKEN: "无法访问", LinkOutcome.SOFT_404: "页面不存在（软404）",
                 LinkOutcome.REDIRECT_LOOP: "重定向循环", LinkOutcome.DNS_ERROR: "域名不存在",
                 LinkOutcome.CONNECT_ERROR: "服务器拒绝连接"}


def _verdict(check: LinkCheck) -> bool | None:
    """True: the site's failure; False: a success; None: could not verify."""
    if check.site_failure:
        return True
    return None if check.outcome in INCONCLUSIVE else False


def _what(check: LinkCheck) -> str:
    """The failure as the evidence names it: the status, NXDOMAIN, or connection refused."""
    if check.status:
        return str(check.status)
    if check.outcome is LinkOutcome.DNS_ERROR and check.dns is not None:
        return check.dns.name
    if check.outcome is LinkOutcome.CONNECT_ERROR and check.refused:
        return "connection refused"
    return check.outcome.value


def confirmed_failures(history: Iterable[LinkCheck], hours: float) -> dict[str, list[LinkCheck]]:
    """URL -> its failing checks since the last success, for URLs whose failure is confirmed."""
    streaks: dict[str, list[LinkCheck]] = {}
    for check in sorted(history, key=lambda c: c.checked_at):
        verdict = _verdict(check)
        if verdict is None:
            continue
        if verdict:
            streaks.setdefault(check.url, []).append(check)
        else:
            streaks.pop(check.url, None)
    need = timedelta(hours=hours)
    return {url: checks for url, checks in streaks.items()
            if len(checks) >= 2 and checks[-1].checked_at - checks[0].checked_at >= need}


def pending(history: Iterable[LinkCheck], confirmed: dict[str, list[LinkCheck]]) -> set[str]:
    """URLs whose last conclusive check failed but that are not confirmed yet."""
    last: dict[str, LinkCheck] = {}
    for check in sorted(history, key=lambda c: c.checked_at):
        if _verdict(check) is not None:
            last[check.url] = check
    return {url for url, c in last.items() if c.site_failure and url not in confirmed}


def is_attachment(url: str) -> bool:
    return unquote(urlsplit(url).path).lower().endswith(ATTACHMENT_SUFFIXES)


def rule_for(target: str, last: LinkCheck, on_homepage: bool) -> str:
    if is_attachment(target):
        return "LNK004"
    if last.outcome is LinkOutcome.SOFT_404:
        return "LNK003"
    return "LNK001" if on_homepage else "LNK002"


OUTCOME_REASON = {LinkOutcome.TIMEOUT: "访问超时", LinkOutcome.BLOCKED: "访问受限",
                  LinkOutcome.DNS_ERROR: "域名解析失败", LinkOutcome.CONNECT_ERROR: "连接失败",
                  LinkOutcome.TLS_ERROR: "证书/加密连接失败", LinkOutcome.ERROR: "检查出错"}


def _unverified_why(check: LinkCheck) -> str:
    """Why a failed check says nothing about the site, for the 无法核验 list."""
    if check.status:
        return str(check.status)
    if check.outcome is LinkOutcome.DNS_ERROR:
        if check.dns is None:
            return "解析结果未知"
        if check.dns is ResolveStatus.NXDOMAIN:
            return "NXDOMAIN，但当时未确认监测端解析器和网络正常"
        if check.dns is ResolveStatus.NODATA:
            return "NODATA：域名存在但无地址记录"
        return f"监测端解析器 {check.dns.name}"
    if check.outcome is LinkOutcome.CONNECT_ERROR:
        return "连接被拒绝，但当时未确认监测端网络正常" if check.refused else "连接中断或网络不可达"
    return check.outcome.value


def link_findings(obs: Observations, conf: dict[str, Any], ctx: CheckContext, rule: str,
                  severity: Severity) -> Iterator[Finding]:
    """The confirmed failing links that belong to ``rule``, one finding per target."""
    if obs.degraded:
        ctx.could_not_verify(rule, "监测端网络异常（降级运行），本次不判定链接")
        return
    homes = {s.url for s in obs.sites}
    by_target: dict[str, list[LinkObs]] = {}
    for link in obs.links:
        by_target.setdefault(link.target_url, []).append(link)
    history = [c for c in obs.link_checks if c.url in by_target]
    confirmed = confirmed_failures(history, conf["confirm_after_hours"])
    for url in sorted(pending(history, confirmed)):
        links = by_target[url]
        last = next(c for c in reversed(history) if c.url == url)
        if rule_for(url, last, any(l.source_url in homes for l in links)) == rule:
            ctx.could_not_verify(rule, f"{url}: 已失败一次，待 {conf['confirm_after_hours']} 小时后复核",
                                 site=links[0].site_id, unit=obs.owner(links[0].source_url, links[0].site_id),
                                 subject=url, reason="待复核")
    # The last check of this crawl ended neither OK nor as the site's failure (a timeout, a
    # WAF's 403/429, a resolver or connection error): listed per unit, never a defect; and a
    # failure confirmed on earlier crawls is not re-asserted from old evidence: it is
    # 本次无法核验 (the finding stays open in the store, it is neither seen again nor resolved).
    last_of_run: dict[str, LinkCheck] = {}
    for c in history:
        if c.run_id == obs.run_id:
            last_of_run[c.url] = c
    for url in sorted(last_of_run):
        c = last_of_run[url]
        if c.outcome in OUTCOME_REASON and _verdict(c) is None:
            links = by_target[url]
            if rule_for(url, c, any(l.source_url in homes for l in links)) == rule:
                ctx.could_not_verify(rule, f"{url}: {OUTCOME_REASON[c.outcome]}（{_unverified_why(c)}），未判定",
                                     site=links[0].site_id, unit=obs.owner(links[0].source_url, links[0].site_id),
                                     subject=url, reason=OUTCOME_REASON[c.outcome])
    for url in sorted(confirmed):
        if url in last_of_run and _verdict(last_of_run[url]) is None:
            continue
        checks = confirmed[url]
        found_on = by_target[url]
        on_home = [l for l in found_on if l.source_url in homes]
        if rule_for(url, checks[-1], bool(on_home)) != rule:
            continue
        first = (on_home or found_on)[0]
        status = checks[-1].status
        label = OUTCOME_LABEL.get(checks[-1].outcome, checks[-1].outcome.value)
        what = _what(checks[-1])
        yield Finding(
            rule=rule, severity=severity, site=first.site_id, unit=obs.owner(first.source_url, first.site_id),
            column=None, url=url,
            message=(f"页面 {first.source_url} 上的{'附件' if rule == 'LNK004' else '链接'}“{first.text or url}”"
                     f"{label}（{what}），"
                     f"{ctx.local(checks[0].checked_at):%m-%d %H:%M} 与 {ctx.local(checks[-1].checked_at):%m-%d %H:%M} "
                     f"两次检查均失败。"),
            evidence={"status": status, "outcome": checks[-1].outcome.value,
                      "dns": checks[-1].dns.value if checks[-1].dns else None,
                      "refused": checks[-1].refused,
                      "sources": sorted({l.source_url for l in found_on}),
                      "element": first.element, "text": first.text,
                      "final_url": checks[-1].detail,
                      "checks": [c.checked_at.isoformat() for c in checks]},
            as_of=ctx.as_of)
