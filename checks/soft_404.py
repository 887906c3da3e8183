"""LNK003 软404: a link that answers 200 with a "page not found" page, or a deep link
redirected to the homepage.

The crawler records such a response as SOFT_404 (the page says 页面不存在, 404,
您访问的页面不存在 …, or a deep URL ends on the site's homepage).  Confirmed like LNK002:
two failing checks at least ``confirm_after_hours`` apart, no success since.

Options: ``confirm_after_hours`` (1), ``points`` (0.1 per link, **unconfirmed**).
Source: practice (a soft 404 hides a broken link from simple checkers).

Passing: a page about G310国道 that mentions 404 in its text but is a real article.
Failing: /zwgk/old/page.html answers 200 with 您访问的页面不存在, twice, an hour apart.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._links import link_findings
from checks.base import CheckContext, Observations
from zwgk.records import Finding, LinkObs, Severity

ID = "LNK003"
NAME = "soft-404"
TITLE = "软404"
SEVERITY = Severity.DEDUCTION
SOURCE = "检查实践（同 19号 可用性）"
READS = LinkObs
DEFAULTS: dict[str, Any] = {"confirm_after_hours": 1.0, "points": 0.1}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_findings(obs, conf, ctx, ID, SEVERITY)
