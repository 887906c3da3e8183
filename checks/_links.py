"""Confirmation of failing links over time, shared by LNK001 and LNK002.

A link is broken only when the site said so (BROKEN, SOFT_404, REDIRECT_LOOP) at two
checks at least ``confirm_after_hours`` apart, with no success since.  Timeouts,
blocks (403/429) and DNS or connection errors are "could not verify": they neither
confirm nor clear a failure.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from zwgk.records import LinkCheck, LinkOutcome

INCONCLUSIVE = {LinkOutcome.TIMEOUT, LinkOutcome.BLOCKED, LinkOutcome.DNS_ERROR, LinkOutcome.CONNECT_ERROR,
                LinkOutcome.TLS_ERROR, LinkOutcome.ERROR, LinkOutcome.EXCLUDED}


def confirmed_failures(history: Iterable[LinkCheck], hours: float) -> dict[str, list[LinkCheck]]:
    """URL -> its failing checks since the last success, for URLs whose failure is confirmed."""
    streaks: dict[str, list[LinkCheck]] = {}
    for check in sorted(history, key=lambda c: c.checked_at):
        if check.outcome in INCONCLUSIVE:
            continue
        if check.outcome.is_failure:
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
        if check.outcome not in INCONCLUSIVE:
            last[check.url] = check
    return {url for url, c in last.items() if c.outcome.is_failure and url not in confirmed}
