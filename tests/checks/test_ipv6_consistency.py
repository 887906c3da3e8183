from __future__ import annotations

from checks import ipv6_consistency as net003
from tests.checks.factory import ctx, obs
from tests.probes.helpers import HOME, probe, v6
from zwgk.records.probes import ProbeOutcome

TEXT = "积石山县人民政府 " + " ".join(f"关于第{i}项重点工作推进情况的通报" for i in range(40))
LINKS = tuple(f"{HOME}a{i}.html" for i in range(40))


def run(v6_probe: object) -> tuple[list, dict]:
    c = ctx()
    o = obs(probes=(probe(1, text=TEXT, links=LINKS), v6_probe))
    return list(net003.check(o, dict(net003.DEFAULTS), c)), c.unverified_by_rule()


def test_same_page_passes() -> None:
    assert run(v6(1, text=TEXT, links=LINKS))[0] == []


def test_small_difference_passes() -> None:
    assert run(v6(1, text=TEXT + " 本站已支持IPv6访问", links=LINKS))[0] == []


def test_different_title_fails() -> None:
    found, _ = run(v6(1, title="Welcome to nginx!", text=TEXT, links=LINKS))
    assert [f.rule for f in found] == ["NET003"] and "标题不同" in found[0].message


def test_low_link_similarity_fails() -> None:
    found, _ = run(v6(1, text=TEXT, links=LINKS[:30]))
    assert found and found[0].evidence["link_similarity"] == 0.75


def test_failed_ipv6_fetch_is_not_compared() -> None:
    found, unverified = run(v6(1, ProbeOutcome.TIMEOUT, title=None, text=None, links=()))
    assert found == [] and unverified["NET003"]
