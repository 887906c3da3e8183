from __future__ import annotations

from checks import availability
from tests.checks.factory import ctx, obs
from tests.probes.helpers import series
from zwgk.records.probes import ProbeOutcome


def run(probes: list, **conf: object) -> tuple[list, dict]:
    c = ctx()
    found = list(availability.check(obs(probes=tuple(probes)), {**availability.DEFAULTS, **conf}, c))
    return found, c.unverified_by_rule()


def test_six_percent_failing_is_a_veto() -> None:
    found, _ = run(series(failures=9))
    assert [f.rule for f in found] == ["AVL001"]
    assert found[0].severity.value == "veto" and found[0].evidence["failed"] == 9


def test_exactly_five_percent_fails() -> None:
    found, _ = run(series(failures=7))
    assert len(found) == 1


def test_four_percent_is_only_a_warning() -> None:
    found, unverified = run(series(failures=6))
    assert found == []
    assert unverified["AVL001"][0].startswith("预警")


def test_under_three_percent_is_silent() -> None:
    found, unverified = run(series(failures=4))
    assert found == [] and "AVL001" not in unverified


def test_too_few_probes_is_could_not_verify() -> None:
    found, unverified = run(series(failures=30, total=70, every_min=144))   # 10 a day
    assert found == [] and "探测次数不足" in unverified["AVL001"][0]


def test_our_side_outcomes_are_not_counted() -> None:
    probes = series(failures=20, outcome=ProbeOutcome.PROBE_UNAVAILABLE) + []
    found, unverified = run(probes)
    assert found == []            # 120 counted probes: too few, never "20 failures"
    assert "AVL001" in unverified


def test_degraded_rounds_are_excluded() -> None:
    # 10 timeouts, but 8 of them in rounds where most hosts failed at once (our network).
    probes = series(failures=10, total=148, every_min=68, degraded_rounds=frozenset(range(1, 9)))
    found, _ = run(probes)
    assert found == []
    found, _ = run(series(failures=10, total=148, every_min=68))
    assert len(found) == 1


def test_degraded_run_judges_nothing() -> None:
    c = ctx()
    o = obs(probes=tuple(series(failures=30)), degraded=True)
    assert list(availability.check(o, dict(availability.DEFAULTS), c)) == []
    assert c.unverified_by_rule()["AVL001"]
