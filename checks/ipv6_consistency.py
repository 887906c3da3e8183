"""NET003 IPv4/IPv6 内容不一致: the homepage over IPv6 differs from the one over IPv4.

In the latest IPv6 probe round, the homepage fetched as a user would (over IPv4) and the
one fetched from the AAAA address are compared: their ``<title>`` (spaces ignored), the
similarity of their visible text (Jaccard of character trigrams) and of their links
(Jaccard of the link sets).  A different title, or either similarity below
``min_similarity``, is a finding.  Not judged when either fetch failed (NET002, AVL001).

Options: ``min_similarity`` (0.9).
Source: practice (a v6 address pointing at an old server or a default page).

Passing: both say 首页_积石山县人民政府, same news list.
Failing: over IPv6 the title is "Welcome to nginx!".
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks._probes import latest_ipv6_round, of_round
from zwgk.records.probes import Family, ProbeObs, ProbeOutcome
from zwgk.records import Finding, Severity

ID = "NET003"
NAME = "ipv6-consistency"
TITLE = "IPv4/IPv6 内容不一致"
SEVERITY = Severity.DEDUCTION
SOURCE = "实践"
READS = ProbeObs
DEFAULTS: dict[str, Any] = {"min_similarity": 0.9}


def jaccard(a: set[Any], b: set[Any]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def trigrams(text: str | None) -> set[str]:
    s = "".join((text or "").split())
    return {s[i:i + 3] for i in range(max(0, len(s) - 2))} or ({s} if s else set())


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    rid = latest_ipv6_round(obs.probes, ctx.as_of)
    if rid is None:
        return
    for site in obs.sites:
        mine = of_round(obs.probes, rid, site.id)
        v4 = next((p for p in mine if p.family is Family.ANY and p.address and ":" not in p.address), None)
        v6 = next((p for p in mine if p.family is Family.V6), None)
        if v4 is None or v6 is None or v6.outcome is ProbeOutcome.NO_ADDRESS:
            continue
        if v4.degraded or obs.degraded or v4.outcome is not ProbeOutcome.OK or v6.outcome is not ProbeOutcome.OK:
            ctx.could_not_verify(ID, f"{site.name}: IPv4/IPv6 首页未能都取得，未比较", site=site.id, unit=site.unit, subject=site.url)
            continue
        if v4.fingerprint and v4.fingerprint == v6.fingerprint and v4.title == v6.title:
            continue
        same_title = "".join((v4.title or "").split()) == "".join((v6.title or "").split())
        text_sim = jaccard(trigrams(v4.text), trigrams(v6.text))
        link_sim = jaccard(set(v4.links), set(v6.links))
        floor = float(conf["min_similarity"])
        if same_title and text_sim >= floor and link_sim >= floor:
            continue
        reasons = []
        if not same_title:
            reasons.append(f"标题不同（IPv4“{v4.title or ''}”，IPv6“{v6.title or ''}”）")
        if text_sim < floor:
            reasons.append(f"正文相似度 {text_sim:.2f}")
        if link_sim < floor:
            reasons.append(f"链接相似度 {link_sim:.2f}")
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=f"{site.name}首页通过 IPv4 与 IPv6 访问内容不一致：{'；'.join(reasons)}。",
            evidence={"title_v4": v4.title, "title_v6": v6.title, "text_similarity": round(text_sim, 3),
                      "link_similarity": round(link_sim, 3), "address_v4": v4.address, "address_v6": v6.address,
                      "observed_at": v6.observed_at.isoformat()},
            as_of=ctx.as_of)
