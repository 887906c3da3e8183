"""Broken configs, kept as cases: each names its problem with the file and line, `zwgk config
check` lists every problem at once, and the shipped config.toml passes with placeholder warnings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import checks
from commands.cli import main
from commands.common import load_config
from zwgk.config import ConfigError, check_config

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
[zwgk]
database = "db.sqlite3"

[crawl]
concurrency_per_host = 2
download_delay = 0.5
timeout = 30
max_response_bytes = 20000000

[network]
nameservers = ["202.100.64.68", "[2001:db8::53]:53"]
dns_timeout = 5
degraded_share = 0.5

[probes]
timeout = 15
concurrency = 4

[media]
timeout = 15
workers = 4

[[sites]]
id = "portal"
name = "门户"
url = "https://www.example.gov.cn/"
unit = "县政府办公室"

[[units]]
name = "县政府办公室"
type = "部门"
email = "bgs@example.gov.cn"
column_prefixes = ["https://www.example.gov.cn/zwgk/bgs/"]

[[accounts]]
name = "积石山发布"
unit = "县政府办公室"
platform = "微信公众号"
source = "manual"
last_post = 2026-11-20

[smtp]
port = 587
tls = "starttls"
from_address = "zwgk@example.gov.cn"

[notify]
admin_email = "admin@example.gov.cn"

[schedule]
timezone = "Asia/Shanghai"
probe = "0 * * * *"

[rules.AVL001]
fail_share = 0.05

[[tasks]]
name = "第26项"
rules = ["LAG001"]
lead_units = ["县政府办公室"]

[assessment]
pass_score = 60
"""

# (old, new, what the problem says, line when it is not the line `new` starts on)
CASES = [
    ("concurrency_per_host = 2", "concurrency_per_host = 0",
     r"crawl\.concurrency_per_host: must be at least 1, got 0 — write e\.g\. concurrency_per_host = 2", None),
    ("concurrency_per_host = 2", "concurrency_per_host = 2.5", r"crawl\.concurrency_per_host: expected an integer", None),
    ("download_delay = 0.5", "download_delay = 1e308", r"crawl\.download_delay: must be at most 60", None),
    ("download_delay = 0.5", "download_delay = -0.5", r"crawl\.download_delay: must not be negative", None),
    ("timeout = 30", "timeout = 0", r"crawl\.timeout: must be more than 0", None),
    ("timeout = 30", "timeout = inf", r"crawl\.timeout: must be a finite number", None),
    ("max_response_bytes = 20000000", "max_response_bytes = 0", r"crawl\.max_response_bytes: must be at least 1", None),
    ("degraded_share = 0.5", "degraded_share = nan", r"network\.degraded_share: must be a finite number, got nan", None),
    ("degraded_share = 0.5", "degraded_share = 1.5", r"network\.degraded_share: must be at most 1", None),
    ("dns_timeout = 5", "dns_timeout = 0", r"network\.dns_timeout: must be more than 0", None),
    ('"202.100.64.68", ', '"dns.example.cn", ', r"network\.nameservers: bad nameserver 'dns\.example\.cn': not an IP", None),
    ('"[2001:db8::53]:53"', '"[2001:db8::53]:70000"', r"bad nameserver '\[2001:db8::53\]:70000': bad port", None),
    ('"[2001:db8::53]:53"', '"[2001:db8::53"', r"bad nameserver .*missing '\]'", None),
    ("concurrency = 4", "concurrency = 0", r"probes\.concurrency: must be at least 1", None),
    ("workers = 4", "workers = 0", r"media\.workers: must be at least 1", None),
    ("fail_share = 0.05", "fail_share = 5", r"rules\.AVL001\.fail_share: must be at most 1, got 5", None),
    ('unit = "县政府办公室"\nplatform', 'unit = "县教育局"\nplatform',
     r"accounts\[1\]\.unit: account '积石山发布': unit '县教育局' is not defined in \[\[units\]\]", None),
    ('platform = "微信公众号"', 'platform = "微信"', r"accounts\[1\]\.platform: .*platform '微信' is not one of", None),
    ('source = "manual"', 'source = "weibo"', r"accounts\[1\]\.source: .*source 'weibo' is not one of", None),
    ("last_post = 2026-11-20", 'last_post = "上周"', r"accounts\[1\]\.last_post: .*expected YYYY-MM-DD", None),
    ('email = "bgs@example.gov.cn"', 'email = "bgs at example"', r"units\[1\]\.email: not an e-mail address", None),
    ('from_address = "zwgk@example.gov.cn"', 'from_address = "县政务公开办"', r"smtp\.from_address: not an e-mail", None),
    ('admin_email = "admin@example.gov.cn"', 'admin_email = "admin@"', r"notify\.admin_email: not an e-mail", None),
    ('column_prefixes = ["https://www.example.gov.cn/zwgk/bgs/"]', 'column_prefixes = ["https://zwgk.other.cn/bgs/"]',
     r"units\[1\]\.column_prefixes: prefix .* on host 'zwgk\.other\.cn', which no \[\[sites\]\] entry covers", None),
    ('name = "门户"', "name = “门户”", r"not valid TOML.*— full-width “ ”", None),
    ("[[units]]", "[units]", r"units: expected \[\[units\]\] tables.*— write \[\[units\]\] \(two brackets\)", None),
    ('[[units]]\nname = "县政府办公室"', '[units]\nname = "县政府办公室"\n[[units]]\nname = "x"',
     r"not valid TOML.*— line 29 writes \[units\] with single brackets.*write \[\[units\]\]", 31),
    ("timeout = 30", "timeout 30", r"not valid TOML.*write key = value", None),
    ('tls = "starttls"', 'tls = "tls"', r"smtp\.tls: expected one of none, starttls, ssl, got 'tls'", None),
    ("port = 587", "port = 70000", r"smtp\.port: must be at most 65535, got 70000", None),
    ("port = 587", "port = 0", r"smtp\.port: must be at least 1", None),
    ('probe = "0 * * * *"', 'probe = "61 * * * *"', r"schedule\.probe: not a valid crontab expression '61 \* \* \* \*'", None),
    ('probe = "0 * * * *"', 'probe = "0 7 * *"', r"schedule\.probe: expected a crontab expression with 5 fields", None),
    ('timezone = "Asia/Shanghai"', 'timezone = "Asia/Beijing"', r"schedule\.timezone: unknown time zone 'Asia/Beijing'", None),
    ('lead_units = ["县政府办公室"]', 'lead_units = ["县长办"]', r"tasks\[1\]\.lead_units: unit '县长办' is not defined", None),
    ("pass_score = 60", "pass_score = 150", r"assessment\.pass_score: must be at most 100", None),
    ("pass_score = 60", "pass_score = 60\n[assessment.points]\nLNK001 = -1",
     r"assessment\.points\.LNK001: expected a number from 0 to 100", 65),
    ("pass_score = 60", "pass_score = 60\n[assessment.caps]\n可访问性 = 20",
     r"not valid TOML.*— a key that is not A-Z, 0-9, _ or - needs double quotes", 65),
    ("pass_score = 60", 'pass_score = 60\n[assessment.caps]\n"可访问性" = 20', r"assessment\.caps\.可访问性: unknown indicator", 65),
]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old,new,expected,line", CASES, ids=[c[1].splitlines()[-1][:40] for c in CASES])
def test_each_broken_config_names_its_problem_and_line(tmp_path: Path, old: str, new: str, expected: str,
                                                       line: int | None) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    want = line or line_of(text, new)
    errors = [p for p in check_config(path, rules=checks.DEFAULTS) if p.level == "error"]
    assert any(p.line == want and re.search(expected, str(p)) for p in errors), [str(p) for p in errors]
    assert all(str(p).startswith(f"{path}:") for p in errors)
    # every other command stops at start-up on the same problem, with file:line
    with pytest.raises(ConfigError, match=re.escape(f"{path}:{want}: ")):
        load_config(path)


def test_the_good_config_has_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert check_config(path, rules=checks.DEFAULTS) == []
    load_config(path)


def test_every_problem_is_listed_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (GOOD.replace("concurrency_per_host = 2", "concurrency_per_host = 0")
            .replace("degraded_share = 0.5", "degraded_share = nan")
            .replace('tls = "starttls"', 'tls = "tls"')
            .replace('email = "bgs@example.gov.cn"', 'email = "bgs"'))
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["config", "check", "--config", str(path)]) == 2
    out = capsys.readouterr().out
    for key in ("crawl.concurrency_per_host", "network.degraded_share", "smtp.tls", "units[1].email"):
        assert re.search(rf"^{re.escape(str(path))}:{line_of(text, key.split('.')[-1].split(']')[-1] + ' =')}: "
                         rf"error: {re.escape(key)}: ", out, re.M), (key, out)
    assert "→ write" in out                      # what to write instead
    assert "4 errors, 0 warnings" in out
    with pytest.raises(ConfigError) as raised:   # the other commands: all of them, in line order
        load_config(path)
    assert len(raised.value.problems) == 4
    assert [p.line for p in raised.value.problems] == sorted(p.line or 0 for p in raised.value.problems)


def test_shipped_config_passes_with_placeholder_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--config", str(ROOT / "config.toml")]) == 0
    out = capsys.readouterr().out
    assert "error:" not in out
    assert re.search(r"config\.toml:\d+: warning: sites\[1\]\.url: placeholder 'FILL IN'", out)
    assert re.search(r"config\.toml: 0 errors, \d+ warnings — OK", out)


def test_placeholders_warn_without_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD.replace('"admin@example.gov.cn"', '"admin@example.invalid"   # FILL IN'), encoding="utf-8")
    assert main(["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:{line_of(GOOD, 'admin_email')}: warning: notify.admin_email: placeholder" in out
    assert main(["config", "check", "--quiet", "--config", str(path)]) == 0
    assert ": warning:" not in capsys.readouterr().out


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_other_commands_stop_at_start_up_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD.replace('tls = "starttls"', 'tls = "tls"'), encoding="utf-8")
    assert main(["rules", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line_of(GOOD, 'tls =')}: smtp.tls: expected one of none, starttls, ssl" in err


def test_a_platform_on_a_host_no_site_covers_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing under such a platform is crawled (its columns are 无法核验), so a warning, not an error."""
    path = tmp_path / "config.toml"
    text = GOOD.replace('column_prefixes = ["https://www.example.gov.cn/zwgk/bgs/"]',
                        'platform = "https://zrzyj.example.gov.cn/col/col1/index.html"')
    path.write_text(text, encoding="utf-8")
    assert main(["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:{line_of(text, 'platform = ')}: warning: units[1].platform:" in out and "zrzyj" in out
    load_config(path)   # loads: a warning stops nothing
    path.write_text(text.replace("zrzyj.example.gov.cn", "www.example.gov.cn"), encoding="utf-8")
    assert main(["config", "check", "--config", str(path)]) == 0
    assert ": warning:" not in capsys.readouterr().out
