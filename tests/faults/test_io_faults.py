"""Faults outside the crawl: a server dripping one byte at a time (probe, 政务新媒体), storage
faults at the CLI, the outbox killed during the rate-limit wait and by kill -9 at random points."""
from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from crawler.media.readers import fetch as media_fetch
from crawler.probes.http import fetch as probe_fetch
from reports.notify import Outbox, notify
from testbed.smtp import Component
from tests.reports.test_notify import NOW, RUN2, add_check_run, round_trip_findings, write_config
from zwgk.config import load_config
from zwgk.records.probes import ProbeOutcome
from zwgk.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261126
KILLS = int(os.environ.get("ZWGK_FAULT_KILLS", "10"))


class Drip:
    """Answers every connection with an HTTP response sent one byte every ``pace`` seconds."""

    def __init__(self, pace: float = 0.05) -> None:
        self.pace = pace
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.drip, args=(conn,), daemon=True).start()

    def drip(self, conn: socket.socket) -> None:
        data = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000
        try:
            conn.recv(65536)
            for i in range(len(data)):
                if self.stop.wait(self.pace):
                    break
                conn.sendall(data[i:i + 1])
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> "Drip":
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.sock.close()


def test_a_dripping_server_cannot_stretch_the_time_limit(fault_table: Any) -> None:
    with Drip() as drip:
        url = f"http://127.0.0.1:{drip.port}/"
        started = time.monotonic()
        probe = probe_fetch(url, "127.0.0.1", timeout=1.0)
        probe_s = time.monotonic() - started
        started = time.monotonic()
        media = media_fetch(url, timeout=1.0)
        media_s = time.monotonic() - started
    assert probe.outcome is ProbeOutcome.TIMEOUT and probe_s < 2.5, (probe, probe_s)
    assert media.outcome is not None and media.outcome.value.upper() == "UNREACHABLE" and media_s < 2.5, (media, media_s)
    fault_table("1 byte per 50 ms sender (probe + media, 1 s limit)", cases=2, survived=2)


# -- storage faults at the CLI ---------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def storage_config(tmp: Path, database: Path) -> Path:
    path = tmp / "config.toml"
    path.write_text(f'[zwgk]\ndatabase = "{database}"\n\n[[units]]\nname = "县政府办公室"\ntype = "部门"\n',
                    encoding="utf-8")
    return path


def mount_tmpfs(where: Path, size: str = "2m") -> bool:
    """A small tmpfs (root only); False when mounting is not permitted here."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("fault", ["corrupt", "newer-schema", "read-only", "full-disk"])
def test_storage_faults_give_one_line_and_exit_4(tmp_path: Path, fault: str, fault_table: Any) -> None:
    mounted = fault in ("read-only", "full-disk")
    where = tmp_path / "fs"
    if mounted and not mount_tmpfs(where):
        pytest.skip("needs root and permission to mount a tmpfs (read-only / full file system)")
    db = (where if mounted else tmp_path) / "zwgk.sqlite3"
    try:
        if fault == "corrupt":
            db.write_bytes(b"this is not sqlite" * 100)
        elif fault == "newer-schema":
            with Store(db):
                pass
            con = sqlite3.connect(db)
            con.execute("PRAGMA user_version=999")
            con.close()
        elif fault == "read-only":
            with Store(db):
                pass
            subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        else:
            with Store(db):
                pass
            with open(where / "filler", "wb", buffering=0) as f:   # fill it to the last block (unbuffered: close never writes)
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError:
                    pass
        args = ("crawl", "--config") if fault == "full-disk" else ("check", "--config")
        done = run_cli(*args, str(storage_config(tmp_path, db)), "--as-of", "2026-11-26")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr and str(db) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    fault_table(f"storage fault: {fault}" + (" (tmpfs)" if mounted else ""))


# -- the outbox ----------------------------------------------------------------------------------
@pytest.fixture
def smtp() -> Iterator[Component]:
    with Component() as server:
        yield server


class Killed(BaseException):
    pass


def test_a_notice_killed_during_the_rate_limit_wait_stays_queued(tmp_path: Path, smtp: Component,
                                                                 fault_table: Any) -> None:
    path = write_config(tmp_path, smtp)
    path.write_text(path.read_text(encoding="utf-8").replace("rate_per_minute = 0", "rate_per_minute = 1"),
                    encoding="utf-8")
    config = load_config(path)
    add_check_run(config, RUN2, round_trip_findings())

    def sleep(seconds: float) -> None:
        raise Killed()   # the process dies while waiting for its next slot

    with pytest.raises(Killed):
        notify(config, now=NOW, sleep=sleep)
    with Store(config.database) as store:
        rows = Outbox(store).rows()
        statuses = sorted(r["status"] for r in rows)
    assert statuses == ["queued", "sent"], statuses
    summary = notify(config, now=NOW, sleep=lambda s: None)
    assert summary["sent"] == 1 and len(smtp.messages) == 2
    fault_table("notify killed in the rate-limit sleep")


NOTIFY = """
import sys
from datetime import datetime, timezone
from reports.notify import notify
from zwgk.config import load_config
notify(load_config(sys.argv[1]), now=datetime(2026, 11, 27, 9, tzinfo=timezone.utc))
"""


def test_kill_9_of_notify_at_random_points(tmp_path: Path, smtp: Component, fault_table: Any) -> None:
    rng = random.Random(SEED)
    sent_twice = lost = survived = 0
    for i in range(KILLS):
        smtp.clear()
        d = tmp_path / f"n{i}"
        d.mkdir()
        path = write_config(d, smtp)
        config = load_config(path)
        add_check_run(config, RUN2, round_trip_findings())
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-c", NOTIFY, str(path)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill at a random point between start and the end of the first messages.
        target = rng.randint(0, 2)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None and len(smtp.messages) < target:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL) if proc.poll() is None else None
        proc.wait()
        notify(config, now=NOW)   # the next run finishes the job
        with Store(config.database) as store:
            rows = Outbox(store).rows()
        ids = [m.message["Message-ID"] for m in smtp.messages]
        twice = len(ids) - len(set(ids))
        uncertain = [r for r in rows if r["status"] == "sending"]
        missing = [r for r in rows if r["status"] != "sent" and r not in uncertain]
        # an uncertain notice is listed for a person, not lost; one still 'claimed' or queued is lost
        sent_twice += twice
        lost += len(missing)
        survived += int(not twice and not missing)
    fault_table("kill -9 of zwgk notify at random points (SMTP sink)", cases=KILLS, survived=survived,
                lost=lost, sent_twice=sent_twice)
    assert sent_twice == 0 and lost == 0
