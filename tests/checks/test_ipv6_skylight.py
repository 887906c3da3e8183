from __future__ import annotations

from checks import ipv6_skylight as net006
from crawler.resolver import ResolveStatus
from tests.checks.factory import ctx, obs
from tests.probes.helpers import HOME, dns_obs, probe, v6
from zwgk.records import LinkObs

IMG = LinkObs(1, "portal", HOME, "http://cdn.example.test/logo.png", "img", None, False)


def run(dns: list) -> tuple[list, dict]:
    c = ctx()
    o = obs(probes=(probe(1), v6(1)), dns=(dns_obs(1), *dns), links=(IMG,))
    return list(net006.check(o, {}, c)), c.unverified_by_rule()


def test_resource_host_without_aaaa_is_a_notice() -> None:
    found, _ = run([dns_obs(1, aaaa=(), aaaa_status=ResolveStatus.NODATA, purpose="resource",
                            host="cdn.example.test")])
    assert [f.rule for f in found] == ["NET006"]
    assert found[0].severity.value == "notice"
    assert found[0].evidence["resources"] == ["http://cdn.example.test/logo.png"]


def test_resource_host_with_aaaa_passes() -> None:
    assert run([dns_obs(1, purpose="resource", host="cdn.example.test")])[0] == []


def test_failed_lookup_is_not_judged() -> None:
    found, _ = run([dns_obs(1, aaaa=(), aaaa_status=ResolveStatus.ERROR, a_status=ResolveStatus.ERROR,
                            purpose="resource", host="cdn.example.test")])
    assert found == []
