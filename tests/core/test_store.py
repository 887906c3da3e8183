"""The store: migrations, and a crashed run never corrupts earlier results."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import AS_OF, Inspection
from commands import steps as pipeline
from commands.common import load_config
from zwgk.store import MIGRATIONS, Store


def test_migrations_apply_once(tmp_path: Path) -> None:
    with Store(tmp_path / "z.sqlite3") as store:
        assert store.schema_version == len(MIGRATIONS)
    with Store(tmp_path / "z.sqlite3") as store:   # reopening applies nothing twice
        assert store.schema_version == len(MIGRATIONS)
        assert store.db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "z.sqlite3") as store:
        store.db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    with pytest.raises(RuntimeError, match="newer than this zwgk"):
        Store(tmp_path / "z.sqlite3")


def test_run_of_a_dead_process_is_marked_incomplete(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with Store(tmp_path / "z.sqlite3") as store:
        run_id = store.start_run("crawl", date(2026, 11, 26), pid=dead.pid)
        alive = store.start_run("crawl", date(2026, 11, 26), pid=os.getpid())
        assert store.mark_abandoned_runs() == [run_id]
        assert store.run(run_id).status == "incomplete"
        assert store.run(alive).status == "running"


def test_crashed_crawl_is_incomplete_and_checks_use_the_last_complete_one(
        inspected_copy: Path, inspection: Inspection, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(inspected_copy)        # the session's complete crawl, copied
    good = inspection.results[0]
    with Store(config.database) as store:
        assert store.run(good.run_id).status == "complete"
        docs_before = store.documents(good.run_id)
    assert docs_before

    monkeypatch.setattr(pipeline, "CRAWLER_MODULE", "tests.core.crash_crawler")
    bad = pipeline.crawl(config, AS_OF, quiet=True)
    assert bad.status == "incomplete" and "code 9" in bad.errors[0]

    check = pipeline.check(config, AS_OF)
    with Store(config.database) as store:
        assert store.run(bad.run_id).status == "incomplete"
        assert store.run(check.run_id).crawl_run_id == good.run_id
        assert store.documents(good.run_id) == docs_before


def test_link_check_verdicts_survive_the_store_and_old_rows_read_as_unknown(tmp_path: Path) -> None:
    """Migration 4 adds the typed DNS verdict, refusal and health of a link check; a store
    made before it migrates in place, and its rows are 'not known healthy' (never confirm)."""
    import sqlite3
    from datetime import datetime, timezone

    from zwgk.records import LinkCheck, LinkOutcome
    from zwgk.records.probes import ResolveStatus

    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    for sql in MIGRATIONS[:3]:
        con.executescript(sql)
    con.execute("PRAGMA user_version=3")
    con.execute("INSERT INTO runs(id, kind, as_of, started_at, status) VALUES (1,'crawl','2026-11-25','x','complete')")
    con.execute("INSERT INTO link_checks VALUES (1,'http://gone.test/','DNS_ERROR',NULL,'dns=NXDOMAIN','2026-11-25T01:00:00+00:00')")
    con.commit()
    con.close()
    at = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        [old] = store.link_checks()
        assert (old.dns, old.refused, old.healthy, old.site_failure) == (None, False, None, False)
        run = store.start_run("crawl", date(2026, 11, 26))
        store.add_link_checks([
            LinkCheck(run, "http://gone.test/", LinkOutcome.DNS_ERROR, None, None, at, dns=ResolveStatus.NXDOMAIN,
                      healthy=True),
            LinkCheck(run, "http://dead.test/", LinkOutcome.CONNECT_ERROR, None, None, at, refused=True, healthy=False)])
        nx, dead = sorted((c for c in store.link_checks(up_to_run=run) if c.run_id == run), key=lambda c: c.url)[::-1]
        assert (nx.dns, nx.healthy, nx.site_failure) == (ResolveStatus.NXDOMAIN, True, True)
        assert (dead.refused, dead.healthy, dead.site_failure) == (True, False, False)
