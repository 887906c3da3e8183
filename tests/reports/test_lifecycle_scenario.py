"""Four weekly checks through the real check modules and the store: a finding seen, its subject
unobservable (still 未整改, 本次无法核验, first seen kept, no 已整改 anywhere), fixed (已整改),
broken again (a new first seen) — for a broken link and for a 政务新媒体 account; deadlines that
hold across notices, 逾期, and an exemption that hides a finding until it ends."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from checks import REGISTRY, CheckContext, Observations, excluded_by_config, run_checks, verifies
from commands.common import load_config
from reports import build_view, render_html
from reports.lifecycle import State, load_lifecycle, record
from reports.notify import build_notices, record_deadlines, render_notice_html, render_notice_text
from zwgk.records import Exemption, LinkCheck, LinkObs, LinkOutcome as O, PageObs, Severity
from zwgk.records.media import CHINA_TZ, MediaObs, MediaOutcome
from zwgk.store import Store
from zwgk.workdays import WorkdayCalendar

BASE = "http://www.county.test"
CONFIG = f"""
[zwgk]
county = "积石山县"
[[sites]]
id = "portal"
name = "门户"
url = "{BASE}/"
unit = "县政府办公室"
[[units]]
name = "县政府办公室"
type = "部门"
email = "bgs@example.gov.cn"
[[units]]
name = "大河家镇"
type = "乡镇"
email = "dhjz@example.gov.cn"
column_prefixes = ["{BASE}/zwgk/dhjz/"]
[[units]]
name = "县教育局"
type = "部门"
email = "jyj@example.gov.cn"
"""
CHECKS = (date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19), date(2026, 11, 26))
GONE = BASE + "/zwgk/dhjz/gone.html"
SOURCE = BASE + "/zwgk/dhjz/zcwj/t1.html"
FEED = "https://feeds.example.cn/积石山教育.xml"
LNK = ("LNK002", "portal", GONE)
MED = ("MED001", "media", FEED)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def link_checks(run_id: int, day: date, outcome: O, status: int | None) -> list[LinkCheck]:
    if outcome is O.BROKEN:   # two failing checks more than an hour apart: confirmed
        return [LinkCheck(run_id, GONE, outcome, status, None, at(day, 1)),
                LinkCheck(run_id, GONE, outcome, status, None, at(day, 3))]
    return [LinkCheck(run_id, GONE, outcome, status, None, at(day, 1))]


def reading(day: date, outcome: MediaOutcome, idle_days: int | None) -> MediaObs:
    newest = day - timedelta(days=idle_days) if idle_days is not None else None
    return MediaObs("积石山教育", "县教育局", "微信公众号", "rss", FEED, outcome, newest,
                    5 if newest else None, datetime.combine(day, time(9), CHINA_TZ))


# (link outcome, status; account reading) per check
WEEKS = [((O.BROKEN, 404), (MediaOutcome.OK, 30)),       # both defects seen
         ((O.TIMEOUT, None), (MediaOutcome.BLOCKED, None)),  # page unreachable, feed behind a captcha
         ((O.OK, 200), (MediaOutcome.OK, 1)),            # both fixed
         ((O.BROKEN, 404), (MediaOutcome.OK, 20))]       # both broken again


class County:
    def __init__(self, tmp_path: Path) -> None:
        cfg = tmp_path / "config.toml"
        cfg.write_text(CONFIG, encoding="utf-8")
        self.config = load_config(cfg)
        self.store = Store(tmp_path / "zwgk.sqlite3")
        self.history: list[LinkCheck] = []
        self.media: list[MediaObs] = []
        self.calendar = WorkdayCalendar()

    def check(self, week: int, exemptions: tuple[Exemption, ...] = ()) -> Any:
        day = CHECKS[week]
        (outcome, status), (media_outcome, idle) = WEEKS[week]
        crawl = self.store.start_run("crawl", day)
        self.store.finish_run(crawl, "complete")
        self.history += link_checks(crawl, day, outcome, status)
        self.media.append(reading(day, media_outcome, idle))
        pages = tuple(PageObs(crawl, "portal", url, kind, None, 200, "utf-8", False, "t", None, None, 0, False,
                              None, 0, at(day, 1)) for url, kind in ((BASE + "/", "home"), (SOURCE, "detail")))
        obs = Observations(run_id=crawl, sites=self.config.sites, units=self.config.units, pages=pages,
                           links=(LinkObs(crawl, "portal", SOURCE, GONE, "a", "附件", True),),
                           link_checks=tuple(self.history), media=tuple(self.media))
        ctx = CheckContext(as_of=day, calendar=self.calendar)
        findings = list(run_checks(obs, self.config.rules, ctx))
        run = self.store.start_run("check", day, crawl_run_id=crawl)
        for e in exemptions:
            self.store.add_exemption(e)
        record(self.store, run, day, findings, ctx.unverified, lambda f: verifies(obs, f),
               excluded=excluded_by_config(self.config.sites))
        self.store.finish_run(run, "complete", {"check_number": self.store.check_number(run)})
        self.run = self.store.run(run)
        return load_lifecycle(self.store, self.run)

    def notices(self, lifecycle: Any) -> dict[str, Any]:
        views, _ = build_notices(lifecycle=lifecycle, units=self.config.units, county="积石山县",
                                 check_run_id=self.run.id, as_of=self.run.as_of, calendar=self.calendar,
                                 deadline_working_days=10, sender_org="县政务公开办公室", rules=REGISTRY,
                                 check_number=self.store.check_number(self.run.id))
        for view in views:
            record_deadlines(self.store, view, at(self.run.as_of, 2))
        return {v.unit: v for v in views}

    def report(self, lifecycle: Any) -> str:
        findings = self.store.findings(self.run.id)
        view = build_view(config=self.config, as_of=self.run.as_of, findings=findings, check_run=self.run,
                          crawl_run=None, rules=REGISTRY, lifecycle=lifecycle, calendar=self.calendar,
                          unverified=self.store.unverified(self.run.id), exemptions=self.store.exemptions(),
                          appeals=self.store.appeals())
        return render_html(view)


def state(lifecycle: Any, key: tuple[str, str, str]) -> Any:
    return lifecycle.state_of(key)


def test_unobservable_is_never_resolved_and_a_return_is_new(tmp_path: Path) -> None:
    county = County(tmp_path)
    lc1 = county.check(0)
    for key in (LNK, MED):
        t = state(lc1, key)
        assert (t.state, t.first_seen, t.unverifiable) == (State.NEW, CHECKS[0], False), key
    county.notices(lc1)

    lc2 = county.check(1)                    # the page times out, the feed shows a captcha
    for key in (LNK, MED):
        t = state(lc2, key)
        assert (t.state, t.first_seen, t.unverifiable) == (State.STILL_OPEN, CHECKS[0], True), key
        assert t.deadline == county.calendar.add_workdays(CHECKS[0], 10)
    assert not [f for f in lc2.resolved if f.key() in (LNK, MED)]
    html = county.report(lc2)
    notices = county.notices(lc2)
    assert "已整改" not in html and "本次无法核验" in html
    for unit in ("大河家镇", "县教育局"):
        text = render_notice_text(notices[unit]) + render_notice_html(notices[unit])
        assert "本次无法核验" in text and "视为已整改" not in text and "确认已整改" not in text
    unverified = county.store.unverified(county.run.id)
    assert any(u.subject == GONE and u.unit == "大河家镇" and u.reason == "访问超时" for u in unverified)

    lc3 = county.check(2)                    # both observed again, both fixed
    assert {LNK, MED} <= {f.key() for f in lc3.resolved}
    assert state(lc3, LNK) is None and "已整改" in county.report(lc3)

    lc4 = county.check(3)                    # both broken again: new, with a new first seen
    for key in (LNK, MED):
        t = state(lc4, key)
        assert (t.state, t.first_seen, t.deadline) == (State.NEW, CHECKS[3], None), key


def test_a_deadline_holds_across_three_notices_and_overdue_is_counted(tmp_path: Path) -> None:
    county = County(tmp_path)
    # the link stays broken in every check
    WEEKS_BROKEN = [((O.BROKEN, 404), (MediaOutcome.OK, 30))] * 4
    global WEEKS
    saved, WEEKS = WEEKS, WEEKS_BROKEN
    try:
        deadlines = []
        for week in range(3):
            lc = county.check(week)
            notice = county.notices(lc)["大河家镇"]
            (item,) = [i for i in notice.own if i.key == LNK]
            deadlines.append(item.deadline_text)
        assert deadlines == ["2026年11月19日"] * 3       # 10 working days after 11-05, never moved
        lc = county.check(3)
        notice = county.notices(lc)["大河家镇"]
        (item,) = [i for i in notice.own if i.key == LNK]
        assert item.overdue_days == 5 and notice.subject.startswith("督办通知")
        assert "逾期 5 个工作日" in render_notice_text(notice)
        html = county.report(lc)
        assert html.index("逾期未整改") < html.index("一、总体结论") and "5 个工作日" in html
        from reports.export import render_csv, table_from_store
        table = table_from_store(county.config, county.store, None)
        rows = {r.name: r for r in table.rows if r.kind == "unit"}
        assert rows["大河家镇"].overdue >= 1 and rows["县政府办公室"].overdue is not None
        assert "逾期未整改" in render_csv(table).splitlines()[0]
    finally:
        WEEKS = saved


def test_an_exemption_hides_a_finding_until_it_ends(tmp_path: Path) -> None:
    county = County(tmp_path)
    county.check(0)
    exemption = Exemption("LNK002", GONE, "栏目已按规定撤销，页面下线", "admin",
                          at(CHECKS[1], 0), until=CHECKS[2])
    global WEEKS
    saved, WEEKS = WEEKS, [((O.BROKEN, 404), (MediaOutcome.OK, 30))] * 4
    try:
        lc = county.check(1, (exemption,))
        t = state(lc, LNK)
        assert t.state is State.EXEMPT and t not in lc.open
        assert not [i for v in county.notices(lc).values() for i in v.items if i.key == LNK]
        html = county.report(lc)
        assert "已豁免的问题" in html and "栏目已按规定撤销" in html
        assert state(county.check(2), LNK).state is State.EXEMPT     # until is inclusive
        back = state(county.check(3), LNK)
        assert (back.state, back.first_seen) == (State.STILL_OPEN, CHECKS[0])
    finally:
        WEEKS = saved


def test_exempt_command_adds_lists_and_removes(tmp_path: Path, capsys: Any) -> None:
    from commands.cli import main

    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG + '\n', encoding="utf-8")
    args = ["--config", str(cfg)]
    assert main(["exempt", "LNK002", GONE, "--reason", "栏目已撤销", "--until", "2026-12-31", "--by", "张三",
                 *args]) == 0
    assert main(["exempt", "LNK002", GONE, *args]) == 2            # no reason
    assert main(["exempt", "XXX999", GONE, "--reason", "r", *args]) == 2
    capsys.readouterr()
    assert main(["exempt", "--list", "--json", *args]) == 0
    (row,) = __import__("json").loads(capsys.readouterr().out)
    assert (row["rule"], row["subject"], row["until"], row["by"], row["reason"]) == \
        ("LNK002", GONE, "2026-12-31", "张三", "栏目已撤销")
    assert main(["exempt", "--remove", "LNK002", GONE, *args]) == 0
    capsys.readouterr()
    main(["exempt", "--list", "--json", *args])
    assert __import__("json").loads(capsys.readouterr().out) == []


def test_a_probe_gap_keeps_an_availability_veto_open(tmp_path: Path) -> None:
    from checks import availability
    from zwgk.records import Finding

    config = County(tmp_path).config
    site = config.sites[0]
    veto = Finding("AVL001", Severity.VETO, site.id, site.unit, None, site.url, "首页无法访问 6%", {}, CHECKS[0])
    with Store(tmp_path / "gap.sqlite3") as store:
        first = store.start_run("check", CHECKS[0])
        record(store, first, CHECKS[0], [veto])
        store.finish_run(first, "complete")
        # a week without probe rounds: the check says so for the site, it does not clear the veto
        obs = Observations(run_id=0, sites=config.sites, units=config.units)
        ctx = CheckContext(as_of=CHECKS[1], calendar=WorkdayCalendar())
        assert list(availability.check(obs, dict(availability.DEFAULTS), ctx)) == []
        second = store.start_run("check", CHECKS[1])
        record(store, second, CHECKS[1], [], ctx.unverified, lambda f: True)
        store.finish_run(second, "complete")
        lc = load_lifecycle(store, store.run(second))
    t = lc.state_of(veto.key())
    assert (t.state, t.first_seen, t.unverifiable, lc.resolved) == (State.STILL_OPEN, CHECKS[0], True, ())


def test_timezone_is_validated_and_used_for_times_people_read(tmp_path: Path) -> None:
    import pytest

    from reports import local_text
    from zwgk.config import ConfigError

    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG.replace('county = "积石山县"', 'county = "积石山县"\ntimezone = "Mars/Olympus"'),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match="zwgk.timezone"):
        load_config(cfg)
    config = County(tmp_path).config
    assert config.timezone == "Asia/Shanghai"
    assert local_text(datetime(2026, 11, 26, 14, 11, tzinfo=timezone.utc), config.tz) == "2026-11-26 22:11（北京时间）"
    ctx = CheckContext(as_of=CHECKS[0], calendar=WorkdayCalendar())
    assert f"{ctx.local(datetime(2026, 11, 26, 2, 3, tzinfo=timezone.utc)):%m-%d %H:%M}" == "11-26 10:03"
