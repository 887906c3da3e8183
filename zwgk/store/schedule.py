"""Tables of the scheduler: APScheduler's job store, the scheduler lock, job history.

schedule_jobstore has the layout of APScheduler 3's SQLAlchemyJobStore table
(id, next_run_time as a UTC timestamp, pickled job state), written by
scheduler.SQLiteJobStore with the standard library's sqlite3.
schedule_history has one row per job slot: UNIQUE(job_id, slot) is the
persisted last-run mark that keeps a slot from running twice across restarts.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime

from zwgk.clock import utcnow_precise as _now
from zwgk.store import pid_alive

LOCK_NAME = "scheduler"

MIGRATIONS = [
    """
    CREATE TABLE schedule_jobstore (
        id TEXT PRIMARY KEY,
        next_run_time REAL,
        job_state BLOB NOT NULL
    );
    CREATE INDEX schedule_jobstore_next ON schedule_jobstore(next_run_time);

    CREATE TABLE schedule_lock (
        name TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
    );

    CREATE TABLE schedule_jobs (
        job_id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        commands TEXT NOT NULL,
        state TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );

    CREATE TABLE schedule_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL,
        slot TEXT NOT NULL,
        scheduler_pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        child_pid INTEGER,
        command TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        summary TEXT,
        stderr_tail TEXT,
        UNIQUE (job_id, slot)
    );
    CREATE INDEX schedule_history_job ON schedule_history(job_id, started_at);
    """,
]


# -- the scheduler's tables ----------------------------------------------------------------



def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    db.row_factory = sqlite3.Row
    return db


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None


class SQLiteJobStore(BaseJobStore):
    """APScheduler 3's SQLAlchemyJobStore, on sqlite3 and the zwgk database.

    One short connection per call: APScheduler calls the store from its main
    loop and from add_job in other threads.
    """

    def __init__(self, path: Path, table: str = "schedule_jobstore") -> None:
        super().__init__()
        self.path = Path(path)
        self.table = table

    def _db(self) -> closing[sqlite3.Connection]:
        return closing(_connect(self.path))

    def lookup_job(self, job_id: str) -> Job | None:
        with self._db() as db:
            row = db.execute(f"SELECT job_state FROM {self.table} WHERE id=?", (job_id,)).fetchone()
        return self._reconstitute(row["job_state"]) if row else None

    def get_due_jobs(self, now: datetime) -> list[Job]:
        return self._jobs("WHERE next_run_time <= ?", (datetime_to_utc_timestamp(now),))

    def get_next_run_time(self) -> datetime | None:
        with self._db() as db:
            row = db.execute(f"SELECT next_run_time FROM {self.table} WHERE next_run_time IS NOT NULL "
                             "ORDER BY next_run_time LIMIT 1").fetchone()
        return utc_timestamp_to_datetime(row[0]) if row else None

    def get_all_jobs(self) -> list[Job]:
        jobs = self._jobs()
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job: Job) -> None:
        try:
            with self._db() as db:
                db.execute(f"INSERT INTO {self.table}(id, next_run_time, job_state) VALUES (?,?,?)",
                           (job.id, datetime_to_utc_timestamp(job.next_run_time),
                            pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)))
        except sqlite3.IntegrityError:
            raise ConflictingIdError(job.id) from None

    def update_job(self, job: Job) -> None:
        with self._db() as db:
            cur = db.execute(f"UPDATE {self.table} SET next_run_time=?, job_state=? WHERE id=?",
                             (datetime_to_utc_timestamp(job.next_run_time),
                              pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL), job.id))
        if cur.rowcount == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id: str) -> None:
        with self._db() as db:
            cur = db.execute(f"DELETE FROM {self.table} WHERE id=?", (job_id,))
        if cur.rowcount == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self) -> None:
        with self._db() as db:
            db.execute(f"DELETE FROM {self.table}")

    def _reconstitute(self, state: bytes) -> Job:
        job_state = pickle.loads(state)
        job_state["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(job_state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _jobs(self, where: str = "", args: tuple[Any, ...] = ()) -> list[Job]:
        jobs, failed = [], []
        with self._db() as db:
            rows = db.execute(f"SELECT id, job_state FROM {self.table} {where} ORDER BY next_run_time",
                              args).fetchall()
            for row in rows:
                try:
                    jobs.append(self._reconstitute(row["job_state"]))
                except Exception:
                    self._logger.exception('Unable to restore job "%s" -- removing it', row["id"])
                    failed.append(row["id"])
            for job_id in failed:
                db.execute(f"DELETE FROM {self.table} WHERE id=?", (job_id,))
        return jobs

    def __repr__(self) -> str:
        return f"<SQLiteJobStore {self.path}>"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    token: str
    started_at: datetime
    heartbeat_at: datetime

    def age(self, now: datetime) -> float:
        return (now - self.heartbeat_at).total_seconds()

    def describe(self, now: datetime) -> str:
        return (f"pid {self.pid} on host {self.host}, since {self.started_at.isoformat(timespec='seconds')}, "
                f"last heartbeat {self.age(now):.0f} s ago")


class SchedulerLock:
    """The one row in schedule_lock that lets a scheduler run jobs."""

    def __init__(self, path: Path, stale_after: float, pid: int | None = None, host: str | None = None) -> None:
        self.path = path
        self.stale_after = stale_after
        self.pid = pid or os.getpid()
        self.host = host or socket.gethostname()
        self.token = uuid.uuid4().hex

    def holder(self) -> LockHolder | None:
        with closing(_connect(self.path)) as db:
            return _holder(db)

    def is_stale(self, holder: LockHolder, now: datetime) -> bool:
        if holder.host == self.host:
            if not pid_alive(holder.pid):
                return True          # certain on the same host: nobody runs jobs under that lock
            if holder.age(now) > self.stale_after:
                cmd = _cmdline(holder.pid)
                return cmd is not None and "schedule" not in cmd    # the pid was reused
            return False
        return holder.age(now) > self.stale_after     # another host: only the heartbeat can tell

    def try_acquire(self) -> tuple[bool, LockHolder | None]:
        """(acquired, the previous holder or the one that keeps us out)."""
        with closing(_connect(self.path)) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                holder = _holder(db)
                now = _now()
                if holder is None or holder.token == self.token or self.is_stale(holder, now):
                    db.execute("INSERT OR REPLACE INTO schedule_lock VALUES (?,?,?,?,?,?)",
                               (LOCK_NAME, self.token, self.pid, self.host, now.isoformat(), now.isoformat()))
                    db.execute("COMMIT")
                    return True, holder
                db.execute("COMMIT")
                return False, holder
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def heartbeat(self) -> bool:
        """False when the lock is no longer ours."""
        with closing(_connect(self.path)) as db:
            cur = db.execute("UPDATE schedule_lock SET heartbeat_at=? WHERE name=? AND token=?",
                             (_now().isoformat(), LOCK_NAME, self.token))
        return cur.rowcount == 1

    def release(self) -> None:
        with closing(_connect(self.path)) as db:
            db.execute("DELETE FROM schedule_lock WHERE name=? AND token=?", (LOCK_NAME, self.token))


def _holder(db: sqlite3.Connection) -> LockHolder | None:
    row = db.execute("SELECT * FROM schedule_lock WHERE name=?", (LOCK_NAME,)).fetchone()
    if row is None:
        return None
    return LockHolder(row["pid"], row["host"], row["token"], datetime.fromisoformat(row["started_at"]),
                      datetime.fromisoformat(row["heartbeat_at"]))


class History:
    """schedule_history: one row per job slot."""

    def __init__(self, path: Path, pid: int | None = None, host: str | None = None) -> None:
        self.path = path
        self.pid = pid or os.getpid()
        self.host = host or socket.gethostname()

    def begin(self, job_id: str, slot: str) -> int | None:
        """A new 'running' row, or None when this slot has already started once."""
        try:
            with closing(_connect(self.path)) as db:
                cur = db.execute(
                    "INSERT INTO schedule_history(job_id, slot, scheduler_pid, host, started_at, status) "
                    "VALUES (?,?,?,?,?,'running')", (job_id, slot, self.pid, self.host, _now().isoformat()))
                return int(cur.lastrowid or 0)
        except sqlite3.IntegrityError:
            return None

    def note_not_run(self, job_id: str, slot: str, status: str, why: str) -> None:
        """A slot that did not run: 'missed' (past misfire_grace_time) or 'skipped' (still running)."""
        now = _now().isoformat()
        with closing(_connect(self.path)) as db:
            db.execute("INSERT OR IGNORE INTO schedule_history(job_id, slot, scheduler_pid, host, started_at, "
                       "ended_at, status, stderr_tail) VALUES (?,?,?,?,?,?,?,?)",
                       (job_id, slot, self.pid, self.host, now, now, status, why))

    def set_child(self, row_id: int, pid: int, command: str) -> None:
        with closing(_connect(self.path)) as db:
            db.execute("UPDATE schedule_history SET child_pid=?, command=? WHERE id=?", (pid, command, row_id))

    def finish(self, row_id: int, status: str, exit_code: int | None, summary: dict[str, Any],
               stderr_tail: str) -> None:
        with closing(_connect(self.path)) as db:
            db.execute("UPDATE schedule_history SET ended_at=?, status=?, exit_code=?, summary=?, stderr_tail=? "
                       "WHERE id=?", (_now().isoformat(), status, exit_code,
                                      json.dumps(summary, ensure_ascii=False), stderr_tail, row_id))

    def recover_abandoned(self) -> list[str]:
        """Rows left 'running' by a scheduler that is gone become 'abandoned'.

        Called while holding the lock, so no other live scheduler can own them.
        A child still running for a dead scheduler of this host is stopped: it
        would otherwise run beside the next instance of its job.
        """
        notes = []
        with closing(_connect(self.path)) as db:
            rows = db.execute("SELECT * FROM schedule_history WHERE status='running' AND scheduler_pid != ?",
                              (self.pid,)).fetchall()
            for row in rows:
                note = f"scheduler pid {row['scheduler_pid']} on {row['host']} ended while the job ran"
                child = row["child_pid"]
                if row["host"] == self.host and child and pid_alive(child) and "commands.cli" in (_cmdline(child) or ""):
                    try:
                        os.killpg(child, signal.SIGTERM)
                        note += f"; its orphaned child process {child} was stopped"
                    except (ProcessLookupError, PermissionError):
                        pass
                db.execute("UPDATE schedule_history SET status='abandoned', ended_at=?, stderr_tail=? WHERE id=?",
                           (_now().isoformat(), note, row["id"]))
                notes.append(f"{row['job_id']} slot {row['slot']}: {note}")
        return notes


def save_job_states(path: Path, conf: Any, states: dict[str, tuple[str, str]]) -> None:
    with closing(_connect(path)) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM schedule_jobs")
        for spec in conf.jobs:
            state, note = states[spec.id]
            db.execute("INSERT INTO schedule_jobs VALUES (?,?,?,?,?,?)",
                       (spec.id, spec.spec, json.dumps([list(c) for c in spec.commands]), state, note,
                        _now().isoformat()))
        db.execute("COMMIT")


@dataclass
class StatusSnapshot:
    """What `zwgk status` shows, read in one go: the lock, each job's state, next run, last run
    and last success, and the latest problems."""
    holder: Any
    states: dict[str, Any] = field(default_factory=dict)
    next_runs: dict[str, Any] = field(default_factory=dict)
    last: dict[str, Any] = field(default_factory=dict)
    last_ok: dict[str, Any] = field(default_factory=dict)
    recent_errors: list[Any] = field(default_factory=list)


def status_snapshot(db: sqlite3.Connection, job_ids: list[str]) -> StatusSnapshot:
    snap = StatusSnapshot(_holder(db))
    snap.states = {r["job_id"]: r for r in db.execute("SELECT * FROM schedule_jobs")}
    snap.next_runs = {r["id"]: r["next_run_time"] for r in db.execute("SELECT id, next_run_time FROM schedule_jobstore")}
    for job_id in job_ids:
        snap.last[job_id] = db.execute("SELECT * FROM schedule_history WHERE job_id=? "
                                       "AND status NOT IN ('missed', 'skipped') ORDER BY id DESC LIMIT 1",
                                       (job_id,)).fetchone()
        snap.last_ok[job_id] = db.execute("SELECT started_at FROM schedule_history WHERE job_id=? AND status='ok' "
                                          "ORDER BY id DESC LIMIT 1", (job_id,)).fetchone()
    snap.recent_errors = list(db.execute(
        "SELECT * FROM schedule_history WHERE status NOT IN ('ok', 'running') ORDER BY id DESC LIMIT 5"))
    return snap
