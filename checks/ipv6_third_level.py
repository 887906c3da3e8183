"""NET005 三级链接 IPv6 支持率低: < 85 % of the links on second-level pages load over IPv6.

As NET004, over the in-site page links found on the pages the homepage links to (from the
latest crawl, sampled up to [probes] link_sample), fetched from their AAAA address only.

Options: ``min_share`` (0.85, **unconfirmed**), ``min_links`` (5).
Source: IPv6 支持度监测实践 (三级链接).

Passing: 17 of 20 third-level links load over IPv6 (85 %).
Failing: 16 of 20 (80 %).
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks.ipv6_second_level import link_share_findings
from zwgk.records.probes import Ipv6LinkObs
from zwgk.records import Finding, Severity

ID = "NET005"
NAME = "ipv6-third-level"
TITLE = "三级链接 IPv6 支持率低"
SEVERITY = Severity.DEDUCTION
SOURCE = "IPv6 支持度监测实践"
READS = Ipv6LinkObs
DEFAULTS: dict[str, Any] = {"min_share": 0.85, "min_links": 5}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_share_findings(obs, conf, ctx, ID, TITLE, SEVERITY, 3, "二级页面上的站内链接")
