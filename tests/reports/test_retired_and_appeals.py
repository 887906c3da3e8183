"""The rest of issue 11 through the real check modules and the store: crawl exclusions for
retired paths (never reported, never 已整改), appeals (申诉中), a soft 404 answered 304."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import tests.reports.test_lifecycle_scenario as scenario
from commands.common import load_config
from reports.lifecycle import State
from tests.reports.test_lifecycle_scenario import CHECKS, CONFIG, GONE, LNK, County
from zwgk.records import LinkOutcome as O
from zwgk.records.media import MediaOutcome

BROKEN_WEEKS = [((O.BROKEN, 404), (MediaOutcome.OK, 30))] * 4


def county_with(tmp_path: Path, extra_site_keys: str = "", county: County | None = None) -> County:
    county = county or County(tmp_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG.replace('unit = "县政府办公室"\n', 'unit = "县政府办公室"\n' + extra_site_keys, 1),
                   encoding="utf-8")
    county.config = load_config(cfg)
    return county


def test_a_retired_path_is_not_reported_and_an_open_finding_becomes_excluded_not_resolved(
        tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(scenario, "WEEKS", BROKEN_WEEKS)
    county = County(tmp_path)
    assert scenario.state(county.check(0), LNK).state is State.NEW
    # the county retires /zwgk/dhjz/ ... gone.html lies under it
    county_with(tmp_path, f'exclude = ["{GONE.rsplit("/", 1)[0]}/"]\n', county)
    lc = county.check(1)
    assert scenario.state(lc, LNK) is None and LNK not in {f.key() for f in lc.resolved}
    html = county.report(lc)
    assert GONE not in html and "已整改" not in html
    (row,) = [t for t in county.store.finding_states() if t.finding.key() == LNK]
    assert row.state is State.EXCLUDED and row.resolved_on is None
    assert not [u for u in county.store.unverified(county.run.id) if u.subject == GONE]


def test_an_unrelated_exclusion_changes_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(scenario, "WEEKS", BROKEN_WEEKS)
    county = county_with(tmp_path, 'exclude = ["http://www.county.test/old/"]\n')
    county.check(0)
    t = scenario.state(county.check(1), LNK)
    assert (t.state, t.first_seen) == (State.STILL_OPEN, CHECKS[0])
