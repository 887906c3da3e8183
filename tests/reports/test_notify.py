"""整改通知: lifecycle, golden notices, header injection, and the e-mail round trip through the outbox."""
from __future__ import annotations

import json
import smtplib
from dataclasses import replace
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from reports.lifecycle import CheckSnapshot, State, load_lifecycle, record, track
from reports.notify import (Outbox, build_notices, compose, message_id, notify, one_line, render_notice_html,
                            render_notice_text)
from zwgk.config import ConfigError
from commands.common import load_config
from zwgk.records import Finding, Severity, Unit
from zwgk.store import Store
from testbed.smtp import ADMIN, Component
from zwgk.workdays import WorkdayCalendar

GOLDEN = Path(__file__).parent / "golden"
BASE = "http://www.county.test"
EVIL_UNIT = "大河家镇\r\nBcc: x@evil.example"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
RUN1, RUN2 = date(2026, 11, 12), date(2026, 11, 26)


def finding(rule: str, unit: str | None, url: str | None, message: str, *, column: str | None = None,
            severity: Severity = Severity.DEDUCTION, as_of: date = RUN2, evidence: dict | None = None) -> Finding:
    return Finding(rule, severity, "portal", unit, column, url, message, evidence or {}, as_of)


def history() -> list[CheckSnapshot]:
    """Two check runs: one finding resolved, one still open, two new, for two units."""
    late = finding("LAG001", "县政府办公室", BASE + "/zwgk/bgs/t1.html",
                   "《关于<script>alert(1)</script>的通知》成文于2026年09月28日，2026年11月02日才公开，用时21个工作日，"
                   "超过20个工作日的时限（应于2026年10月30日前公开）。",
                   evidence={"pub_date": "2026-11-02", "working_days": 21})
    broken = finding("LNK002", "县政府办公室", "javascript:alert(1)",
                     "链接“<img src=x onerror=alert(1)>”无法访问（404）。")
    empty = finding("UPD005", EVIL_UNIT, None, "栏目“通知公告”为空白栏目。", column=BASE + "/zwgk/dhjz/tzgg/")
    fixed = finding("UPD005", "县政府办公室", None, "栏目“规划计划”为空白栏目。", column=BASE + "/zwgk/bgs/ghjh/",
                    as_of=RUN1)
    veto = finding("COL001", EVIL_UNIT, None, "缺少一级栏目“政府信息公开年报”。", severity=Severity.VETO,
                   column=BASE + "/zwgk/dhjz/")
    stray = finding("LAG002", None, BASE + "/x.html", "无法确定形成日期。", severity=Severity.NOTICE)
    first = (late, fixed)
    return [CheckSnapshot(1, RUN1, tuple(replace(f, as_of=RUN1) for f in first)),
            CheckSnapshot(2, RUN2, (late, broken, empty, veto, stray))]


# Titles fixed here, not read from checks/: the golden files must not change when a check is added.
RULES = {rid: SimpleNamespace(TITLE=title) for rid, title in (
    ("COL001", "政府信息公开平台栏目不全"), ("UPD005", "空白栏目"), ("LAG001", "公开超时"), ("LNK002", "其他页面不可用链接"))}
UNITS = (Unit("县政府办公室", "部门", "bgs@example.gov.cn"), Unit(EVIL_UNIT, "乡镇", "dhjz@example.gov.cn"),
         Unit("县教育局", "部门", "jyj@example.gov.cn"))


def views() -> tuple[list[Any], list[Any]]:
    return build_notices(lifecycle=track(history()), units=UNITS, county="积石山县", check_run_id=2, as_of=RUN2,
                         calendar=WorkdayCalendar(), deadline_working_days=10, sender_org="县政务公开办公室",
                         rules=RULES)


def golden_outputs() -> dict[str, str]:
    """Every golden file of the notices: tools/regen_golden.py writes these, the tests compare."""
    notices, _ = views()
    out = {}
    for i, view in enumerate(notices, 1):
        out[f"notice-{i}.html"] = render_notice_html(view)
        out[f"notice-{i}.txt"] = render_notice_text(view)
    return out


# -- lifecycle ---------------------------------------------------------------------------------------
def test_lifecycle_new_still_open_resolved_and_first_seen() -> None:
    lc = track(history())
    states = {t.finding.rule + (t.finding.unit or ""): (t.state, t.first_seen) for t in lc.open}
    assert states["LAG001县政府办公室"] == (State.STILL_OPEN, RUN1)
    assert states["LNK002县政府办公室"] == (State.NEW, RUN2)
    assert [f.column for f in lc.resolved] == [BASE + "/zwgk/bgs/ghjh/"]
    assert lc.counts() == {"new": 4, "still_open": 1, "unverifiable": 0, "resolved": 1, "exempt": 0,
                           "appeal": 0}


def test_lifecycle_a_finding_that_came_back_is_new_again() -> None:
    f = finding("LNK002", "县政府办公室", BASE + "/a.html", "坏链")
    snaps = [CheckSnapshot(1, date(2026, 10, 1), (f,)), CheckSnapshot(2, date(2026, 10, 8), ()),
             CheckSnapshot(3, date(2026, 10, 15), (f,)), CheckSnapshot(4, date(2026, 10, 22), (f,))]
    (t,) = track(snaps).open
    assert (t.state, t.first_seen, t.days_open(date(2026, 10, 22))) == \
        (State.STILL_OPEN, date(2026, 10, 15), 7)
    assert track(snaps[:3]).open[0].state is State.NEW
    assert track([]).open == ()


def test_lifecycle_an_unobserved_subject_stays_open_never_resolved() -> None:
    f = finding("LNK002", "县政府办公室", BASE + "/a.html", "坏链")
    snaps = [CheckSnapshot(1, date(2026, 10, 1), (f,)),
             CheckSnapshot(2, date(2026, 10, 8), (), observed=lambda f: False),
             CheckSnapshot(3, date(2026, 10, 15), (f,))]
    lc = track(snaps[:2])
    (t,) = lc.open
    assert (t.state, t.first_seen, t.unverifiable, lc.resolved) == (State.STILL_OPEN, date(2026, 10, 1), True, ())
    (t,) = track(snaps).open
    assert (t.state, t.first_seen, t.unverifiable) == (State.STILL_OPEN, date(2026, 10, 1), False)


def test_load_lifecycle_of_a_run_without_states_is_all_new(tmp_path: Path) -> None:
    f = finding("LNK002", "县政府办公室", BASE + "/a.html", "坏链")
    with Store(tmp_path / "db.sqlite3") as store:
        run = store.start_run("check", date(2026, 10, 15))
        store.add_findings(run, [f])
        store.finish_run(run, "complete")
        lc = load_lifecycle(store, store.run(run))
    assert [(t.state, t.first_seen) for t in lc.open] == [(State.NEW, date(2026, 10, 15))]


# -- the notices -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(golden_outputs()))
def test_notice_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert golden_outputs()[name] == expected, f"run tools/regen_golden.py if the change is intended ({name})"


def test_notices_go_one_per_unit_with_deadline_and_unassigned_skipped() -> None:
    notices, skipped = views()
    assert [n.unit for n in notices] == ["县政府办公室", "大河家镇 Bcc: x@evil.example"]
    assert notices[0].deadline == date(2026, 12, 10)          # 10 working days after Thu 2026-11-26
    assert [i.rule for i in notices[1].items] == ["COL001", "UPD005"]   # 单项否决 first
    assert [(s.unit, s.findings) for s in skipped] == [("（未归属单位）", 1)]


def test_untrusted_text_stays_inert_in_html_and_text() -> None:
    notices, _ = views()
    html = render_notice_html(notices[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript' not in html           # a non-http(s) URL is shown, never linked
    text = render_notice_text(notices[0])
    assert "&lt;" not in text and "<script>" in text   # plain text is not HTML-escaped
    assert "\r" not in render_notice_text(notices[1]) and "Bcc: x@evil" in render_notice_text(notices[1])


def test_message_headers_cannot_be_injected_and_subject_is_encoded() -> None:
    notices, _ = views()
    view = notices[1]
    msg = compose(view, sender="zwgk@example.gov.cn", sender_name="县政务公开办公室\nBcc: y@evil.example",
                  admin=ADMIN, msgid=message_id(2, view.unit, RUN2, "zwgk@example.gov.cn"), now=NOW)
    raw = msg.as_bytes(policy=policy.SMTP)
    assert raw.isascii()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in head.split(b"\r\n"))
    back = message_from_bytes(raw, policy=policy.default)
    assert back["Subject"].startswith("整改通知：大河家镇 Bcc: x@evil.example政府网站")
    assert back["To"].addresses[0].addr_spec == "dhjz@example.gov.cn"
    assert back["Cc"].addresses[0].addr_spec == ADMIN
    assert back["Bcc"] is None
    assert back["Message-ID"] == message_id(2, view.unit, RUN2, "zwgk@example.gov.cn")
    assert "COL001" in back.get_body(("plain",)).get_content()
    assert one_line("a\r\nb\u2028c") == "a b c"


# -- the outbox against the testbed's SMTP server ------------------------------------------------------
@pytest.fixture
def smtp() -> Iterator[Component]:
    with Component() as server:
        yield server


def write_config(tmp_path: Path, smtp: Component, extra: str = "") -> Path:
    text = "\n".join([
        "[zwgk]", 'database = "db.sqlite3"', 'report_dir = "out"', 'county = "积石山县"', "",
        "[[sites]]", 'id = "portal"', 'name = "门户"', f'url = "{BASE}/"', 'unit = "县政府办公室"', "",
        "[[units]]", 'name = "县政府办公室"', 'type = "部门"', 'email = "bgs@example.gov.cn"', "",
        "[[units]]", 'name = "大河家镇"', 'type = "乡镇"', 'email = "dhjz@example.gov.cn"', "",
        "[[units]]", 'name = "县教育局"', 'type = "部门"', 'email = "jyj@example.gov.cn"', "",
        smtp.config_toml(), extra])
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def add_check_run(config: Any, as_of: date, findings: list[Finding]) -> int:
    with Store(config.database) as store:
        run = store.start_run("check", as_of)
        record(store, run, as_of, findings)
        store.finish_run(run, "complete")
    return run


def round_trip_findings() -> list[Finding]:
    return [finding("LAG001", "县政府办公室", BASE + "/zwgk/bgs/t1.html", "《甲文件》公开超时。"),
            finding("LNK002", "县政府办公室", BASE + "/zwgk/bgs/broken.html", "链接无法访问（404）。"),
            finding("UPD005", "大河家镇", None, "栏目“通知公告”为空白栏目。", column=BASE + "/zwgk/dhjz/tzgg/")]


def bodies(received: Any) -> str:
    return received.message.get_body(("plain",)).get_content()


def test_each_unit_with_findings_gets_exactly_one_notice(tmp_path: Path, smtp: Component) -> None:
    config = load_config(write_config(tmp_path, smtp))
    add_check_run(config, RUN2, round_trip_findings())
    summary = notify(config, now=NOW)
    assert (summary["queued"], summary["sent"], summary["waiting"], summary["errors"]) == (2, 2, 0, [])
    got = {m.message["To"].addresses[0].addr_spec: m for m in smtp.messages}
    assert sorted(got) == ["bgs@example.gov.cn", "dhjz@example.gov.cn"]
    assert all(set(m.rcpt_tos) == {m.message["To"].addresses[0].addr_spec, ADMIN} for m in smtp.messages)
    assert "《甲文件》公开超时" in bodies(got["bgs@example.gov.cn"])
    assert "链接无法访问" in bodies(got["bgs@example.gov.cn"])
    assert "空白栏目" in bodies(got["dhjz@example.gov.cn"]) and "甲文件" not in bodies(got["dhjz@example.gov.cn"])
    assert got["bgs@example.gov.cn"].message["Subject"].startswith("整改通知：县政府办公室")
    # Running again sends nothing: one notice per (unit, check run).
    again = notify(config, now=NOW)
    assert (again["queued"], again["sent"]) == (0, 0) and len(smtp.messages) == 2
    with Store(config.database) as store:
        log = Outbox(store).log()
    sent = [r for r in log if r["event"] == "sent"]
    assert len(sent) == 2 and json.loads(sent[0]["recipients"])[1] == ADMIN


def test_with_the_server_down_notices_wait_and_go_out_exactly_once(tmp_path: Path, smtp: Component) -> None:
    config = load_config(write_config(tmp_path, smtp))
    add_check_run(config, RUN2, round_trip_findings())
    smtp.stop_server()
    down = notify(config, now=NOW)
    assert (down["queued"], down["sent"], down["waiting"]) == (2, 0, 2)
    assert down["errors"] and "connect" in down["errors"][0]
    down2 = notify(config, now=NOW)
    assert (down2["queued"], down2["sent"], down2["waiting"]) == (0, 0, 2)
    with Store(config.database) as store:
        rows = Outbox(store).rows("queued")
    assert [r["attempts"] for r in rows] == [2, 2] and all(r["last_error"] for r in rows)
    smtp.start_server()
    up = notify(config, now=NOW)
    assert (up["sent"], up["waiting"], up["errors"]) == (2, 0, [])
    assert notify(config, now=NOW)["sent"] == 0
    assert len(smtp.messages) == 2
    assert len({m.message["Message-ID"] for m in smtp.messages}) == 2


def test_a_newer_check_run_supersedes_notices_still_waiting(tmp_path: Path, smtp: Component) -> None:
    config = load_config(write_config(tmp_path, smtp))
    add_check_run(config, date(2026, 11, 19), round_trip_findings())
    smtp.stop_server()
    notify(config, now=NOW)
    add_check_run(config, RUN2, round_trip_findings()[:1])
    smtp.start_server()
    summary = notify(config, now=NOW)
    assert summary["sent"] == 1 and summary["lifecycle"] == {"new": 0, "still_open": 1, "unverifiable": 0,
                                                     "resolved": 2, "exempt": 0, "appeal": 0}
    (only,) = smtp.messages
    assert only.message["To"].addresses[0].addr_spec == "bgs@example.gov.cn"
    assert "首次发现：2026年11月19日，已持续 7 天" in bodies(only)
    assert "已整改事项" in bodies(only)


class _BreaksDuringData:
    """An SMTP connection that takes MAIL and RCPT and then loses the line during DATA."""

    def ehlo_or_helo_if_needed(self) -> None: ...
    def mail(self, sender: str) -> tuple[int, bytes]: return 250, b"ok"
    def rcpt(self, rcpt: str) -> tuple[int, bytes]: return 250, b"ok"
    def rset(self) -> None: ...
    def quit(self) -> None: ...

    def data(self, data: bytes) -> tuple[int, bytes]:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_send_in_doubt_is_not_repeated_until_requeued(tmp_path: Path, smtp: Component) -> None:
    config = load_config(write_config(tmp_path, smtp))
    add_check_run(config, RUN2, round_trip_findings())
    doubt = notify(config, now=NOW, connect=lambda conf, pw: _BreaksDuringData())
    assert doubt["uncertain"] == 1 and doubt["sent"] == 0
    assert notify(config, now=NOW)["sent"] == 1      # the other one; the uncertain one is left alone
    assert len(smtp.messages) == 1
    with Store(config.database) as store:
        (row,) = Outbox(store).rows("sending")
        events = [r["event"] for r in Outbox(store).log() if r["outbox_id"] == row["id"]]
    assert events == ["queued", "attempt", "uncertain"]
    again = notify(config, now=NOW, requeue_uncertain=True)
    assert again["sent"] == 1 and again["uncertain"] == 0 and len(smtp.messages) == 2


def test_rate_limit_spaces_the_messages(tmp_path: Path, smtp: Component) -> None:
    path = write_config(tmp_path, smtp)
    path.write_text(path.read_text(encoding="utf-8").replace("rate_per_minute = 0", "rate_per_minute = 2"),
                    encoding="utf-8")
    config = load_config(path)
    add_check_run(config, RUN2, round_trip_findings())
    waits: list[float] = []
    assert notify(config, now=NOW, sleep=waits.append)["sent"] == 2
    assert len(waits) == 1 and 29 < waits[0] <= 30


def test_password_comes_from_the_environment_and_is_never_shown(tmp_path: Path, smtp: Component,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, smtp)
    path.write_text(path.read_text(encoding="utf-8").replace('tls = "none"', 'tls = "none"\nuser = "zwgk"\n'
                                                             'password_env = "ZWGK_TEST_SMTP_PW"'),
                    encoding="utf-8")
    config = load_config(path)
    add_check_run(config, RUN2, round_trip_findings())
    monkeypatch.delenv("ZWGK_TEST_SMTP_PW", raising=False)
    missing = notify(config, now=NOW)
    assert missing["waiting"] == 2 and "ZWGK_TEST_SMTP_PW" in missing["errors"][0]
    monkeypatch.setenv("ZWGK_TEST_SMTP_PW", "s3cret-Pw!")
    seen: list[str | None] = []

    def refuse(conf: Any, password: str | None) -> Any:
        seen.append(password)
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 authentication failed")

    failed = notify(config, now=NOW, connect=refuse)
    assert seen == ["s3cret-Pw!"]
    assert "s3cret" not in json.dumps(failed, ensure_ascii=False)
    with Store(config.database) as store:
        dump = json.dumps([dict(r) for r in Outbox(store).log()], ensure_ascii=False, default=str)
    assert "s3cret" not in dump


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path: Path, smtp: Component) -> None:
    from commands.cli import main

    path = write_config(tmp_path, smtp)
    config = load_config(path)
    add_check_run(config, RUN2, round_trip_findings())
    out = tmp_path / "eml"
    assert main(["notify", "--config", str(path), "--dry-run", "--out", str(out), "--json"]) == 0
    files = sorted(out.glob("*.eml"))
    assert len(files) == 2
    msg = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Subject"].startswith("整改通知：")
    assert smtp.messages == []
    with Store(config.database) as store:
        assert Outbox(store).rows() == []


def test_bad_tls_mode_is_a_config_error(tmp_path: Path, smtp: Component) -> None:
    path = write_config(tmp_path, smtp)
    path.write_text(path.read_text(encoding="utf-8").replace('tls = "none"', 'tls = "tls"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="smtp.tls"):
        notify(load_config(path), now=NOW)


def test_testbed_inspection_notifies_each_unit_once(testbed: Any, inspected_copy: Path) -> None:
    """The whole way: the simulated county crawled and checked (a copy of the session's
    inspection), then `zwgk notify` to the testbed's SMTP server."""
    from commands.cli import main

    server = next(c for c in testbed.components if isinstance(c, Component))
    config_file = inspected_copy
    config = load_config(config_file)
    with Store(config.database) as store:
        findings = store.findings(store.latest_run("check").id)
    from checks import REGISTRY

    expected = {}
    for f in findings:
        if getattr(REGISTRY[f.rule], "NOTIFY", True) is False:
            continue     # MED002 无法核验: in the report, never in a 整改通知
        if f.unit:
            expected[config.unit(f.unit).email] = expected.get(config.unit(f.unit).email, 0) + 1
        for task in config.array("tasks"):     # a 方案 task's findings also go to its 牵头单位
            for lead in task["lead_units"]:
                if f.rule in task["rules"] and lead != f.unit:
                    expected[config.unit(lead).email] = expected.get(config.unit(lead).email, 0) + 1
    before = len(server.messages)
    assert main(["notify", "--config", str(config_file)]) == 0
    assert main(["notify", "--config", str(config_file)]) == 0     # nothing twice
    got = server.messages[before:]
    to = [m.message["To"].addresses[0].addr_spec for m in got]
    assert sorted(to) == sorted(expected) and len(to) == len(set(to))
    for m in got:
        text = bodies(m)
        listed = sum(1 for line in text.splitlines() if line.startswith("   问题："))
        assert listed == expected[m.message["To"].addresses[0].addr_spec]
        assert ADMIN in m.rcpt_tos
