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
