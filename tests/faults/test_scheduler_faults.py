"""kill -9 of `zwgk schedule` at random points of a job (fixed seed), on a small loopback site.

Each repetition: a scheduler (restarted after the previous kill: its first job is the run that
must proceed) runs `inspect` (crawl + check) every 2 s and is killed with SIGKILL at a point
drawn from states (the crawl's run row appearing or its documents reaching a threshold, the
check's child or run row appearing, the moment after a job ended).  After every kill: the job child's process group is
gone (the children die with the scheduler), no check has judged a crawl that is not complete,
and the runs that were complete stay complete with the same rows.  At the end: no slot ran
twice, nothing is left running, every complete crawl equals an uninterrupted crawl and every
complete check gives the uninterrupted run's findings."""
from __future__ import annotations

import os
import random
import signal
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import commands.steps as steps
from tests.crawler.servers import BigSite, Sites
from tests.faults.test_crawl_faults import count, dup_link_checks
from tests.faults.test_crawl_faults import wait_for as poll
from tests.test_scheduler import history, reap, rows, start, stop, wait_for
from zwgk.config import load_config
from zwgk.store import Store

SEED = 20261126
KILLS = int(os.environ.get("ZWGK_FAULT_KILLS", "10"))
CEILING = 180          # a ceiling against hangs only, never a claim about speed
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEDULE = {"inspect": "every 2s", "report": "off", "media": "off", "notify": "off", "probe": "off",
            "heartbeat": 0.5, "lock_stale_after": 5, "misfire_grace_time": 600, "stop_grace": 2,
            "log_file": "scheduler.log"}


def group_alive(pgid: int) -> bool:
    """A live (non-zombie) process in process group ``pgid``."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def schedule_config(sites: Sites, directory: Path) -> Path:
    path = sites.write_config(directory, [{"id": "big", "name": "大站", "url": sites.url("big.test"),
                                           "unit": "县政府办公室"}], concurrency_per_host=2)
    text = path.read_text(encoding="utf-8") + "\n[schedule]\n" + "".join(
        f"{k} = {v!r}\n".replace("'", '"') for k, v in SCHEDULE.items())
    path.write_text(text, encoding="utf-8")
    return path


def crawl_snapshot(db: Path) -> dict[int, tuple[str, int, int, int]]:
    """Every crawl run that is complete: (status, pages, documents, link checks)."""
    out = {}
    for r in rows(db, "SELECT id FROM runs WHERE kind='crawl' AND status='complete'"):
        out[r["id"]] = ("complete", count(db, "SELECT COUNT(*) FROM pages WHERE run_id=?", r["id"]),
                        count(db, "SELECT COUNT(*) FROM documents WHERE run_id=?", r["id"]),
                        count(db, "SELECT COUNT(*) FROM link_checks WHERE run_id=?", r["id"]))
    return out


def judged_unfinished(db: Path) -> list[int]:
    """Complete check runs whose crawl is not complete (a crawl that lost data was judged)."""
    return [r["id"] for r in rows(db, "SELECT c.id FROM runs c JOIN runs k ON k.id = c.crawl_run_id "
                                      "WHERE c.kind='check' AND c.status='complete' AND k.status != 'complete'")]


def kill_point(rng: random.Random) -> tuple[str, int]:
    kind = rng.choice(["crawl", "crawl", "crawl", "check-child", "check-run", "between"])
    return kind, (rng.choice([0, 1, 5, 10]) if kind == "crawl" else 0)


def reached(db: Path, pid: int, kind: str, threshold: int) -> bool:
    """The kill point, in this scheduler's first job (after it, for "between").  A state that
    passed between two polls (a crawl writes in batches, a check is quick) falls back to the
    next state of the same job: its next step, or its end."""
    mine = [r for r in history(db, "inspect") if r["scheduler_pid"] == pid]
    if kind == "between":
        return any(r["status"] == "ok" for r in mine) and not any(r["status"] == "running" for r in mine)
    later = [r for r in mine if r["child_pid"]]
    if not later:
        return False
    row = later[0]
    if row["status"] != "running":
        return True                                   # fallback: right after the job ended
    if kind == "crawl":
        if row["command"] != "crawl":
            return True                               # fallback: in the check
        return count(db, "SELECT COUNT(*) FROM documents WHERE run_id=(SELECT MAX(id) FROM runs "
                         "WHERE kind='crawl' AND status='running')") >= threshold and (
            threshold > 0 or count(db, "SELECT COUNT(*) FROM runs WHERE kind='crawl' AND status='running'") > 0)
    if row["command"] != "check":
        return False
    if kind == "check-child":
        return True
    return count(db, "SELECT COUNT(*) FROM runs WHERE kind='check' AND pid=?", row["child_pid"]) > 0


def test_kill_9_of_the_scheduler_at_random_points(tmp_path: Path, fault_table: Any) -> None:
    rng = random.Random(SEED + 2)
    big = BigSite(columns=1, docs=20, etags=False)
    with Sites({"big.test": big}) as sites:
        # The uninterrupted run, on the day the scheduler's slots judge (Asia/Shanghai).
        as_of = datetime.now(SHANGHAI).date()
        ref_cfg = load_config(schedule_config(sites, tmp_path / "ref"))
        ref = steps.crawl(ref_cfg, as_of, quiet=True)
        assert ref.status == "complete", ref
        ref_check = steps.check(ref_cfg, as_of)
        with Store(ref_cfg.database) as store:
            want_docs = sorted(d.url for d in store.documents(ref.run_id))
            want_findings = sorted(f.key() for f in store.findings(ref_check.run_id))
        assert len(want_docs) == 20

        config = schedule_config(sites, tmp_path / "sched")
        db, log = config.parent / "zwgk.sqlite3", config.parent / "scheduler.log"
        procs: list[Any] = []
        orphans = judged = changed = 0
        complete: dict[int, tuple[str, int, int, int]] = {}
        try:
            for i in range(KILLS):
                proc = start(config)
                procs.append(proc)
                kind, threshold = kill_point(rng)
                poll(lambda: proc.poll() is not None or reached(db, proc.pid, kind, threshold),  # noqa: B023
                     CEILING, f"kill point {kind} {threshold} (repetition {i})")
                print(f"repetition {i}: killed at {kind} {threshold}")
                assert proc.poll() is None, proc.stderr_path.read_text(encoding="utf-8")
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(CEILING)
                done_at_kill = {r["id"] for r in rows(db, "SELECT id FROM runs WHERE status='complete'")}
                children = [r["child_pid"] for r in history(db) if r["scheduler_pid"] == proc.pid and r["child_pid"]]
                # The job child's process group dies with the scheduler: it neither lingers nor
                # finishes its crawl or check on its own (an orphan would, after a few seconds).
                poll(lambda: not any(group_alive(c) for c in children), 30, "the job children to die")  # noqa: B023
                orphan_work = [r["id"] for r in rows(db, "SELECT id, pid FROM runs WHERE status='complete'")
                               if r["id"] not in done_at_kill and r["pid"] in children]
                orphans += len(orphan_work)
                judged += len(judged_unfinished(db))
                now = crawl_snapshot(db)
                changed += sum(1 for run_id, snap in complete.items() if now.get(run_id) != snap)
                complete.update(now)
            # The run after the last kill proceeds, and a clean stop ends the test.
            last = start(config)
            procs.append(last)
            wait_for(lambda: any(r["status"] == "ok" and r["scheduler_pid"] == last.pid
                                 for r in history(db, "inspect")), CEILING, "a job after the last kill", log)
            assert stop(last, CEILING) == 0
        finally:
            reap(db, *procs)

    slots = rows(db, "SELECT job_id, slot, COUNT(*) AS n FROM schedule_history GROUP BY job_id, slot")
    twice = sum(r["n"] - 1 for r in slots)
    hist = history(db)
    left_running = [r for r in hist if r["status"] == "running"]
    abandoned = [r for r in hist if r["status"] == "abandoned"]
    with Store(db) as store:
        alive = [r["id"] for r in rows(db, "SELECT id, pid FROM runs WHERE status='running'")
                 if r["pid"] and Path(f"/proc/{r['pid']}").exists()]
        store.mark_abandoned_runs()
        crawls = [r for r in store.db.execute("SELECT id, status FROM runs WHERE kind='crawl'")]
        checks = [r for r in store.db.execute("SELECT id, status, crawl_run_id FROM runs WHERE kind='check'")]
        lost = dup = false = missing = 0
        for r in crawls:
            got = [d.url for d in store.documents(r["id"])]
            dup += len(got) - len(set(got)) + dup_link_checks(db, r["id"])
            if r["status"] == "complete":
                lost += len(set(want_docs) - set(got))
        for r in checks:
            if r["status"] == "complete":
                got_f = sorted(f.key() for f in store.findings(r["id"]))
                false += len(set(got_f) - set(want_findings))
                missing += len(set(want_findings) - set(got_f))
        ran = sum(1 for r in hist if r["job_id"] == "inspect" and r["child_pid"])
    judged += len(judged_unfinished(db))
    changed += sum(1 for run_id, snap in complete.items() if crawl_snapshot(db).get(run_id) != snap)
    survived = KILLS if not (orphans or judged or changed or twice or lost or dup or false or missing) else 0
    fault_table("kill -9 of zwgk schedule at random points of a job", cases=KILLS, survived=survived,
                false_findings=false + judged, lost=lost + missing + changed, duplicated=dup + twice)
    assert twice == 0 and not left_running and not alive, (twice, left_running, alive)
    assert len(abandoned) >= 1                       # the killed slots are marked, not rerun
    assert len(crawls) <= ran and len(checks) <= ran  # a run per slot at most (a resumed crawl reuses its run)
    assert orphans == 0 and judged == 0 and changed == 0
    assert lost == 0 and dup == 0 and false == 0 and missing == 0
    assert any(r["status"] == "complete" for r in checks)
