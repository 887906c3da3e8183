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
