"""LNK002 其他页面不可用链接: a link on any page but the homepage that is confirmed broken.

A link fails when the server answers 4xx/5xx (but 401/403/429, which are blocks), the
redirects loop, the DNS answers that its host name does not exist (NXDOMAIN), or the host
refuses the connection.  It is reported only after failing at two checks at least
``confirm_after_hours`` apart (default 1 hour) with no success in between; an NXDOMAIN or
a refusal counts only from a check made while our resolver and network were seen working
(checks/_links.py).  Timeouts, blocks, our resolver's timeouts and SERVFAIL and other
trouble on our side never become findings (无法核验).

Options: ``confirm_after_hours`` (1), ``points`` (0.1 per link, **unconfirmed**).
Source: 国办秘函〔2019〕19号 (可用性).

Passing: a link that answered 503 once and 200 when checked again; a 403 from a WAF; a
name our resolver timed out on twice.
Failing: a link that answered 404 at 09:00 and again at 10:05; a link to old.jss.gov.cn
whose name was NXDOMAIN at both, while other names resolved.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._links import link_findings
from checks.base import CheckContext, Observations
from zwgk.records import Finding, LinkObs, Severity

ID = "LNK002"
NAME = "broken-links"
TITLE = "其他页面不可用链接"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 可用性"
READS = LinkObs
DEFAULTS: dict[str, Any] = {"confirm_after_hours": 1.0, "points": 0.1}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_findings(obs, conf, ctx, ID, SEVERITY)
