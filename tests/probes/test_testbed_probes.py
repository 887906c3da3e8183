"""Probes + checks against the testbed's network sites: every seeded AVL/NET defect found, nothing else.

One crawl (the NET004/NET005 links come from it), 139 availability rounds and one IPv6
round at synthetic times 72 minutes apart (20 a day over 7 days), then all checks.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from checks import CheckContext, Observations, run_checks
from tests.conftest import AS_OF
from tests.probes.helpers import network_component, write_probe_config
from commands import steps as pipeline
from commands.common import load_config
from crawler.probes import latest_crawl_links, probe_round, store_round
from checks._probes import end_of
from zwgk.store import probes as schema
from zwgk.store import Store
from testbed.server import Testbed
from zwgk.workdays import WorkdayCalendar

END = datetime.combine(AS_OF, time(12, 0), tzinfo=timezone.utc)
ROUNDS = 140


def key(entry: dict[str, Any]) -> tuple[str, str]:
    return entry["rule"], entry["url"]


@pytest.fixture(scope="module")
def probed(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not testbed.has_ipv6:
        pytest.skip("this host has no IPv6 loopback")
    config = load_config(write_probe_config(testbed, tmp_path_factory.mktemp("probes")))
    crawl = pipeline.crawl(config, AS_OF, quiet=True)
    assert crawl.status == "complete", crawl.errors
    with Store(config.database) as store:
        links = latest_crawl_links(store)
    times = [END - timedelta(minutes=72 * (ROUNDS - 1 - i)) for i in range(ROUNDS)]
    results = [probe_round(config, t, ipv6=False) for t in times[:-1]]
    results.append(probe_round(config, times[-1], ipv6=True, crawl_links=links))
    with Store(config.database) as store:
        for r in results:
            store_round(store, r)
    check = pipeline.check(config, AS_OF)
    with Store(config.database) as store:
        findings = [f.to_json() for f in store.findings(check.run_id)]
        summary = store.run(check.run_id).summary
    return {"config": config, "results": results, "findings": findings, "summary": summary}


def test_every_probe_defect_found_and_nothing_else(probed: dict[str, Any], testbed: Testbed) -> None:
    truth = testbed.ground_truth()
    expected = {key(t) for t in network_component(testbed).ground_truth()["findings"]}
    # Only the probes' rules: without the county portal in this config SID002 has no domain to
    # compare with (the end-to-end test covers these sites' crawl with the portal).
    found = {key(f) for f in probed["findings"] if f["rule"].startswith(("AVL", "NET"))}
    tp = expected & found
    precision = len(tp) / len(found) if found else 0.0
    recall = len(tp) / len(expected)
    assert expected - found == set(), "missed"
    assert found - expected == set(), "false findings"
    assert (precision, recall) == (1.0, 1.0)
    near = {key(n) for n in truth["near_misses"]}
    assert near & found == set()


def test_findings_carry_unit_and_evidence(probed: dict[str, Any]) -> None:
    mine = [f for f in probed["findings"] if f["rule"].startswith(("AVL", "NET"))]
    by_rule = {f["rule"]: f for f in mine}
    assert all(f["unit"] == "县政府办公室" for f in mine)
    assert {f["evidence"]["probes"] for f in mine if f["rule"] == "AVL001"} == {ROUNDS}
    assert {f["evidence"]["failed"] for f in mine if f["rule"] == "AVL001"} >= {7}
    assert by_rule["NET004"]["evidence"]["counted"] == 23
    assert by_rule["NET005"]["evidence"]["ok"] == 16
    slow = next(f for f in probed["findings"] if f["rule"] == "NET002" and "v6slow." in f["url"])
    assert slow["evidence"]["outcome"] == "TIMEOUT" and 14.9 < slow["evidence"]["elapsed_s"] < 16


def test_four_percent_is_a_warning_not_a_finding(probed: dict[str, Any]) -> None:
    warnings = probed["summary"]["unverified"].get("AVL001", [])
    assert any(w.startswith("预警") and "县商务局" in w for w in warnings), warnings


def test_rounds_are_not_degraded(probed: dict[str, Any]) -> None:
    assert not any(r.round.degraded for r in probed["results"])


def test_round_with_dns_down_is_degraded_and_judges_nothing(tmp_path: Path) -> None:
    """Our resolver down: the round is marked degraded, and no NET or AVL finding comes of it."""
    with Testbed(seed=3, as_of=AS_OF) as tb:
        assert tb.dns is not None
        address = tb.dns.address
        tb.dns.stop()
        config = load_config(write_probe_config(tb, tmp_path, nameserver=address))
        result = probe_round(config, END, ipv6=True)
    assert result.round.degraded and not result.round.resolver_ok
    assert {p.outcome.value for p in result.probes} == {"PROBE_UNAVAILABLE"}
    with Store(config.database) as store:
        store_round(store, result)
        loaded = schema.load(store, end_of(AS_OF), 7)
        assert schema.rounds(store)[0].degraded
    obs = Observations(run_id=0, sites=config.sites, units=config.units, **loaded)
    ctx = CheckContext(as_of=AS_OF, calendar=WorkdayCalendar())
    findings = list(run_checks(obs, config.rules, ctx))
    assert [f for f in findings if f.rule.startswith(("NET", "AVL"))] == []
    assert ctx.unverified_by_rule().get("NET002")


def test_monitor_without_ipv6_finds_no_ipv6_failure(testbed: Testbed, tmp_path: Path) -> None:
    """errno 101 on every IPv6 connect: IPv6 cannot be checked from here, never the site's fault."""
    import errno
    import socket

    from crawler.probes.http import plain_connect

    def v4_only(address: tuple[str, int], timeout: float) -> socket.socket:
        if ":" in address[0]:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        return plain_connect(address, timeout)

    config = load_config(write_probe_config(testbed, tmp_path))
    result = probe_round(config, END, ipv6=True, connect=v4_only)
    assert not result.round.degraded
    v6 = {p.outcome.value for p in result.probes if p.family.value == "v6"}
    assert v6 == {"PROBE_UNAVAILABLE", "NO_ADDRESS"}
    obs = Observations(run_id=0, sites=config.sites, units=config.units, probes=tuple(result.probes),
                       dns=tuple(result.dns), ipv6_links=tuple(result.ipv6_links))
    ctx = CheckContext(as_of=AS_OF, calendar=WorkdayCalendar())
    rules = {f.rule for f in run_checks(obs, config.rules, ctx) if f.rule.startswith(("AVL", "NET"))}
    assert rules == {"NET001"}        # the DNS answer (no AAAA) is still a fact
