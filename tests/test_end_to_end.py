"""The whole pipeline against the testbed: findings compared with its ground truth."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import AS_OF, Inspection
from commands.common import load_config
from zwgk.store import Store
from testbed.server import Testbed
from testbed.score import match_key as key


@pytest.fixture(scope="module")
def inspected(inspection: Inspection) -> dict:
    """The session's whole inspection (crawl, probe rounds over 7 days, feed poll, check, report)."""
    crawl, check, report = inspection.results
    return {"config": load_config(inspection.config), "crawl": crawl, "check": check, "report": report,
            "findings": inspection.findings, "truth": inspection.truth, "out": inspection.directory}


def test_every_seeded_defect_is_found_and_nothing_else(inspected: dict, testbed: Testbed) -> None:
    truth = inspected["truth"]
    found = {key(f) for f in inspected["findings"]}
    expected = {key(t) for t in truth["findings"]}
    assert expected - found == set(), "missed"
    assert found - expected == set(), "false findings"
    near = {key(n) for n in truth["near_misses"]}
    assert near & found == set()


def test_findings_go_to_the_responsible_unit(inspected: dict, testbed: Testbed) -> None:
    truth = {key(t): t["unit"] for t in testbed.ground_truth()["findings"]}
    for f in inspected["findings"]:
        assert f["unit"] == truth[key(f)], f
        assert f["as_of"] == AS_OF.isoformat()


def test_late_documents_carry_their_working_day_lag(inspected: dict, testbed: Testbed) -> None:
    lags = {t["url"]: t["lag"] for t in testbed.ground_truth()["findings"] if t["rule"] == "LAG001"}
    got = {f["url"]: f["evidence"]["working_days"] for f in inspected["findings"] if f["rule"] == "LAG001"}
    assert got == lags


def test_every_document_found_with_both_dates(inspected: dict, testbed: Testbed) -> None:
    config = inspected["config"]
    with Store(config.database) as store:
        docs = {d.url: d for d in store.documents(inspected["crawl"].run_id)}
    for expected in testbed.ground_truth()["documents"]:
        got = docs.get(expected["url"])
        assert got is not None, expected["url"]
        assert (got.doc_date.isoformat() if got.doc_date else None) == expected["doc_date"], expected["url"]
        assert (got.pub_date.isoformat() if got.pub_date else None) == expected["pub_date"], expected["url"]


def test_every_column_found_with_its_items(inspected: dict, testbed: Testbed) -> None:
    with Store(inspected["config"].database) as store:
        cols = {c.url: c for c in store.columns(inspected["crawl"].run_id)}
    for expected in testbed.ground_truth()["columns"]:
        got = cols.get(expected["url"])
        assert got is not None, expected["url"]
        assert got.name == expected["name"]
        assert got.item_count == expected["items"], expected["url"]


def test_report_is_chinese_html_and_escapes(inspected: dict) -> None:
    html = Path(inspected["report"].outputs["html"]).read_text(encoding="utf-8")
    assert "检查报告" in html and "刘集乡" in html and "公开超时" in html
    assert "<script" not in html.lower()


def test_ground_truth_is_stable_across_calls(testbed: Testbed) -> None:
    first = testbed.ground_truth()
    assert testbed.ground_truth() == first
    assert len(first["findings"]) == len({key(t) for t in first["findings"]})


def test_no_control_character_in_any_stored_field(inspected: dict) -> None:
    """Every text value of every table after the testbed crawl (an empty 文号 cell once gave "\\x00")."""
    import re
    import sqlite3

    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    db = sqlite3.connect(inspected["config"].database)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dirty = []
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            names = [c[0] for c in cursor.description]
            for row in cursor:
                dirty += [(table, n, v[:80]) for n, v in zip(names, row) if isinstance(v, str) and control.search(v)]
    finally:
        db.close()
    assert tables and dirty == []


def test_one_column_per_column(inspected: dict, testbed: Testbed) -> None:
    """Pagers link 首页 as index.html / index.htm and page on with index_N or ?pageNum=: each column
    is stored once, under its canonical URL, and every stored column is a column of the truth."""
    from crawler.profiles import column_root

    with Store(inspected["config"].database) as store:
        stored = [c.url for c in store.columns(inspected["crawl"].run_id)]
    assert len(stored) == len(set(stored))
    assert [u for u in stored if column_root(u) != u] == []
    truth = {c["url"] for c in testbed.ground_truth()["columns"]}
    templated = [u for u in stored if "wjw." in u or "xxgk.fgj." in u]
    assert templated and set(templated) <= truth
