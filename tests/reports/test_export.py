"""zwgk export: golden CSV / JSON, XLSX read back, and the yearly roll-up from a store."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reports.export import cells, header, render_csv, render_json, table_from_store, write_xlsx
from commands.common import load_config
from zwgk.records import DocumentObs, Finding, Severity
from zwgk.store import Store

GOLDEN = Path(__file__).parent / "golden"
BASE = "http://www.county.test"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
EVIL_UNIT = "大河家镇\r\nBcc: x@evil.example"

CONFIG = f"""
[zwgk]
database = "db.sqlite3"
county = "积石山县"

[[sites]]
id = "portal"
name = "门户"
url = "{BASE}/"
unit = "县政府办公室"

[[sites]]
id = "jyj"
name = "教育局网站"
url = "http://jyj.county.test/"
unit = "县教育局"

[[units]]
name = "县政府办公室"
type = "部门"

[[units]]
name = "大河家镇\\r\\nBcc: x@evil.example"
type = "乡镇"
column_prefixes = ["{BASE}/zwgk/dhjz/"]

[[units]]
name = "县教育局"
type = "部门"
"""
TOWN = EVIL_UNIT


def f(rule: str, unit: str | None, url: str | None, *, site: str = "portal", column: str | None = None,
      evidence: dict | None = None, as_of: date = date(2026, 6, 1)) -> Finding:
    return Finding(rule, Severity.DEDUCTION, site, unit, column, url, f"{rule} <script>alert(1)</script>",
                   evidence or {}, as_of)


def doc(url: str, doc_date: date | None, pub_date: date | None, site: str = "portal") -> DocumentObs:
    return DocumentObs(1, site, url, None, "<script>标题</script>", None, None, None, doc_date, "table:成文日期",
                       None, pub_date, "table:发布日期", None, None, True, T0)


def build_store(tmp_path: Path) -> Any:
    """Three check runs (one in 2025) and a crawl with documents, no crawling."""
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    lag = f("LAG001", TOWN, BASE + "/zwgk/dhjz/t1.html", evidence={"pub_date": "2026-11-02", "working_days": 21})
    old_lag = f("LAG001", TOWN, BASE + "/zwgk/dhjz/t0.html", evidence={"pub_date": "2025-12-30"})
    link = f("LNK002", "县政府办公室", BASE + "/broken.html")
    runs = [(date(2025, 12, 31), [old_lag]),
            (date(2026, 6, 1), [lag, link, f("UPD005", TOWN, None, column=BASE + "/zwgk/dhjz/tzgg/")]),
            (date(2026, 11, 26), [lag, link, f("LNK002", "县教育局", "http://jyj.county.test/x", site="jyj"),
                                  f("LAG002", None, BASE + "/stray.html")])]
    with Store(config.database) as store:
        crawl = store.start_run("crawl", date(2026, 11, 26))
        store.add_documents([
            doc(BASE + "/zwgk/dhjz/t1.html", date(2026, 9, 28), date(2026, 11, 2)),    # 21 working days: late
            doc(BASE + "/zwgk/dhjz/t2.html", date(2026, 9, 28), date(2026, 10, 30)),   # 20
            doc(BASE + "/zwgk/dhjz/t3.html", None, date(2026, 3, 2)),                 # no 成文日期
            doc(BASE + "/zwgk/dhjz/t0.html", date(2025, 11, 1), date(2025, 12, 30)),  # another year
            doc(BASE + "/news/a.html", date(2026, 5, 6), date(2026, 5, 8)),           # the site's unit: 2
            doc("http://jyj.county.test/a.html", date(2026, 1, 5), date(2026, 1, 6), site="jyj"),
        ])
        store.finish_run(crawl, "complete")
        for as_of, findings in runs:
            run = store.start_run("check", as_of, crawl_run_id=crawl)
            store.add_findings(run, findings)
            store.finish_run(run, "complete")
    return config


def fixed_assess(site_id: str, name: str, findings: Any) -> Any:
    """A stand-in for reports.assessment.assess_site: the golden files must not follow its point tables."""
    score = 100.0 - 7.5 * sum(1 for f in findings if f.site == site_id)
    return SimpleNamespace(label="合格" if score >= 90 else "不合格", score=score)


def tables(tmp_path: Path, assess: Any = fixed_assess) -> dict[str, Any]:
    config = build_store(tmp_path)
    with Store(config.database) as store:
        return {"latest": table_from_store(config, store, None, assess=assess),
                "year": table_from_store(config, store, 2026, assess=assess)}


def golden_outputs() -> dict[str, str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        t = tables(Path(tmp))
    return {"export-latest.csv": render_csv(t["latest"]), "export-latest.json": render_json(t["latest"]),
            "export-2026.csv": render_csv(t["year"]), "export-2026.json": render_json(t["year"])}


@pytest.mark.parametrize("name", ["export-latest.csv", "export-latest.json", "export-2026.csv", "export-2026.json"])
def test_export_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_bytes().decode("utf-8")
    assert golden_outputs()[name] == expected, f"run tools/regen_golden.py if the change is intended ({name})"


def test_csv_opens_in_excel_and_counts_per_unit_and_site(tmp_path: Path) -> None:
    text = render_csv(tables(tmp_path)["latest"])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    head = rows[0]
    by_name = {r[1]: dict(zip(head, r)) for r in rows[1:] if r[0] in ("单位", "网站")}
    assert by_name["县政府办公室"]["LNK002"] == "1" and by_name["县政府办公室"]["问题总数"] == "1"
    assert by_name[TOWN]["LAG001"] == "1" and by_name[TOWN]["UPD005"] == "0"   # only the latest run
    assert by_name["（未归属单位）"]["LAG002"] == "1"
    assert by_name["portal"]["问题总数"] == "3" and by_name["jyj"]["问题总数"] == "1"
    assert "<script>" not in text   # messages are not exported, only counts


def test_yearly_rollup_dedupes_by_key_and_counts_the_annual_report_figures(tmp_path: Path) -> None:
    t = tables(tmp_path)["year"]
    rows = {(r.kind, r.name): r for r in t.rows}
    town = rows[("unit", TOWN)]
    counts = dict(zip(t.rules, town.counts))
    assert counts["LAG001"] == 1 and counts["UPD005"] == 1 and town.total == 2   # two 2026 runs, one key each
    assert (town.docs.published, town.docs.dated, town.docs.late) == (3, 2, 1)
    assert town.docs.late_share == 0.5 and town.docs.median_lag == 20.5
    office = rows[("unit", "县政府办公室")]
    assert (office.docs.published, office.docs.late, office.docs.median_lag) == (1, 0, 2.0)
    assert rows[("site", "portal")].docs.published == 4
    assert len(t.check_runs) == 2
    # The verdict judges the year's last check run (3 portal findings), not the deduplicated year (4).
    assert (rows[("site", "portal")].verdict, rows[("site", "portal")].score) == ("不合格", 77.5)
    assert rows[("site", "jyj")].verdict == "合格" and town.verdict is None


def test_without_an_assessment_the_export_has_counts_only_and_says_so(tmp_path: Path) -> None:
    t = tables(tmp_path, assess=None)["latest"]
    assert "考核结论" not in header(t) and "得分" not in header(t)
    assert any("reports.assessment" in n for n in t.notes)


def test_the_real_assessment_is_used_when_present(tmp_path: Path) -> None:
    from reports.export import load_assessor

    assessor = load_assessor()
    if assessor is None:
        pytest.skip("reports.assessment is not there")
    config = build_store(tmp_path)
    with Store(config.database) as store:
        t = table_from_store(config, store, None)
    assert t.assessed and "考核结论" in header(t)
    assert {r.verdict for r in t.rows if r.kind == "site"} <= {"合格", "不合格"}


def test_xlsx_reads_back_like_the_table(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    t = tables(tmp_path)["year"]
    path = tmp_path / "export.xlsx"
    write_xlsx(t, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "说明"]
    values = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    assert values[0] == header(t)
    assert values[1:] == [[None if v == "" else v for v in row] for row in cells(t)]   # openpyxl: "" is empty
    assert any("最后一次检查" in (r[1] or "") for r in wb["说明"].iter_rows(values_only=True))


def test_cli_writes_each_format(tmp_path: Path) -> None:
    from commands.cli import main

    config = build_store(tmp_path)
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"e.{fmt}"
        assert main(["export", "--config", str(config.path), "--format", fmt, "--year", "2026",
                     "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert data["scope"] == "year" and data["rows"][0]["name"] == "县政府办公室"
    assert main(["export", "--config", str(config.path), "--format", "xlsx", "--out", "-"]) == 2
