from __future__ import annotations

from checks import ipv6_second_level as net004
from tests.checks.factory import ctx, obs
from tests.probes.helpers import links, probe, v6
from zwgk.records.probes import ProbeOutcome


def run(records: list) -> tuple[list, dict]:
    c = ctx()
    o = obs(probes=(probe(1), v6(1)), ipv6_links=tuple(records))
    return list(net004.check(o, dict(net004.DEFAULTS), c)), c.unverified_by_rule()


def test_ninety_percent_fails() -> None:
    found, _ = run(links(1, 2, ok=18, failed=2))
    assert [f.rule for f in found] == ["NET004"] and found[0].evidence["share"] == 0.9


def test_ninety_five_percent_passes() -> None:
    assert run(links(1, 2, ok=19, failed=1))[0] == []


def test_third_level_links_do_not_count_here() -> None:
    assert run(links(1, 3, ok=1, failed=19))[0] == []


def test_links_we_could_not_probe_are_not_counted() -> None:
    found, _ = run(links(1, 2, ok=19, failed=10, outcome=ProbeOutcome.PROBE_UNAVAILABLE))
    assert found == []


def test_too_few_links_is_could_not_verify() -> None:
    found, unverified = run(links(1, 2, ok=1, failed=2))
    assert found == [] and unverified["NET004"]


def test_degraded_round_judges_nothing() -> None:
    found, unverified = run(links(1, 2, ok=0, failed=20, degraded=True))
    assert found == [] and unverified["NET004"]



def test_links_broken_over_ipv4_too_are_not_counted_against_ipv6() -> None:
    """A 404 is LNK's business: it must not also lower the IPv6 share (no double deduction)."""
    from datetime import datetime, timezone

    from tests.probes.helpers import HOME
    from zwgk.records import LinkCheck, LinkOutcome

    records = links(1, 2, ok=18, failed=2)
    broken_v4 = tuple(LinkCheck(1, r.url, LinkOutcome.BROKEN, 404, None, datetime(2026, 11, 26, tzinfo=timezone.utc))
                      for r in records if r.outcome is not ProbeOutcome.OK)
    assert broken_v4 and all(c.url.startswith(HOME) for c in broken_v4)
    c = ctx()
    o = obs(probes=(probe(1), v6(1)), ipv6_links=tuple(records), link_checks=broken_v4)
    assert list(net004.check(o, dict(net004.DEFAULTS), c)) == []
    assert len(run(records)[0]) == 1      # the same links, not broken over IPv4: a finding
