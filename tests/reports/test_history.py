"""Every `zwgk report` keeps a dated folder, an index of past reports and a latest pointer;
the trend chart reads every past check; --out writes exactly where it is told."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import tests.reports.test_lifecycle_scenario as scenario
from commands import steps
from commands.common import load_config
from reports import TrendPoint, trend_svg
from reports.history import past_reports
from tests.reports.test_lifecycle_scenario import CHECKS, CONFIG, County
from zwgk.records import LinkOutcome as O
from zwgk.records.media import MediaOutcome


def county(tmp_path: Path) -> County:
    c = County(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG.replace(
        '[zwgk]\n', '[zwgk]\ndatabase = "zwgk.sqlite3"\nreport_dir = "reports"\n', 1), encoding="utf-8")
    c.config = load_config(tmp_path / "config.toml")
    return c


def test_each_report_keeps_a_dated_folder_an_index_and_a_latest_pointer(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(scenario, "WEEKS", [((O.BROKEN, 404), (MediaOutcome.OK, 30))] * 4)
    c = county(tmp_path)
    root = tmp_path / "reports"
    for week in range(3):
        lc = c.check(week)
        c.notices(lc)
        result = steps.report(c.config, CHECKS[week])
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert folders == ["2026-11-05-check-1", "2026-11-12-check-2", "2026-11-19-check-3"]
    for name in folders:
        assert (root / name / "report.html").is_file() and (root / name / "findings.json").is_file()
    assert Path(result.outputs["html"]) == root / "2026-11-19-check-3" / "report.html"
    index = (root / "index.html").read_text(encoding="utf-8")
    assert index.index("2026-11-19") < index.index("2026-11-12") < index.index("2026-11-05")   # newest first
    assert 'href="2026-11-05-check-1/report.html"' in index and "第 3 次检查" in index
    latest = (root / "latest.html").read_text(encoding="utf-8")
    assert 'url=2026-11-19-check-3/report.html' in latest
    (newest, *_rest) = past_reports(root)
    doc = json.loads((root / newest.folder / "findings.json").read_text(encoding="utf-8"))
    assert newest.findings == len(doc["findings"]) > 0 and newest.check == 3
    # a folder copied in half (no findings.json) is left out, not fatal
    (root / "2026-12-03-check-9").mkdir()
    assert [r.check for r in past_reports(root)] == [3, 2, 1]


def test_out_writes_exactly_there_without_touching_the_history(tmp_path: Path) -> None:
    c = county(tmp_path)
    c.check(0)
    out = tmp_path / "elsewhere"
    result = steps.report(c.config, CHECKS[0], out)
    assert Path(result.outputs["html"]) == out / "report.html" and (out / "findings.json").is_file()
    assert not (tmp_path / "reports").exists()


def test_the_trend_reads_every_past_check(tmp_path: Path) -> None:
    c = county(tmp_path)
    for week in range(4):
        c.check(week)
    assert len(c.store.check_trend(c.run.id)) == 4
    from datetime import date, timedelta
    points = [TrendPoint(i, date(2026, 1, 1) + timedelta(days=7 * i), i % 5) for i in range(40)]
    svg = trend_svg(points)
    assert svg.count("<rect") == 40                       # every check drawn
    assert len(re.findall(r'font-size="9"', svg)) <= 14   # labels thinned
    assert all(float(w) > 0 for w in re.findall(r'width="([\d.]+)" height', svg))
