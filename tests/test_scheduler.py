"""`zwgk schedule` / `zwgk status`: the real scheduler as a subprocess against the testbed,
plus unit tests of the [schedule] specs, the lock and the last-run mark."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest

import scheduler
from zwgk.config import ConfigError
from commands.common import load_config
from zwgk.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every wait for a state of the real scheduler gives up only after this many seconds: a ceiling
# against hangs, never a claim about how fast a crawl is (the testbed crawl takes 15-45 s).
CEILING = 600

MINIMAL = """
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
"""


# -- helpers -----------------------------------------------------------------------------

def toml(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def available() -> set[str]:
    return scheduler.available_commands()


def schedule_config(testbed_config: Path, directory: Path, name: str = "config.toml", **keys: Any) -> Path:
    """The testbed's config with a [schedule] of second-level intervals; database in `directory`."""
    base = {"media": "off", "notify": "off", "probe": "off", "heartbeat": 0.5, "lock_stale_after": 5,
            "misfire_grace_time": 600, "log_file": "scheduler.log", "stop_grace": 2}
    base.update(keys)
    text = testbed_config.read_text(encoding="utf-8")
    text += "\n[schedule]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in base.items())
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def start(config: Path, *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    err = open(config.parent / f"stderr-{time.monotonic_ns()}.txt", "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "commands.cli", "schedule", "--config", str(config), *extra],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err, text=True)
    proc.stderr_path = Path(err.name)  # type: ignore[attr-defined]
    err.close()
    return proc


def rows(db: Path, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, args)]
    except sqlite3.OperationalError:        # tables not created yet
        return []


def history(db: Path, job: str | None = None) -> list[dict[str, Any]]:
    if job:
        return rows(db, "SELECT * FROM schedule_history WHERE job_id=? ORDER BY id", (job,))
    return rows(db, "SELECT * FROM schedule_history ORDER BY id")


def lock_pid(db: Path) -> int | None:
    got = rows(db, "SELECT pid FROM schedule_lock")
    return got[0]["pid"] if got else None


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def stop(proc: subprocess.Popen[str], timeout: float = CEILING) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def reap(db: Path, *procs: subprocess.Popen[str]) -> None:
    """Kills what a failed test would leave: the schedulers, then their jobs' process groups
    (each job runs in a session of its own, child_pid its leader)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    for row in history(db):
        if row["child_pid"] and pid_alive(row["child_pid"]):
            try:
                os.killpg(row["child_pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass


def slot(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["slot"])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- the real scheduler against the testbed ----------------------------------------------

def test_runs_the_jobs_and_survives_kill_9(testbed_config: Path, tmp_path: Path) -> None:
    have = available()
    # Commands of components not installed yet are skipped: prove the skip when absent.
    probe = "every 5s"
    notify = "off" if "notify" in have else "every 2s"   # no mail server for the testbed: never send
    config = schedule_config(testbed_config, tmp_path, inspect="every 6s", report="every 2s",
                             probe=probe, notify=notify)
    db, log = tmp_path / "zwgk.sqlite3", tmp_path / "scheduler.log"
    a = start(config)
    procs = [a]
    try:
        def inspected_and_reported() -> bool:
            ok = [r for r in history(db, "inspect") if r["status"] == "ok"]
            return bool(ok) and any(r["status"] == "ok" and r["started_at"] > ok[0]["ended_at"]
                                    for r in history(db, "report"))
        wait_for(inspected_and_reported, CEILING, "a crawl + check and then a report", log)
        inspect_ok = next(r for r in history(db, "inspect") if r["status"] == "ok")
        steps = json.loads(inspect_ok["summary"])["steps"]
        assert [s["command"] for s in steps] == ["crawl", "check"]
        assert steps[0]["summary"]["steps"][0]["status"] == "complete"
        assert steps[0]["summary"]["steps"][0]["counts"]["pages"] > 100
        assert steps[1]["summary"]["steps"][0]["counts"]["findings"] > 0
        # the scheduled `zwgk report` keeps history: a dated folder, index.html and latest.html
        assert list((tmp_path / "report").glob("*-check-*/report.html"))
        assert (tmp_path / "report" / "index.html").exists() and (tmp_path / "report" / "latest.html").exists()
        assert rows(db, "SELECT count(*) AS n FROM runs WHERE kind='crawl' AND status='complete'")[0]["n"] >= 1
        text = log.read_text(encoding="utf-8")
        for job, command in (("probe", "probe"), ("notify", "notify")):
            if command in have:
                if job == "probe":
                    wait_for(lambda: [r for r in history(db, "probe") if r["status"] == "ok"], CEILING, "a probe run")
            else:
                assert f"job {job} skipped: `zwgk {command}` is not available" in text
                assert history(db, job) == []

        # kill -9 in the middle of a crawl
        running = wait_for(lambda: [r for r in history(db, "inspect") if r["status"] == "running"
                                    and r["child_pid"]], CEILING, "a running crawl", log)[0]
        stored = {r["id"]: r["next_run_time"] for r in rows(db, "SELECT * FROM schedule_jobstore")}
        a.send_signal(signal.SIGKILL)
        a.wait(CEILING)
        killed_at = datetime.now(timezone.utc)
        # The report misses two slots or more (every 2 s) while no scheduler runs.
        wait_for(lambda: time.time() > stored["report"] + 3, CEILING, "two report slots to pass")
        assert rows(db, "SELECT id, next_run_time FROM schedule_jobstore") and lock_pid(db) == a.pid

        b = start(config)
        procs.append(b)
        try:
            wait_for(lambda: [r for r in history(db, "report") if r["scheduler_pid"] == b.pid
                              and r["status"] == "ok"], CEILING, "a report by the restarted scheduler", log)
            assert lock_pid(db) == b.pid        # the dead scheduler's lock was taken over
            # It kept its jobs: same ids, and it resumed from the stored next run times.
            after = rows(db, "SELECT id FROM schedule_jobstore")
            assert {r["id"] for r in after} == set(stored)
            text = log.read_text(encoding="utf-8")
            assert "job report [every 2s] kept from the database" in text
            assert "job inspect [every 6s] kept from the database" in text
            # The slot that was running at kill -9 is marked, its orphaned crawl stopped, and not run again.
            old = next(r for r in history(db, "inspect") if r["id"] == running["id"])
            assert old["status"] == "abandoned"
            wait_for(lambda: not pid_alive(running["child_pid"]), CEILING, "the orphaned crawl to stop")
            assert all(slot(r) > slot(old) for r in history(db, "inspect") if r["scheduler_pid"] == b.pid)
            # The report slots missed while it was down ran once (coalesced), not once each.
            first_b = next(r for r in history(db, "report") if r["scheduler_pid"] == b.pid)
            resumed_from = datetime.fromtimestamp(stored["report"], timezone.utc)
            b_started = datetime.fromisoformat(first_b["started_at"])
            assert b_started - resumed_from >= timedelta(seconds=2)      # two slots or more were missed
            assert [r for r in history(db, "report") if resumed_from <= slot(r) <= b_started] == [first_b]
            assert slot(first_b) > killed_at

            status = subprocess.run([sys.executable, "-m", "commands.cli", "status", "--config", str(config), "--json"],
                                    cwd=ROOT, capture_output=True, text=True, timeout=CEILING)
            got = json.loads(status.stdout)
            assert got["lock"]["pid"] == b.pid and got["lock"]["active"]
            jobs = {j["id"]: j for j in got["jobs"]}
            assert jobs["report"]["state"] == "scheduled" and jobs["report"]["next_run"]
            assert jobs["report"]["last_ok"] and jobs["inspect"]["last_ok"]
            assert jobs["media"]["state"] == "off"
            # `status` shows the five newest problems: the abandoned slot among them, unless (a slow
            # machine) five newer ones came since.
            shown = {(e["job"], e["slot"], e["status"]) for e in got["recent_errors"]}
            newer = [r for r in history(db) if r["id"] > old["id"] and r["status"] not in ("ok", "running")]
            assert ("inspect", old["slot"], "abandoned") in shown or len(newer) >= 5, (got["recent_errors"], newer)
        finally:
            assert stop(b, CEILING) == 0
        assert lock_pid(db) is None
        assert "scheduler stopped; lock released" in log.read_text(encoding="utf-8")
    finally:
        reap(db, *procs)


def test_one_scheduler_per_database_and_sigterm(testbed_config: Path, tmp_path: Path) -> None:
    # Two config files, one database (database = "zwgk.sqlite3" relative to both).
    # The first scheduler's grace outlasts any crawl (loaded machine or not): SIGTERM lets it finish.
    a_conf = schedule_config(testbed_config, tmp_path, "a.toml", inspect="every 3s", report="off",
                             stop_grace=CEILING)
    b_conf = schedule_config(testbed_config, tmp_path, "b.toml", inspect="every 3s", report="off",
                             stop_grace=1)
    db, log = tmp_path / "zwgk.sqlite3", tmp_path / "scheduler.log"
    a = start(a_conf)
    procs = [a]
    try:
        wait_for(lambda: lock_pid(db) == a.pid, CEILING, "the first scheduler to take the lock", log)
        second = start(b_conf)
        procs.append(second)
        assert second.wait(CEILING) == scheduler.EXIT_LOCKED
        message = second.stderr_path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
        assert "another scheduler runs the jobs" in message and f"pid {a.pid}" in message

        b = start(b_conf, "--wait")
        procs.append(b)
        running = wait_for(lambda: [r for r in history(db, "inspect") if r["status"] == "running"
                                    and r["child_pid"]], CEILING, "a crawl by the first scheduler", log)[0]
        assert running["scheduler_pid"] == a.pid
        # SIGTERM during a crawl: the job is let finish (stop_grace CEILING), then a clean exit.
        assert stop(a, 2 * CEILING) == 0
        a_done = datetime.now(timezone.utc)
        finished = next(r for r in history(db, "inspect") if r["id"] == running["id"])
        assert finished["status"] == "ok", finished

        # The waiting scheduler takes over, and only now runs jobs.
        wait_for(lambda: lock_pid(db) == b.pid, CEILING, "the waiting scheduler to take the lock", log)
        b_run = wait_for(lambda: [r for r in history(db, "inspect") if r["scheduler_pid"] == b.pid
                                  and r["status"] == "running" and r["child_pid"]], CEILING,
                         "a crawl by the second scheduler", log)[0]
        assert {r["scheduler_pid"] for r in history(db)} <= {a.pid, b.pid}
        # Never both at once: every job of the first ended before the second started one.
        a_rows = [r for r in history(db) if r["scheduler_pid"] == a.pid]
        b_rows = [r for r in history(db) if r["scheduler_pid"] == b.pid]
        a_last = max(datetime.fromisoformat(r["ended_at"]) for r in a_rows)
        assert a_last < min(datetime.fromisoformat(r["started_at"]) for r in b_rows)
        assert a_last < a_done
        # SIGTERM with stop_grace 1 s: the crawl is stopped and recorded as interrupted.
        assert stop(b, CEILING) == 0
        interrupted = next(r for r in history(db, "inspect") if r["id"] == b_run["id"])
        assert interrupted["status"] == "interrupted"
        assert not pid_alive(b_run["child_pid"])
        assert lock_pid(db) is None
    finally:
        reap(db, *procs)


# -- unit tests ----------------------------------------------------------------------------

def write_config(tmp_path: Path, schedule: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + "\n[schedule]\n" + schedule, encoding="utf-8")
    return path


def fires(trigger: Any, start: datetime, n: int) -> list[datetime]:
    out, prev, now = [], None, start
    for _ in range(n):
        nxt = trigger.get_next_fire_time(prev, now)
        out.append(nxt)
        prev, now = nxt, nxt
    return out


def test_defaults_follow_the_rules(tmp_path: Path) -> None:
    conf = scheduler.parse_schedule(load_config(write_config(tmp_path, "")))
    assert conf.timezone == SHANGHAI and conf.coalesce and conf.misfire_grace_time == 3600
    day = datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI)
    probes = [t for t in fires(conf.job("probe").trigger, day - timedelta(seconds=1), 30) if t < day + timedelta(days=1)]
    assert len(probes) >= 20          # AVL001: at least 20 spaced probes a day
    assert fires(conf.job("inspect").trigger, day, 1)[0] == datetime(2026, 11, 26, 1, 30, tzinfo=SHANGHAI)
    assert fires(conf.job("report").trigger, day, 1)[0].weekday() == 0     # Monday
    assert conf.job("inspect").commands == (("crawl",), ("check",))
    assert conf.log_file == (tmp_path / "var" / "log" / "scheduler.log").resolve()


@pytest.mark.parametrize("spec,first", [
    ("every 5s", datetime(2026, 11, 26, 12, 0, 5)),
    ("every 10m", datetime(2026, 11, 26, 12, 10)),
    ("every 2 hours", datetime(2026, 11, 26, 14, 0)),
    ("30 1 * * *", datetime(2026, 11, 27, 1, 30)),
    ("0 7 * * 1", datetime(2026, 11, 30, 7, 0)),       # cron: 1 = Monday (APScheduler 3 would say Tuesday)
    ("0 7 * * 0", datetime(2026, 11, 29, 7, 0)),       # 0 = Sunday
    ("0 7 * * 7", datetime(2026, 11, 29, 7, 0)),       # 7 = Sunday too
    ("0 7 * * 6-7", datetime(2026, 11, 28, 7, 0)),
    ("0 7 * * sat", datetime(2026, 11, 28, 7, 0)),
    ("0 9 * * 1-5", datetime(2026, 11, 27, 9, 0)),     # from a Thursday noon: Friday
])
def test_specs(spec: str, first: datetime) -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)          # a Thursday
    trigger = scheduler.parse_spec(spec, SHANGHAI)
    assert trigger is not None
    if spec.startswith("every"):
        # An interval's grid starts when the job is first scheduled: only its length is the spec's.
        assert trigger.interval == first.replace(tzinfo=SHANGHAI) - now
    else:
        assert trigger.get_next_fire_time(None, now) == first.replace(tzinfo=SHANGHAI)
    assert scheduler.parse_spec("off", SHANGHAI) is None


@pytest.mark.parametrize("line,expected", [
    ('probe = "every 5 parsecs"', r"config.toml:16: schedule.probe: expected an interval like 'every 30s'"),
    ('probe = "every 0s"', r"config.toml:16: schedule.probe: an interval must be at least 1 second"),
    ('inspect = "61 * * * *"', r"config.toml:16: schedule.inspect: not a valid crontab expression '61 \* \* \* \*'"),
    ('report = "0 7 * *"', r"config.toml:16: schedule.report: expected a crontab expression with 5 fields"),
    ('report = "0 7 * * 9"', r"config.toml:16: schedule.report: day of week '9'"),
    ('timezone = "Mars/Olympus_Mons"', r"config.toml:16: schedule.timezone: unknown time zone"),
    ("probe = 5", r"config.toml:16: schedule.probe: expected a string"),
    ("heartbeat = 300", r"config.toml:15: schedule.lock_stale_after: must be at least 3 × heartbeat"),
    ("job_timeout = 0", r"config.toml:16: schedule.job_timeout: must be more than 0"),
    ('probes = "every 5s"', r"config.toml:16: schedule.probes: unknown key"),
])
def test_bad_schedule_names_the_key(tmp_path: Path, line: str, expected: str) -> None:
    path = write_config(tmp_path, line + "\n")
    with pytest.raises(ConfigError, match=expected):
        scheduler.parse_schedule(load_config(path))


def test_a_slot_runs_once(tmp_path: Path) -> None:
    """The persisted last-run mark: a slot that already started is not started again."""
    conf = scheduler.parse_schedule(load_config(write_config(tmp_path, 'report = "every 5s"\n')))
    with Store(conf.database):
        pass
    runner = scheduler.JobRunner(conf, {}, scheduler.History(conf.database))
    children: list[tuple[str, ...]] = []

    def fake_child(row_id: int, job_id: str, command: tuple[str, ...], at: datetime) -> scheduler.StepOutcome:
        children.append(command)
        return scheduler.StepOutcome(" ".join(command), "ok", 0, 0.1, {"ok": True}, "")

    runner._run_child = fake_child  # type: ignore[method-assign]
    at = datetime(2026, 11, 26, 7, 0, tzinfo=SHANGHAI)
    assert runner.execute("report", at) == "ok"
    # A new process (after a restart) sees the same mark in the database.
    again = scheduler.JobRunner(conf, {}, scheduler.History(conf.database, pid=os.getpid() + 1))
    again._run_child = fake_child  # type: ignore[method-assign]
    assert again.execute("report", at) == "already-ran"
    assert again.execute("report", at + timedelta(seconds=5)) == "ok"
    assert children == [("report",), ("report",)]


def test_slots_that_did_not_run_are_recorded(tmp_path: Path) -> None:
    from apscheduler.events import (EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent,
                                    JobSubmissionEvent)

    conf = scheduler.parse_schedule(load_config(write_config(tmp_path, "")))
    with Store(conf.database):
        pass
    hist = scheduler.History(conf.database)
    at = datetime(2026, 11, 26, 1, 30, tzinfo=SHANGHAI)
    scheduler.record_not_run(hist, conf, JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, "inspect", "default", [at]))
    scheduler.record_not_run(hist, conf, JobExecutionEvent(EVENT_JOB_MISSED, "report", "default",
                                                            at + timedelta(days=1)))
    got = [(r["job_id"], r["status"], r["slot"]) for r in history(conf.database)]
    assert got == [("inspect", "skipped", "2026-11-26T01:30:00+08:00"),
                   ("report", "missed", "2026-11-27T01:30:00+08:00")]
    status = scheduler.gather_status(conf, datetime(2026, 11, 27, tzinfo=timezone.utc))
    assert {e["status"] for e in status["recent_errors"]} == {"skipped", "missed"}
    assert all(j["last_run"] is None for j in status["jobs"])      # nothing actually ran
    assert status["lock"] is None


def test_child_argv_passes_the_slot_day_in_the_configured_zone(tmp_path: Path) -> None:
    conf = scheduler.parse_schedule(load_config(write_config(tmp_path, "")))
    runner = scheduler.JobRunner(conf, {"crawl": {"--json", "--as-of", "--config"},
                                        "probe": {"--config", "--as-of"}},
                                 scheduler.History(conf.database))
    late_utc = datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc)   # 01:30 on the 27th in Shanghai
    argv = runner.argv(("crawl",), late_utc)
    assert argv[1:] == ["-m", "commands.cli", "crawl", "--config", str(conf.config_path), "--json",
                        "--as-of", "2026-11-27"]
    # A probe round is recorded at the time it really runs: no --as-of.
    assert runner.argv(("probe",), late_utc)[3:] == ["probe", "--config", str(conf.config_path)]


def test_lock(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with Store(db):
        pass
    dead = subprocess.Popen(["true"])
    dead.wait()
    first = scheduler.SchedulerLock(db, stale_after=60)
    assert first.try_acquire()[0]
    second = scheduler.SchedulerLock(db, stale_after=60, pid=os.getppid())
    acquired, holder = second.try_acquire()
    assert not acquired and holder is not None and holder.pid == os.getpid()
    # Same host, owner dead: taken over at once.
    ghost = scheduler.SchedulerLock(db, stale_after=60, pid=dead.pid)
    first.release()
    assert ghost.try_acquire()[0]
    assert second.try_acquire()[0]
    assert not ghost.heartbeat()            # the ghost learns it lost the lock
    # Another host: only an old heartbeat lets it in.
    remote = scheduler.SchedulerLock(db, stale_after=60, pid=12345, host="elsewhere")
    assert not remote.try_acquire()[0]
    with sqlite3.connect(db) as con:
        con.execute("UPDATE schedule_lock SET heartbeat_at=?",
                    ((datetime.now(timezone.utc) - timedelta(seconds=120)).isoformat(),))
    assert remote.try_acquire()[0]
    assert not second.heartbeat()
    remote.release()
    assert scheduler.SchedulerLock(db, stale_after=60).holder() is None
