from __future__ import annotations

from checks import ipv6_homepage as net002
from tests.checks.factory import ctx, obs
from tests.probes.helpers import probe, v6
from zwgk.records.probes import ProbeOutcome


def run(*probes: object) -> tuple[list, dict]:
    c = ctx()
    return list(net002.check(obs(probes=(probe(1), *probes)), {}, c)), c.unverified_by_rule()


def test_timeout_over_ipv6_is_a_finding() -> None:
    found, _ = run(v6(1, ProbeOutcome.TIMEOUT, status=None, elapsed=15.0))
    assert [f.rule for f in found] == ["NET002"] and "15 秒" in found[0].message


def test_dropped_connection_is_a_finding() -> None:
    assert len(run(v6(1, ProbeOutcome.CONNECT_FAILED, status=None))[0]) == 1


def test_ok_passes() -> None:
    assert run(v6(1))[0] == []


def test_no_ipv6_on_the_monitor_is_not_a_finding() -> None:
    found, unverified = run(v6(1, ProbeOutcome.PROBE_UNAVAILABLE, status=None))
    assert found == [] and unverified["NET002"]


def test_no_aaaa_is_left_to_net001() -> None:
    found, unverified = run(v6(1, ProbeOutcome.NO_ADDRESS, address=None, status=None))
    assert found == [] and "NET002" not in unverified


def test_only_the_latest_ipv6_round_counts() -> None:
    found, _ = run(v6(1, ProbeOutcome.TIMEOUT, status=None), probe(2), v6(2))
    assert found == []
