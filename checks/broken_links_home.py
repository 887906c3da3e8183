"""LNK001 首页不可用链接: a link on the homepage that is confirmed broken.

Same failures and confirmation as LNK002 (an error status, a redirect loop, NXDOMAIN or a
refused connection at two checks at least ``confirm_after_hours`` apart; timeouts, blocks
and our own side's trouble never count), for links whose source is a site's homepage.

Options: ``confirm_after_hours`` (1), ``points`` (1 per link, **unconfirmed**).
Source: 国办秘函〔2019〕19号 (可用性).

Passing: every homepage link answers 200.
Failing: a homepage link that answered 404 at two checks an hour apart.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from checks._links import link_findings
from zwgk.records import Finding, LinkObs, Severity

ID = "LNK001"
NAME = "broken-homepage-links"
TITLE = "首页不可用链接"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 可用性"
READS = LinkObs
DEFAULTS: dict[str, Any] = {"confirm_after_hours": 1.0, "points": 1.0}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_findings(obs, conf, ctx, ID, SEVERITY)
