"""config.toml: the shipped example loads, and every kind of mistake stops with file, line and key."""
from __future__ import annotations

from pathlib import Path

import pytest

from checks import REGISTRY
from zwgk.config import ConfigError
from commands.common import load_config

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
[zwgk]
database = "db.sqlite3"

[[sites]]
id = "portal"
name = "门户"
url = "https://www.example.gov.cn/"
unit = "县政府办公室"

[[units]]
name = "县政府办公室"
type = "部门"

[[units]]
name = "大河家镇"
type = "乡镇"
column_prefixes = ["https://www.example.gov.cn/zwgk/dhjz/"]

[rules.LAG001]
max_working_days = 15
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_the_real_county() -> None:
    config = load_config(ROOT / "config.toml")
    towns = [u for u in config.units if u.type == "乡镇"]
    assert len(towns) == 17
    assert "癿藏镇" in {u.name for u in towns}
    assert len([u for u in config.units if u.type == "部门"]) == 30
    assert config.sites[0].unit == "县政府办公室"


def test_shipped_config_documents_every_rule_threshold() -> None:
    """Every rule with a scalar threshold appears in config.toml (lychee's example-config test)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = load_config(ROOT / "config.toml")
    for rule_id, module in REGISTRY.items():
        scalar = [k for k, v in module.DEFAULTS.items() if isinstance(v, (int, float)) and k != "points"]
        if scalar:
            assert f"[rules.{rule_id}]" in text, rule_id
            for key in scalar:
                assert key in config.rules[rule_id], (rule_id, key)


def test_good_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.database == (tmp_path / "db.sqlite3").resolve()
    assert config.rule_conf("LAG001", REGISTRY["LAG001"].DEFAULTS)["max_working_days"] == 15
    assert config.rule_conf("LAG001", REGISTRY["LAG001"].DEFAULTS)["window_days"] == 365
    assert config.crawl["concurrency_per_host"] == 2


@pytest.mark.parametrize("old,new,expected", [
    ('database = "db.sqlite3"', 'database = "db.sqlite3"\ndatabse = "x"', r"config.toml:4: zwgk.databse: unknown key"),
    ("max_working_days = 15", 'max_working_days = "20"', r"config.toml:21: rules.LAG001.max_working_days: expected a number"),
    ("max_working_days = 15", "max_working_dayz = 15", r"rules.LAG001.max_working_dayz: unknown key"),
    ("[rules.LAG001]", "[rules.LAG999]", r"rules.LAG999: unknown rule ID"),
    ('type = "乡镇"', 'type = "村"', r"units\[2\].type: expected one of 县政府, 乡镇, 部门"),
    ('url = "https://www.example.gov.cn/"', 'url = "www.example.gov.cn"', r"config.toml:8: sites\[1\].url: expected an http\(s\) URL"),
    ('unit = "县政府办公室"', 'unit = "不存在的单位"', r"sites\[1\].unit: unit '不存在的单位' is not defined"),
    ('name = "门户"\n', "", r"sites\[1\]: missing required key 'name'"),
    ('[zwgk]', '[zwgk]\n[crawll]', r"crawll: unknown section"),
    ('database = "db.sqlite3"', 'database = "db.sqlite3"\n[crawl]\nconcurrency_per_host = true', r"crawl.concurrency_per_host: expected an integer, got True"),
    ('database = "db.sqlite3"', 'database = "db.sqlite3"\n[crawl]\nmax_depth = -1', r"crawl.max_depth: must not be negative"),
    ("max_working_days = 15", "max_working_days = ", r"not valid TOML.*line 21"),
    ('unit = "县政府办公室"\n', 'unit = "县政府办公室"\ncms = "wordpress"\n', r"sites\[1\].cms: unknown CMS family 'wordpress'"),
])
def test_config_errors_name_file_line_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, GOOD.replace(old, new, 1)))


def test_site_may_name_its_cms_family(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD.replace('unit = "县政府办公室"\n', 'unit = "县政府办公室"\ncms = "hanweb"\n', 1)))
    assert config.sites[0].cms == "hanweb"
    assert load_config(write(tmp_path, GOOD)).sites[0].cms is None   # detected at crawl time
    assert "cms =" in (ROOT / "config.toml").read_text(encoding="utf-8")   # documented


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file.*--config PATH or set ZWGK_CONFIG"):
        load_config(tmp_path / "nope.toml")


def test_bad_calendar_override_is_a_config_error(tmp_path: Path) -> None:
    text = GOOD + '\n[calendar.years."2027"]\nholidays = ["2027-13-01"]\n'
    with pytest.raises(ConfigError, match="calendar.years.*2027-13-01"):
        load_config(write(tmp_path, text))


def test_task_naming_an_unknown_unit_is_an_error(tmp_path: Path) -> None:
    text = GOOD + '\n[[tasks]]\nname = "第26项"\nrules = ["LAG001"]\nlead_units = ["县长办"]\n'
    with pytest.raises(ConfigError, match=r"tasks\[1\].lead_units: unit '县长办' is not defined"):
        load_config(write(tmp_path, text))


def test_crawl_exclusions_are_validated_and_merged_per_site(tmp_path: Path) -> None:
    text = GOOD.replace('database = "db.sqlite3"\n', 'database = "db.sqlite3"\n[crawl]\nexclude = ["https://www.example.gov.cn/old/"]\n', 1)
    text = text.replace('unit = "县政府办公室"\n', 'unit = "县政府办公室"\nexclude = ["https://www.example.gov.cn/2019jg/"]\n', 1)
    site = load_config(write(tmp_path, text)).sites[0]
    assert site.exclude == ("https://www.example.gov.cn/old/", "https://www.example.gov.cn/2019jg/")
    assert site.excludes("https://www.example.gov.cn/old/a.html") and not site.excludes("https://www.example.gov.cn/new/")
    assert load_config(write(tmp_path, GOOD)).sites[0].exclude == ()
    for bad, expected in (('exclude = ["www.example.gov.cn/old/"]', r"config.toml:5: crawl.exclude: not an http\(s\) URL prefix"),
                          ('exclude = ["https://www.example.gov.cn/"]', r"config.toml:5: crawl.exclude: excludes a whole site"),
                          ('exclude = "https://www.example.gov.cn/old/"', r"config.toml:5: crawl.exclude: expected a list of str")):
        with pytest.raises(ConfigError, match=expected):
            load_config(write(tmp_path, text.replace('exclude = ["https://www.example.gov.cn/old/"]', bad, 1)))
