from __future__ import annotations

from checks import ipv6_no_aaaa as net001
from crawler.resolver import ResolveStatus
from tests.checks.factory import ctx, obs
from tests.probes.helpers import dns_obs, probe, v6
from zwgk.records.probes import ProbeOutcome


def run(dns: list, degraded: bool = False) -> tuple[list, dict]:
    c = ctx()
    o = obs(probes=(probe(1), v6(1, ProbeOutcome.NO_ADDRESS, address=None)), dns=tuple(dns))
    return list(net001.check(o, {}, c)), c.unverified_by_rule()


def test_nodata_is_a_finding() -> None:
    found, _ = run([dns_obs(1, aaaa=(), aaaa_status=ResolveStatus.NODATA)])
    assert [f.rule for f in found] == ["NET001"]


def test_aaaa_present_passes() -> None:
    assert run([dns_obs(1)])[0] == []


def test_timeout_is_not_nodata() -> None:
    found, unverified = run([dns_obs(1, aaaa=(), aaaa_status=ResolveStatus.TIMEOUT)])
    assert found == [] and unverified["NET001"]


def test_degraded_round_judges_nothing() -> None:
    found, unverified = run([dns_obs(1, aaaa=(), aaaa_status=ResolveStatus.NODATA, degraded=True)])
    assert found == [] and unverified["NET001"]
