"""The zwgk command: errors are clear, --json prints one object."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
REALPAGES = ROOT.parent / "shared" / "realpages"


def zwgk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def test_rules_json_lists_every_registered_rule_with_thresholds() -> None:
    out = zwgk("rules", "--json")
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == list(REGISTRY)
    lag = next(r for r in rows if r["id"] == "LAG001")
    assert lag["thresholds"]["max_working_days"] == 20 and lag["source"]


def test_bad_config_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[crawl]\nmax_pages = 3\n", encoding="utf-8")
    out = zwgk("crawl", "--config", str(bad))
    assert out.returncode == 2
    assert f"{bad}:2: crawl.max_pages: unknown key" in out.stderr


def test_check_before_any_crawl_says_what_to_do(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[zwgk]\ndatabase = "z.sqlite3"\n', encoding="utf-8")
    out = zwgk("check", "--config", str(cfg), "--json")
    assert out.returncode == 1 and "run `zwgk crawl` first" in out.stderr


def test_bad_as_of_is_rejected() -> None:
    out = zwgk("check", "--as-of", "2026-13-01")
    assert out.returncode == 2 and "--as-of" in out.stderr


@pytest.mark.skipif(not REALPAGES.exists(), reason="../shared/realpages not present")
def test_extract_prints_fields_as_json() -> None:
    page = REALPAGES / "pingtan" / "pt-a-01-60970.html"
    out = zwgk("extract", str(page))
    data = json.loads(out.stdout)
    assert data["doc_no"] == "岚综管综〔2016〕178号"
    assert data["doc_date"] == "2016-07-18" and data["pub_date"] == "2016-07-19"
    assert data["doc_date_source"] and data["pub_date_source"]
    assert data["cms"] == "trs"   # the family the page shows (trt-ui classes, trsapi)


def test_extract_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    out = zwgk("extract", str(tmp_path / "nope.html"))
    assert out.returncode == 1 and "cannot read" in out.stderr
