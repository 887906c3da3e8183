"""[[accounts]] in config.toml: good tables load, each mistake names the account."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zwgk.config import ConfigError
from commands.common import load_config
from zwgk.config.media import load_accounts, media_settings

HEAD = """
[[units]]
name = "县教育局"
type = "部门"

[[units]]
name = "县卫健局"
type = "部门"
"""

GOOD = HEAD + """
[[accounts]]
name = "积石山教育"
unit = "县教育局"
platform = "微信公众号"
source = "rss"
url = "https://feeds.example.cn/jyj.xml"

[[accounts]]
name = "积石山县卫健"
unit = "县卫健局"
platform = "微信视频号"
source = "html"
url = "https://www.example.cn/xmt/#wjj"
selectors = { item = "table.xmt tr", contains = "积石山县卫健", date = "td.last" }

[[accounts]]
name = "健康积石山"
unit = "县卫健局"
platform = "抖音"
source = "manual"
last_post = 2026-11-20

[[accounts]]
name = "卫健旧号"
unit = "县卫健局"
platform = "快手"
source = "manual"
last_post = "never"
active = false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_accounts(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    a, b, c, d = load_accounts(config)
    assert (a.source, a.key) == ("rss", "https://feeds.example.cn/jyj.xml")
    assert b.selector("contains") == "积石山县卫健" and b.key.endswith("#wjj")
    assert (c.last_post, c.key) == (date(2026, 11, 20), "manual:健康积石山")
    assert d.never_posted and not d.active
    assert media_settings(config)["timeout"] == 15


def test_no_accounts_is_fine(tmp_path: Path) -> None:
    assert load_accounts(load_config(write(tmp_path, HEAD))) == ()


@pytest.mark.parametrize("old, new, expected", [
    ('unit = "县教育局"', 'unit = "县教育局局"', "积石山教育.*unit '县教育局局' is not defined in \\[\\[units\\]\\]"),
    ('platform = "微信公众号"', 'platform = "微信"', "积石山教育.*platform '微信'"),
    ('source = "rss"', 'source = "weibo"', "积石山教育.*source 'weibo'"),
    ('url = "https://feeds.example.cn/jyj.xml"', 'url = "feeds.example.cn/jyj.xml"', "积石山教育.*http\\(s\\) URL"),
    ('selectors = { item = "table.xmt tr", contains = "积石山县卫健", date = "td.last" }', "",
     "积石山县卫健.*needs selectors.item"),
    ('date = "td.last"', 'date = "td[["', "积石山县卫健.*selectors.date.*bad CSS"),
    ('date = "td.last"', 'when = "td.last"', "积石山县卫健.*selectors.when: unknown"),
    ("last_post = 2026-11-20", "", "健康积石山.*needs last_post"),
    ("last_post = 2026-11-20", 'last_post = "上周"', "健康积石山.*last_post: expected YYYY-MM-DD"),
    ('name = "健康积石山"', 'name = "积石山教育"', "listed twice"),
    ("active = false", 'active = "no"', r"accounts\[4\].active: expected true or false"),
])
def test_mistakes_name_the_account(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError, match=expected):
        load_accounts(load_config(write(tmp_path, GOOD.replace(old, new, 1))))
