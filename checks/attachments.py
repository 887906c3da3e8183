"""LNK004 附件无法下载: an attachment link (.pdf .doc(x) .xls(x) .wps .zip …) that fails.

Confirmed like LNK002 (two failing checks at least ``confirm_after_hours`` apart; an
NXDOMAIN or a refused connection counts when seen while our side worked); a timeout or a
403 from a firewall is "could not verify".  Attachment names are often
Chinese (通知附件.pdf): they are compared decoded.

Options: ``confirm_after_hours`` (1), ``points`` (0.1 per attachment, **unconfirmed**).
Source: 国办秘函〔2019〕19号 (附件下载).

Passing: 实施方案.docx answers 200.
Failing: 通知附件.pdf answers 404 at two checks an hour apart.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks._links import link_findings
from checks.base import CheckContext, Observations
from zwgk.records import Finding, LinkObs, Severity

ID = "LNK004"
NAME = "broken-attachments"
TITLE = "附件无法下载"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 附件下载"
READS = LinkObs
DEFAULTS: dict[str, Any] = {"confirm_after_hours": 1.0, "points": 0.1}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    yield from link_findings(obs, conf, ctx, ID, SEVERITY)
