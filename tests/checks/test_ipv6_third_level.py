from __future__ import annotations

from checks import ipv6_third_level as net005
from tests.checks.factory import ctx, obs
from tests.probes.helpers import links, probe, v6


def run(records: list) -> list:
    o = obs(probes=(probe(1), v6(1)), ipv6_links=tuple(records))
    return list(net005.check(o, dict(net005.DEFAULTS), ctx()))


def test_eighty_percent_fails() -> None:
    found = run(links(1, 3, ok=16, failed=4))
    assert [f.rule for f in found] == ["NET005"]


def test_eighty_five_percent_passes() -> None:
    assert run(links(1, 3, ok=17, failed=3)) == []


def test_second_level_links_do_not_count_here() -> None:
    assert run(links(1, 2, ok=0, failed=20)) == []
