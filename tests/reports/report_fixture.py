"""A fixed inspection (config, runs, findings) for the report's golden and rendering tests."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from checks import REGISTRY
from reports import TrendPoint, build_view, render_html
from reports.lifecycle import CheckSnapshot, track
from commands.common import load_config
from zwgk.records import Finding, Severity, Unverified
from zwgk.store import Run
from zwgk.workdays import WorkdayCalendar

AS_OF = date(2026, 11, 26)
CONFIG = """
[zwgk]
county = "积石山县"
[[sites]]
id = "portal"
name = "积石山县人民政府门户网站"
url = "https://www.jishishan.gov.cn/"
unit = "县政府办公室"
[[units]]
name = "县政府办公室"
type = "部门"
[[units]]
name = "大河家镇"
type = "乡镇"
column_prefixes = ["https://www.jishishan.gov.cn/zwgk/dhjz/"]
"""
EVIL = "关于<script>document.title='pwned'</script>的通知"


def findings() -> list[Finding]:
    return [
        Finding("LAG001", Severity.DEDUCTION, "portal", "大河家镇", None,
                "https://www.jishishan.gov.cn/zwgk/dhjz/zcwj/t20261102_1.html",
                f"《{EVIL}》成文于2026年09月28日，2026年11月02日才公开，用时21个工作日。",
                {"working_days": 21}, AS_OF),
        Finding("UPD001", Severity.VETO, "portal", "县政府办公室", None, "https://www.jishishan.gov.cn/",
                "积石山县人民政府门户网站首页已20天未更新。", {}, AS_OF),
        Finding("LAG003", Severity.NOTICE, "portal", "大河家镇", None,
                "https://www.jishishan.gov.cn/zwgk/dhjz/tzgg/t1.html", "发布日期早于成文日期，请核实。", {}, AS_OF),
    ]


def view(tmp_path: Path) -> Any:
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    config = load_config(cfg)
    current = findings()
    earlier = CheckSnapshot(1, date(2026, 11, 19), (current[1],))
    lifecycle = track([earlier, CheckSnapshot(2, AS_OF, tuple(current))])
    # The homepage finding was notified on 11-19 with a deadline of 11-24: overdue by 2 working days.
    lifecycle = replace(lifecycle, open=tuple(
        replace(t, deadline=date(2026, 11, 24)) if t.finding.rule == "UPD001" else t for t in lifecycle.open))
    unverified = [Unverified("LNK002", "portal", "大河家镇", "https://x/a", "待复核", "https://x/a 待复核",
                             date(2026, 11, 26), date(2026, 11, 26)),
                  Unverified("LNK002", "portal", "大河家镇", "https://x/b", "访问超时",
                             "https://x/b: 访问超时，未判定", date(2026, 11, 19), date(2026, 11, 26))]
    started = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    crawl = Run(5, "crawl", AS_OF, started, started, "complete", None,
                {"responses": 812, "columns": 64, "network_errors": 3})
    check = Run(6, "check", AS_OF, started, started, "complete", 5, {"check_number": 2})
    return build_view(config=config, as_of=AS_OF, findings=current, check_run=check, crawl_run=crawl,
                      rules=REGISTRY, lifecycle=lifecycle,
                      trend=[TrendPoint(1, date(2026, 11, 19), 1), TrendPoint(2, AS_OF, 3)],
                      calendar=WorkdayCalendar(), deadline_days=10, unverified=unverified,
                      generated_at=datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc))


def render(tmp_path: Path) -> str:
    return render_html(view(tmp_path))
