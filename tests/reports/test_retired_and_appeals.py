"""The rest of issue 11 through the real check modules and the store: crawl exclusions for
retired paths (never reported, never 已整改), appeals (申诉中), a soft 404 answered 304."""
from __future__ import annotations

import json
from datetime import date
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


def cli(tmp_path: Path, *argv: str) -> int:
    from commands.cli import main
    return main([*argv, "--config", str(tmp_path / "config.toml")])


def test_an_appeal_is_listed_apart_never_overdue_and_a_rejection_restores_the_deadline(
        tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(scenario, "WEEKS", BROKEN_WEEKS)
    county = County(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG.replace('[zwgk]\n', '[zwgk]\ndatabase = "zwgk.sqlite3"\n', 1),
                                          encoding="utf-8")
    county.notices(county.check(0))                       # notified: deadline 2026-11-19
    assert cli(tmp_path, "appeal", "LNK002", GONE, "--by", "大河家镇") == 2          # no reason
    assert cli(tmp_path, "appeal", "LNK002", GONE, "--reason", "该页面 2026-10 已按规定撤销 <b>", "--by", "大河家镇") == 0
    assert cli(tmp_path, "appeal", "LNK002", GONE, "--reason", "again") == 1         # one open appeal at a time
    assert cli(tmp_path, "appeal", "XYZ999", GONE, "--reason", "x") == 2             # no such rule
    assert cli(tmp_path, "appeal", "LNK002", "--reason", "x") == 2                   # no subject
    for week in (1, 2, 3):
        lc = county.check(week)
        t = scenario.state(lc, LNK)
        assert t.state is State.APPEAL and t not in lc.open and t.first_seen == CHECKS[0]
        assert not [i for v in county.notices(lc).values() for i in v.items if i.key == LNK]
    html = county.report(lc)                              # 11-26: a week past the deadline, yet not 逾期
    from reports import evidence_id
    assert f'href="evidence/{evidence_id(t.finding)}.html"' in html
    assert "申诉中的问题" in html and "该页面 2026-10 已按规定撤销 &lt;b&gt;" in html and "<b>" not in html
    assert "LNK002" not in html.split("一、总体结论")[0] and "已整改" not in html   # not among 逾期未整改
    assert cli(tmp_path, "appeal", "--reject", "LNK002", GONE, "--reason", "页面仍被首页引用", "--by", "admin") == 0
    assert cli(tmp_path, "appeal", "--reject", "LNK002", GONE) == 1                # nothing open any more
    lc = scenario.load_lifecycle(county.store, county.run)   # holds at once for the latest check
    t = scenario.state(lc, LNK)
    assert t.state is State.STILL_OPEN and t.deadline == date(2026, 11, 19)
    assert "LNK002" in county.report(lc).split("一、总体结论")[0]


def test_an_appeal_ends_when_the_defect_is_gone_and_an_accepted_one_exempts(tmp_path: Path, capsys: Any) -> None:
    county = County(tmp_path)                              # WEEKS: broken, timeout, fixed, broken
    (tmp_path / "config.toml").write_text(CONFIG.replace('[zwgk]\n', '[zwgk]\ndatabase = "zwgk.sqlite3"\n', 1),
                                          encoding="utf-8")
    county.check(0)
    assert cli(tmp_path, "appeal", "LNK002", GONE, "--reason", "已撤销") == 0
    assert scenario.state(county.check(1), LNK).state is State.APPEAL   # not observed: still 申诉中
    lc = county.check(2)                                   # observed, fixed: 已整改 ends the appeal
    assert LNK in {f.key() for f in lc.resolved}
    (a,) = county.store.appeals(open_only=False)
    assert a.outcome == "resolved" and not county.store.appeals()
    assert scenario.state(county.check(3), LNK).state is State.NEW     # back: new, no appeal carried
    assert cli(tmp_path, "appeal", "LNK002", GONE, "--reason", "页面按规定下线") == 0
    assert cli(tmp_path, "appeal", "--accept", "LNK002", GONE, "--by", "admin") == 0
    capsys.readouterr()
    assert cli(tmp_path, "appeal", "--list", "--all", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["outcome"], a["reason"]) for a in listed] == [("resolved", "已撤销"), ("accepted", "页面按规定下线")]
    assert cli(tmp_path, "appeal", "--list") == 0                    # none open: said on stderr
    assert capsys.readouterr().err.strip() == "no appeals"
    (e,) = county.store.exemptions()
    assert e.reason == "申诉成立：页面按规定下线" and e.until is None
    # holds at once: 已豁免, not back to 未整改 until the next check
    assert scenario.load_lifecycle(county.store, county.run).state_of(LNK).state is State.EXEMPT
