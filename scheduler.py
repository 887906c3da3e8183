"""`zwgk schedule` and `zwgk status`: zwgk running unattended for months.

`zwgk schedule` starts an APScheduler 3 BlockingScheduler whose jobs and timing
come from config.toml [schedule] (see zwgk/schedule_settings.py).  Each job
runs `zwgk <command> --config … --json` in a child process: Twisted's reactor
cannot restart in one process, and a crashed job must not take the scheduler
down.  Everything the scheduler knows lives in the zwgk database:

- schedule_jobstore: APScheduler's jobs (next run times) in a small sqlite3 job
  store, so a restarted scheduler keeps them;
- schedule_history: one row per job and slot (the scheduled run time).
  UNIQUE(job_id, slot) is the persisted last-run mark: a slot that already
  started is never started again, even after kill -9 and restart;
- schedule_lock: one row naming the scheduler that may run jobs (pid, host,
  heartbeat).  A second scheduler on the same database exits with code 3 and
  says who holds the lock, or with --wait waits until the lock is free.  A lock
  whose owner is dead (same host), or whose heartbeat is older than
  lock_stale_after (another host), is taken over.

SIGTERM / SIGINT: no new job starts; a running job gets stop_grace seconds to
finish, then its process group gets SIGINT (and SIGKILL 10 s later) and the
run is recorded as interrupted; the lock is released; exit code 0.
"""
from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.base import run_job as _apscheduler_run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.util import utc_timestamp_to_datetime

from zwgk.config import Config, ConfigError, config_error, config_path
from zwgk.config.schedule import _cron_weekdays, parse_spec  # noqa: F401 - re-exported
from commands.common import load_config
from zwgk.store import Store
from zwgk.store.schedule import (History, SchedulerLock, SQLiteJobStore, _now,
                                 save_job_states, status_snapshot)

log = logging.getLogger("zwgk.scheduler")

# job id -> the zwgk commands it runs, in order; a step that fails stops the job.
JOBS: dict[str, tuple[tuple[str, ...], ...]] = {
    "probe": (("probe",),),
    "inspect": (("crawl",), ("check",)),
    "media": (("media",),),
    "report": (("report",),),
    "notify": (("notify",),),
}
BUILTIN_COMMANDS = frozenset({"crawl", "check", "report", "run"})
# Commands whose --as-of is "the day the inspection judges": they get the slot's day.
# (`zwgk probe --as-of` is the time a round is recorded at: probes keep their own clock.)
AS_OF_COMMANDS = frozenset({"crawl", "check", "report", "run", "notify"})
LOCK_NAME = "scheduler"
EXIT_LOCKED = 3
KILL_AFTER = 10.0          # seconds between SIGINT and SIGKILL to a job's process group
TAIL_LINES = 20            # stderr lines kept in the history


# -- the [schedule] section -------------------------------------------------------------

@dataclass(frozen=True)
class JobSpec:
    id: str
    spec: str                       # as written in config.toml
    trigger: BaseTrigger | None     # None: "off"
    commands: tuple[tuple[str, ...], ...]

    @property
    def name(self) -> str:
        # The name carries the spec: a stored job whose spec changed is rescheduled.
        return f"{self.id} [{self.spec}]"


@dataclass(frozen=True)
class ScheduleConfig:
    config_path: Path
    database: Path
    timezone: ZoneInfo
    jobs: tuple[JobSpec, ...]
    misfire_grace_time: int
    coalesce: bool
    job_timeout: int
    stop_grace: int
    log_file: Path | None
    log_max_bytes: int
    log_backups: int
    heartbeat: float
    lock_stale_after: float

    def job(self, job_id: str) -> JobSpec:
        return next(j for j in self.jobs if j.id == job_id)


# The timing strings are parsed by the config schema (zwgk.config.schedule), which checks
# them when config.toml is loaded; parse_spec and _cron_weekdays are re-exported here.


def _config_error(config: Config, key: str, what: str) -> ConfigError:
    """A ConfigError naming file, line and key, worded like zwgk.config's own."""
    return config_error(config.path, ("schedule", key), what)


def parse_schedule(config: Config) -> ScheduleConfig:
    """Validate [schedule] beyond types: time zone, job specs, sane timings."""
    sec = config.section("schedule")
    try:
        tz = ZoneInfo(sec["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise _config_error(config, "timezone", f"unknown time zone {sec['timezone']!r} "
                            "(expected an IANA name such as Asia/Shanghai)") from None
    jobs = []
    for job_id, commands in JOBS.items():
        try:
            trigger = parse_spec(sec[job_id], tz)
        except ValueError as exc:
            raise _config_error(config, job_id, str(exc)) from None
        jobs.append(JobSpec(job_id, " ".join(sec[job_id].split()), trigger, commands))
    for key in ("job_timeout", "heartbeat", "lock_stale_after", "log_max_bytes"):
        if sec[key] <= 0:
            raise _config_error(config, key, f"must be more than 0, got {sec[key]!r}")
    if sec["lock_stale_after"] < 3 * sec["heartbeat"]:
        raise _config_error(config, "lock_stale_after",
                            f"must be at least 3 × heartbeat ({3 * sec['heartbeat']}), got {sec['lock_stale_after']!r}")
    log_file = (config.path.parent / sec["log_file"]).resolve() if sec["log_file"].strip() else None
    return ScheduleConfig(
        config_path=config.path.resolve(), database=config.database, timezone=tz, jobs=tuple(jobs),
        misfire_grace_time=sec["misfire_grace_time"], coalesce=sec["coalesce"], job_timeout=sec["job_timeout"],
        stop_grace=sec["stop_grace"], log_file=log_file, log_max_bytes=sec["log_max_bytes"],
        log_backups=sec["log_backups"], heartbeat=float(sec["heartbeat"]),
        lock_stale_after=float(sec["lock_stale_after"]))


# -- running jobs --------------------------------------------------------------------------

_slot = threading.local()


class SlotThreadPoolExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, telling the job function which slot it runs for.

    APScheduler 3 does not pass the scheduled run time to the job; the slot is
    what the history's last-run mark is keyed on.
    """

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        def callback(f: Any) -> None:
            exc = f.exception()
            if exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, f.result())

        f = self._pool.submit(_run_with_slots, job, job._jobstore_alias, run_times, self._logger.name)
        f.add_done_callback(callback)


def _run_with_slots(job: Job, alias: str, run_times: list[datetime], logger_name: str) -> list[Any]:
    events = []
    for run_time in run_times:
        _slot.value = run_time
        try:
            events += _apscheduler_run_job(job, alias, [run_time], logger_name)
        finally:
            _slot.value = None
    return events


_RUNNER: "JobRunner | None" = None


def run_job(job_id: str) -> str:
    """The function every stored job refers to ("scheduler:run_job")."""
    if _RUNNER is None:
        raise RuntimeError("run_job called outside `zwgk schedule`")
    slot = getattr(_slot, "value", None) or _now()
    return _RUNNER.execute(job_id, slot)


@dataclass
class StepOutcome:
    command: str
    status: str          # ok, failed, timeout, interrupted
    exit_code: int | None
    duration_s: float
    summary: Any
    stderr_tail: str

    def to_json(self) -> dict[str, Any]:
        return {"command": self.command, "status": self.status, "exit_code": self.exit_code,
                "duration_s": round(self.duration_s, 2), "summary": self.summary}


class JobRunner:
    """Runs a job's commands as child processes and records them in the history."""

    def __init__(self, conf: ScheduleConfig, options: dict[str, set[str]], history: History) -> None:
        self.conf = conf
        self.options = options         # command -> its option strings (--json, --as-of …)
        self.history = history
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._interrupted: set[int] = set()

    def running(self) -> list[str]:
        with self._lock:
            return list(self._children)

    def argv(self, command: tuple[str, ...], slot: datetime) -> list[str]:
        opts = self.options.get(command[0], set())
        argv = [sys.executable, "-m", "commands.cli", *command, "--config", str(self.conf.config_path)]
        if "--json" in opts:
            argv.append("--json")
        if "--as-of" in opts and command[0] in AS_OF_COMMANDS:
            # The scheduler is where the clock enters: the slot's day in the configured zone.
            argv += ["--as-of", slot.astimezone(self.conf.timezone).date().isoformat()]
        return argv

    def execute(self, job_id: str, slot: datetime) -> str:
        spec = self.conf.job(job_id)
        slot_text = slot.astimezone(self.conf.timezone).isoformat()
        if self.stopping.is_set():
            log.info("job %s (slot %s) not started: the scheduler is stopping", job_id, slot_text)
            return "not-started"
        row_id = self.history.begin(job_id, slot_text)
        if row_id is None:
            log.warning("job %s: slot %s has already run once (see `zwgk status`); not running it again",
                        job_id, slot_text)
            return "already-ran"
        log.info("job %s started (slot %s)", job_id, slot_text)
        steps: list[StepOutcome] = []
        status = "ok"
        exit_code: int | None = 0
        try:
            for command in spec.commands:
                step = self._run_child(row_id, job_id, command, slot)
                steps.append(step)
                if step.status != "ok":
                    status, exit_code = step.status, step.exit_code
                    break
        except Exception as exc:           # a bug of ours: record it, keep the scheduler alive
            log.exception("job %s: could not run", job_id)
            status, exit_code = "error", None
            steps.append(StepOutcome("-", "error", None, 0.0, None, f"{type(exc).__name__}: {exc}"))
        tail = "\n".join(s.stderr_tail for s in steps if s.status != "ok" and s.stderr_tail)
        self.history.finish(row_id, status, exit_code, {"steps": [s.to_json() for s in steps]}, tail)
        took = sum(s.duration_s for s in steps)
        if status == "ok":
            log.info("job %s finished ok in %.1f s", job_id, took)
        else:
            log.warning("job %s %s (exit code %s) after %.1f s%s", job_id, status, exit_code, took,
                        (": " + tail.splitlines()[-1]) if tail else "")
        return status

    def _run_child(self, row_id: int, job_id: str, command: tuple[str, ...], slot: datetime) -> StepOutcome:
        argv = self.argv(command, slot)
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        started = time.monotonic()
        # A session of its own: Ctrl-C on the scheduler's terminal does not reach the
        # job, and the job's own children (the crawler) can be stopped as one group.
        # The child dies with the scheduler: it sets PR_SET_PDEATHSIG on itself at startup
        # (commands.cli, relative to this pid), and it is spawned by the one long-lived
        # spawner thread, because the parent-death signal fires when the *thread* that
        # created the child exits (a pool worker may end while its child still runs).
        env[DIE_WITH_ENV] = str(os.getpid())
        proc = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                     start_new_session=True, stdin=subprocess.DEVNULL)
        with self._lock:
            self._children[job_id] = proc
        self.history.set_child(row_id, proc.pid, " ".join(command))
        timed_out = False
        try:
            try:
                out, err = proc.communicate(timeout=self.conf.job_timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                log.warning("job %s: `zwgk %s` still running after %s s: stopping it", job_id,
                            " ".join(command), self.conf.job_timeout)
                _signal_group(proc, signal.SIGINT)
                try:
                    out, err = proc.communicate(timeout=KILL_AFTER)
                except subprocess.TimeoutExpired:
                    _signal_group(proc, signal.SIGKILL)
                    out, err = proc.communicate()
        finally:
            with self._lock:
                self._children.pop(job_id, None)
                interrupted = proc.pid in self._interrupted
        code = proc.returncode
        if timed_out:
            status = "timeout"
        elif interrupted:
            status = "interrupted"
        else:
            status = "ok" if code == 0 else "failed"
        return StepOutcome(" ".join(command), status, code, time.monotonic() - started,
                           _last_json(out), "\n".join((err or "").strip().splitlines()[-TAIL_LINES:]))

    def interrupt_all(self, sig: int) -> None:
        with self._lock:
            for job_id, proc in self._children.items():
                self._interrupted.add(proc.pid)
                log.warning("job %s: sending %s to its process group %s", job_id, signal.Signals(sig).name,
                            proc.pid)
                _signal_group(proc, sig)


DIE_WITH_ENV = "ZWGK_DIE_WITH_PID"   # read by commands.cli.die_with_scheduler in the job child


class _Spawner:
    """One daemon thread that lives as long as the scheduler process and starts every job
    child, so that a child's PR_SET_PDEATHSIG fires only when the scheduler itself dies."""

    def __init__(self) -> None:
        import queue

        self._requests: "queue.Queue[tuple[tuple[Any, ...], dict[str, Any], list[Any], threading.Event]]" = \
            queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _serve(self) -> None:
        while True:
            args, kwargs, box, ready = self._requests.get()
            try:
                box.append(subprocess.Popen(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                box.append(exc)
            finally:
                ready.set()

    def __call__(self, *args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="job-spawner", daemon=True)
                self._thread.start()
        box: list[Any] = []
        ready = threading.Event()
        self._requests.put((args, kwargs, box, ready))
        ready.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]


spawn = _Spawner()


def _signal_group(proc: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _last_json(out: str | None) -> Any:
    for line in reversed((out or "").splitlines()):
        if line.strip():
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {"stdout_tail": line[-500:]}
    return None


def command_options() -> dict[str, set[str]]:
    """Every zwgk subcommand there is now, with the options it takes."""
    from commands.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: set(p._option_string_actions) for name, p in sub.choices.items()}


def available_commands() -> set[str]:
    # probe, media and notify come from components that may not be installed yet.
    from commands.cli import component_commands

    return set(BUILTIN_COMMANDS) | set(component_commands())


# -- zwgk schedule -------------------------------------------------------------------------

class ZwgkScheduler(BlockingScheduler):
    """BlockingScheduler whose main loop does not process jobs once shut down.

    APScheduler 3's loop runs _process_jobs once more after shutdown(): a job
    due at that moment would have its slot advanced in the store without
    running (its executor is already closed).
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def setup_logging(conf: ScheduleConfig) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if conf.log_file:
        conf.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            conf.log_file, maxBytes=conf.log_max_bytes, backupCount=conf.log_backups, encoding="utf-8"))
    for h in handlers:
        h.setFormatter(fmt)
        root.addHandler(h)


def reconcile_jobs(scheduler: BlockingScheduler, store: SQLiteJobStore, conf: ScheduleConfig,
                   available: set[str]) -> dict[str, tuple[str, str]]:
    """Bring the stored jobs in line with config.toml; {job id: (state, note)}.

    A stored job whose spec is unchanged keeps its trigger and next run time;
    a changed, disabled or unavailable one is replaced or removed.
    """
    stored = {job.id: job for job in store.get_all_jobs()}
    states: dict[str, tuple[str, str]] = {}
    for spec in conf.jobs:
        missing = sorted({c[0] for c in spec.commands} - available)
        old = stored.pop(spec.id, None)
        if spec.trigger is None or missing:
            if old is not None:
                store.remove_job(spec.id)
            if spec.trigger is None:
                states[spec.id] = ("off", "off in config.toml")
                log.info("job %s is off", spec.id)
            else:
                note = (f"skipped: `zwgk {' '.join(missing)}` is not available in this installation "
                        "(its component is not installed yet); restart the scheduler after upgrading")
                states[spec.id] = ("unavailable", note)
                log.info("job %s %s", spec.id, note)
            continue
        kwargs: dict[str, Any] = dict(
            trigger=spec.trigger, args=[spec.id], id=spec.id, name=spec.name, replace_existing=True,
            misfire_grace_time=conf.misfire_grace_time, coalesce=conf.coalesce, max_instances=1)
        if old is not None and old.name == spec.name:
            kwargs["trigger"] = old.trigger          # an interval keeps its original grid
            kwargs["next_run_time"] = old.next_run_time
            note = f"kept from the database, next run {_fmt(old.next_run_time, conf.timezone)}"
        else:
            note = "scheduled" + (" (spec changed)" if old is not None else "")
            if old is not None:
                store.remove_job(spec.id)
        scheduler.add_job("scheduler:run_job", **kwargs)
        states[spec.id] = ("scheduled", note)
        log.info("job %s [%s] %s", spec.id, spec.spec, note)
    for job_id in stored:           # jobs no longer known to this zwgk
        store.remove_job(job_id)
    return states


def cmd_schedule(args: argparse.Namespace) -> int:
    global _RUNNER
    from zwgk.store import Store

    config = load_config(config_path(args.config))
    conf = parse_schedule(config)
    setup_logging(conf)
    with Store(conf.database):
        pass                                    # creates / migrates the tables
    lock = SchedulerLock(conf.database, conf.lock_stale_after)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():
            log.warning("second %s: stopping running jobs now", signal.Signals(signum).name)
            force.set()
            return
        log.info("%s received: stopping (a running job may take up to %s s to finish)",
                 signal.Signals(signum).name, conf.stop_grace)
        stop.set()
        threading.Thread(target=shutdown, name="shutdown", daemon=True).start()

    force = threading.Event()
    scheduler_box: list[BlockingScheduler] = []

    def shutdown() -> None:
        # Not from the signal handler itself: the main loop may hold the job store lock.
        for _ in range(100):
            if scheduler_box and scheduler_box[0].state != STATE_STOPPED:
                scheduler_box[0].shutdown(wait=False)
                return
            time.sleep(0.05)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    acquired, holder = lock.try_acquire()
    if not acquired:
        assert holder is not None
        msg = (f"zwgk schedule: another scheduler runs the jobs of {conf.database} "
               f"({holder.describe(_now())})")
        if not args.wait:
            log.error("%s; exiting (use --wait to wait for it, or `zwgk status`)", msg)
            return EXIT_LOCKED
        log.info("%s; waiting for the lock", msg)
        while not acquired:
            if stop.wait(conf.heartbeat):
                log.info("stopped while waiting for the lock")
                return 0
            acquired, holder = lock.try_acquire()
    if holder is not None and holder.token != lock.token:
        log.warning("took over the lock of a scheduler that is gone (%s)", holder.describe(_now()))
    log.info("scheduler pid %s on %s holds the lock of %s", lock.pid, lock.host, conf.database)

    lost = threading.Event()
    released = threading.Event()
    try:
        history = History(conf.database, lock.pid, lock.host)
        for note in history.recover_abandoned():
            log.warning("abandoned run: %s", note)
        runner = JobRunner(conf, command_options(), history)
        _RUNNER = runner
        store = SQLiteJobStore(conf.database)
        scheduler = ZwgkScheduler(
            timezone=conf.timezone, jobstores={"default": store},
            executors={"default": SlotThreadPoolExecutor(max_workers=len(JOBS))},
            job_defaults={"coalesce": conf.coalesce, "misfire_grace_time": conf.misfire_grace_time,
                          "max_instances": 1})
        store.start(scheduler, "default")
        scheduler.add_listener(lambda event: record_not_run(history, conf, event),
                               EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        states = reconcile_jobs(scheduler, store, conf, available_commands())
        save_job_states(conf.database, conf, states)

        def beat() -> None:
            # Until the lock is released, not just until SIGTERM: a job finishing
            # during stop_grace still holds it.
            while not released.wait(conf.heartbeat):
                try:
                    ok = lock.heartbeat()
                except sqlite3.Error as exc:
                    log.warning("lock heartbeat failed (%s); trying again", exc)
                    continue
                if not ok:
                    log.critical("the scheduler lock was taken by another scheduler: stopping")
                    lost.set()
                    stop.set()
                    shutdown()
                    return

        heart = threading.Thread(target=beat, name="heartbeat", daemon=True)
        heart.start()
        scheduler_box.append(scheduler)
        if not stop.is_set():
            scheduler.start()                        # blocks until shutdown()
        runner.stopping.set()
        finish_running_jobs(runner, conf.stop_grace, force)
    finally:
        stop.set()
        released.set()
        if not lost.is_set():
            lock.release()
        _RUNNER = None
    log.info("scheduler stopped; lock released" if not lost.is_set() else "scheduler stopped")
    return 1 if lost.is_set() else 0


def record_not_run(history: History, conf: ScheduleConfig, event: JobEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        times = [event.scheduled_run_time]
        status, why = "missed", f"later than misfire_grace_time ({conf.misfire_grace_time} s): not run"
    else:
        times = list(event.scheduled_run_times)
        status, why = "skipped", "the previous run of this job was still running"
    for t in times:
        try:
            history.note_not_run(event.job_id, t.astimezone(conf.timezone).isoformat(), status, why)
        except sqlite3.Error as exc:
            log.warning("could not record %s slot of job %s: %s", status, event.job_id, exc)


def finish_running_jobs(runner: JobRunner, grace: float, force: threading.Event) -> None:
    deadline = time.monotonic() + grace
    if runner.running():
        log.info("waiting up to %s s for running jobs: %s", grace, ", ".join(runner.running()))
    while runner.running() and time.monotonic() < deadline and not force.is_set():
        time.sleep(0.1)
    if runner.running():
        runner.interrupt_all(signal.SIGINT)
        deadline = time.monotonic() + KILL_AFTER
        while runner.running() and time.monotonic() < deadline:
            time.sleep(0.1)
    if runner.running():
        runner.interrupt_all(signal.SIGKILL)
        deadline = time.monotonic() + 5
        while runner.running() and time.monotonic() < deadline:
            time.sleep(0.1)
    # Let the worker threads write their history rows before the process ends.
    deadline = time.monotonic() + 5
    while runner.running() and time.monotonic() < deadline:
        time.sleep(0.1)


# -- zwgk status ---------------------------------------------------------------------------

def _fmt(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else "—"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def gather_status(conf: ScheduleConfig, now: datetime) -> dict[str, Any]:
    with Store(conf.database) as store:
        snap = status_snapshot(store.db, [spec.id for spec in conf.jobs])
        holder, states, next_runs = snap.holder, snap.states, snap.next_runs
        jobs = []
        for spec in conf.jobs:
            last, last_ok = snap.last.get(spec.id), snap.last_ok.get(spec.id)
            state = states.get(spec.id)
            nrt = next_runs.get(spec.id)
            jobs.append({
                "id": spec.id, "spec": spec.spec,
                "state": state["state"] if state else ("off" if spec.trigger is None else "not started yet"),
                "note": state["note"] if state else "",
                "next_run": _fmt(utc_timestamp_to_datetime(nrt), conf.timezone) if nrt is not None else None,
                "last_run": _run_json(last, conf.timezone) if last else None,
                "last_ok": _fmt(_dt(last_ok["started_at"]), conf.timezone) if last_ok else None,
            })
        errors = [_run_json(r, conf.timezone) for r in snap.recent_errors]
    lock: dict[str, Any] | None = None
    if holder:
        checker = SchedulerLock(conf.database, conf.lock_stale_after)
        lock = {"pid": holder.pid, "host": holder.host, "since": _fmt(holder.started_at, conf.timezone),
                "heartbeat_age_s": round(holder.age(now), 1), "active": not checker.is_stale(holder, now)}
    return {"database": str(conf.database), "timezone": str(conf.timezone), "lock": lock, "jobs": jobs,
            "recent_errors": errors}


def _run_json(row: sqlite3.Row, tz: ZoneInfo) -> dict[str, Any]:
    started, ended = _dt(row["started_at"]), _dt(row["ended_at"])
    return {"job": row["job_id"], "slot": row["slot"], "status": row["status"], "exit_code": row["exit_code"],
            "started": _fmt(started, tz), "duration_s": round((ended - started).total_seconds(), 1)
            if started and ended else None, "pid": row["scheduler_pid"], "host": row["host"],
            "summary": json.loads(row["summary"]) if row["summary"] else None,
            "stderr_tail": row["stderr_tail"] or ""}


def cmd_status(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    conf = parse_schedule(config)
    status = gather_status(conf, _now())
    attention = (status["lock"] is None or not status["lock"]["active"]
                 or any(j["last_run"] and j["last_run"]["status"] not in ("ok", "running") for j in status["jobs"]))
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
        return 1 if attention else 0
    lock = status["lock"]
    if lock is None:
        print("scheduler: none running (no lock held)")
    else:
        print(f"scheduler: pid {lock['pid']} on {lock['host']} since {lock['since']}, heartbeat "
              f"{lock['heartbeat_age_s']:.0f} s ago{'' if lock['active'] else ' — STALE'}")
    print(f"database:  {status['database']}   time zone: {status['timezone']}")
    for j in status["jobs"]:
        last = j["last_run"]
        last_text = (f"{last['status']} at {last['started']}" + (f" in {last['duration_s']} s" if last["duration_s"]
                     is not None else "") + (f" (exit {last['exit_code']})" if last["exit_code"] else "")) \
            if last else "never"
        print(f"  {j['id']:<8} {j['spec']:<14} {j['state']:<12} next {j['next_run'] or '—':<26} last {last_text}")
        if j["state"] == "unavailable":
            print(f"           {j['note']}")
    if status["recent_errors"]:
        print("recent problems:")
        for e in status["recent_errors"]:
            tail = e["stderr_tail"].strip().splitlines()[-1:] if e["stderr_tail"] else []
            code = f" (exit {e['exit_code']})" if e["exit_code"] is not None else ""
            print(f"  {e['started']} {e['job']} {e['status']}{code}" + (f": {tail[0][:200]}" if tail else ""))
    return 1 if attention else 0


def _add_schedule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--wait", action="store_true",
                   help="if another scheduler holds the lock, wait for it instead of exiting with code 3")


def _add_status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "schedule": ("run the jobs of config.toml [schedule] until stopped (SIGTERM)", _add_schedule_args,
                 cmd_schedule),
    "status": ("show the scheduler's jobs, last runs, next runs and lock", _add_status_args, cmd_status),
}
