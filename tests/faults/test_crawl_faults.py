"""Crawl faults on loopback: a full disk, our DNS going down, a partial site, orphans, a second
crawl, kill -9 at random points.  Each asserts no false finding and no lost or duplicated data."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

import commands.steps as steps
from checks import CheckContext, Observations, run_checks
from tests.crawler.servers import BigSite, Sites
from zwgk.config import load_config
from zwgk.records import ColumnObs, PageObs, Unit, Site
from zwgk.store import Store
from zwgk.workdays import WorkdayCalendar

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 26)
SEED = 20261126
KILLS = int(os.environ.get("ZWGK_FAULT_KILLS", "10"))


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "a state") -> Any:
    """Poll a state (never a fixed sleep standing in for an event)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def count(database: Path, sql: str, *args: Any) -> int:
    if not Path(database).exists():
        return 0
    db = sqlite3.connect(database, timeout=30)
    try:
        return int(db.execute(sql, args).fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def big_config(sites: Sites, tmp: Path, **crawl: Any) -> Path:
    return sites.write_config(tmp, [{"id": "big", "name": "大站", "url": sites.url("big.test"),
                                     "unit": "县政府办公室"}], **crawl)


def dup_link_checks(database: Path, run_id: int) -> int:
    return count(database, "SELECT COUNT(*) FROM (SELECT url, checked_at FROM link_checks WHERE run_id=? "
                           "GROUP BY url, checked_at HAVING COUNT(*) > 1)", run_id)


# -- a full disk -------------------------------------------------------------------------------
def test_full_disk_keeps_the_crawl_incomplete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              fault_table: Any) -> None:
    """ENOSPC simulated in the crawler child (sqlite's "database or disk is full" on a page
    write after the first batch): no tmpfs needed, so this runs with or without root."""
    big = BigSite(columns=3, docs=80, etags=False)
    with Sites({"big.test": big}) as sites:
        config = load_config(big_config(sites, tmp_path))
        first = steps.crawl(config, AS_OF, quiet=True)
        assert first.status == "complete"
        baseline = steps.check(config, AS_OF)
        base_findings = count(config.database, "SELECT COUNT(*) FROM findings WHERE run_id=?", baseline.run_id)

        monkeypatch.setattr(steps, "CRAWLER_MODULE", "tests.faults.enospc_crawler")
        monkeypatch.setenv("ZWGK_TEST_WRITES_BEFORE_FULL", "1")
        full = steps.crawl(config, AS_OF, quiet=True, fresh=True)
        assert full.status == "incomplete", full
        assert any("writes to the database failed" in e for e in full.errors)
        monkeypatch.setattr(steps, "CRAWLER_MODULE", "crawler.run")
        # The check judges the last complete crawl, never the one that lost its writes.
        again = steps.check(config, AS_OF)
        with Store(config.database) as store:
            assert store.run(again.run_id).crawl_run_id == first.run_id
        got = count(config.database, "SELECT COUNT(*) FROM findings WHERE run_id=?", again.run_id)
    false = max(got - base_findings, 0)
    fault_table("full disk during crawl (ENOSPC, in-process)", false_findings=false)
    assert false == 0


# -- our DNS goes down mid-crawl --------------------------------------------------------------------
def test_our_resolver_failing_mid_crawl_degrades_it(tmp_path: Path, fault_table: Any) -> None:
    big = BigSite(columns=3, docs=60, etags=False, delay=0.02)
    with Sites({"big.test": big}) as sites:
        config = load_config(big_config(sites, tmp_path, concurrency_per_host=2))
        result: dict[str, Any] = {}
        t = threading.Thread(target=lambda: result.setdefault("r", steps.crawl(config, AS_OF, quiet=True)))
        t.start()
        try:
            wait_for(lambda: count(config.database, "SELECT COUNT(*) FROM pages") >= 20, what="20 pages stored")
            sites.dns.stop()   # our resolver is gone from here on
        finally:
            t.join(120)
        crawl = result["r"]
    assert crawl.status == "degraded", crawl
    assert any("connectivity failed" in e or "degraded" in e for e in crawl.errors)
    with pytest.raises(steps.PipelineError):
        steps.check(config, AS_OF)   # nothing complete to judge: no finding at all
    fault_table("our DNS down at ~40 % of a crawl")


# -- a partial site ------------------------------------------------------------------------------
def test_partial_site_is_not_judged_for_structure_and_freshness(fault_table: Any) -> None:
    now = datetime(2026, 11, 26, tzinfo=timezone.utc)
    unit = Unit("大河家镇", "乡镇", "", ("http://p.test/zwgk/dhjz/",))
    site = Site("p", "门户", "http://p.test/", "大河家镇")
    page = PageObs(1, "p", "http://p.test/zwgk/dhjz/", "entry", None, 200, "utf-8", False, "平台", None, None,
                   0, False, None, 0, now)
    col = ColumnObs(1, "p", "http://p.test/zwgk/dhjz/zn/", "政府信息公开指南", None, None, 1, None, None, 1,
                    False, now)
    obs = Observations(run_id=1, sites=(site,), units=(unit,), pages=(page,), columns=(col,))
    whole = list(run_checks(obs, {}, CheckContext(AS_OF, WorkdayCalendar())))
    assert any(f.rule == "COL001" for f in whole)       # three columns missing on a complete crawl
    ctx = CheckContext(AS_OF, WorkdayCalendar())
    partial = list(run_checks(Observations(**{**obs.__dict__, "partial_sites": {"p": "network errors"}}),
                              {}, ctx))
    false = sum(1 for f in partial if f.rule[:3] in ("COL", "UPD", "LAG"))
    assert false == 0 and "COL001" in ctx.unverified_by_rule()
    # Nor is last week's COL001 told 已整改 from a partial crawl: it could not be re-checked.
    from checks import verifies
    partial_obs = Observations(**{**obs.__dict__, "partial_sites": {"p": "network errors"}})
    earlier = next(f for f in whole if f.rule == "COL001")
    assert verifies(obs, earlier) and not verifies(partial_obs, earlier)
    # Zero columns under the prefix: 无法核验, not four COL001.
    ctx = CheckContext(AS_OF, WorkdayCalendar())
    none = list(run_checks(Observations(**{**obs.__dict__, "columns": ()}), {}, ctx))
    assert not [f for f in none if f.rule == "COL001"]
    assert any("未发现任何栏目" in s for s in ctx.unverified_by_rule()["COL001"])
    fault_table("partial site / zero columns under a prefix", false_findings=false)


def test_sharp_drop_with_network_errors_makes_the_site_partial(tmp_path: Path) -> None:
    big = BigSite(columns=3, docs=30, etags=False)
    with Sites({"big.test": big}) as sites:
        config = load_config(big_config(sites, tmp_path))
        assert steps.crawl(config, AS_OF, quiet=True).status == "complete"
        with Store(config.database) as store:
            run = store.start_run("crawl", AS_OF)
            prev = store.latest_run("crawl", before=run)
            pages = [p for p in store.pages(prev.id)][:5]
            store.add_pages([PageObs(**{**p.__dict__, "run_id": run}) for p in pages])
            from zwgk.records import LinkCheck, LinkOutcome
            store.add_link_checks([LinkCheck(run, sites.url("big.test", f"/x{i}"), LinkOutcome.TIMEOUT, None, None,
                                             datetime.now(timezone.utc)) for i in range(2)]
                                  + [LinkCheck(run, p.url, LinkOutcome.OK, 200, None, datetime.now(timezone.utc))
                                     for p in pages])
        partial = steps.partial_sites(config, run)
    assert "big" in partial and "pages" in partial["big"]


# -- orphans and the lock -----------------------------------------------------------------------
def children_of(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def zwgk(*args: str, **kw: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "commands.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_the_crawler_child_dies_with_zwgk_crawl(tmp_path: Path, sig: int, fault_table: Any) -> None:
    big = BigSite(columns=3, docs=60, etags=False, delay=0.03)
    with Sites({"big.test": big}) as sites:
        path = big_config(sites, tmp_path, concurrency_per_host=2)
        config = load_config(path)
        parent = zwgk("crawl", "--config", str(path), "--as-of", AS_OF.isoformat())
        try:
            child = wait_for(lambda: children_of(parent.pid), what="the crawler child")[0]
            wait_for(lambda: count(config.database, "SELECT COUNT(*) FROM documents") >= 10, what="10 documents")
            # A second crawl meanwhile is refused, naming the lock.
            second = zwgk("crawl", "--config", str(path), "--as-of", AS_OF.isoformat())
            _, err = second.communicate(timeout=60)
            assert second.returncode != 0 and "another crawl" in err, err
            os.kill(parent.pid, sig)
            parent.wait(30)
            wait_for(lambda: not alive(child), timeout=30, what="the orphan to die")
        finally:
            if parent.poll() is None:
                parent.kill()
            parent.communicate()
        # The next crawl resumes alone: every document once, no duplicated link check.
        done = steps.crawl(config, AS_OF, quiet=True)
        assert done.status == "complete", done
        docs = count(config.database, "SELECT COUNT(*) FROM documents WHERE run_id=?", done.run_id)
        dup = dup_link_checks(config.database, done.run_id)
    fault_table(f"{signal.Signals(sig).name} of zwgk crawl (orphan child)", lost=180 - docs, duplicated=dup)
    assert docs == 180 and dup == 0


# -- kill -9 at random points ---------------------------------------------------------------------
def crawl_state(store: Store, run_id: int) -> tuple[list[str], list[str], dict[str, str]]:
    """What a crawl stored, as compared with an uninterrupted one: page URLs, document URLs
    (sorted, duplicates kept) and the final outcome of each checked link."""
    return (sorted(p.url for p in store.pages(run_id)), sorted(d.url for d in store.documents(run_id)),
            store.final_link_outcomes(run_id))


def test_kill_9_of_the_crawl_at_random_points(tmp_path: Path, fault_table: Any) -> None:
    """kill -9 of `zwgk crawl` when the stored documents reach a random threshold (0: as soon
    as the crawl's run row exists), KILLS times with a fixed seed; the resumed crawl must equal
    an uninterrupted one (pages, documents, link checks, the check's findings), with no
    duplicated row and no crawler child outliving its parent."""
    rng = random.Random(SEED)
    big = BigSite(columns=2, docs=40, etags=False, delay=0.01)
    with Sites({"big.test": big}) as sites:
        ref_cfg = load_config(big_config(sites, tmp_path / "ref"))
        ref = steps.crawl(ref_cfg, AS_OF, quiet=True)
        assert ref.status == "complete", ref
        ref_check = steps.check(ref_cfg, AS_OF)
        with Store(ref_cfg.database) as store:
            want_pages, want_docs, want_links = crawl_state(store, ref.run_id)
            want_findings = sorted(f.key() for f in store.findings(ref_check.run_id))
        survived = lost = dup = false = orphans = 0
        for i in range(KILLS):
            path = big_config(sites, tmp_path / f"k{i}", concurrency_per_host=2)
            config = load_config(path)
            parent = zwgk("crawl", "--config", str(path), "--as-of", AS_OF.isoformat())
            threshold = rng.randint(0, len(want_docs) - 5)
            child = None
            try:
                child = wait_for(lambda: children_of(parent.pid) or parent.poll() is not None,
                                 what="the crawler child")
                child = child[0] if isinstance(child, list) else None
                wait_for(lambda: parent.poll() is not None or (
                    count(config.database, "SELECT COUNT(*) FROM documents") >= threshold if threshold else
                    count(config.database, "SELECT COUNT(*) FROM runs WHERE kind='crawl'") > 0),
                    what=f"the kill point ({threshold} documents)")
                os.kill(parent.pid, signal.SIGKILL)
            finally:
                parent.communicate()
            # The crawler child dies with its parent (PR_SET_PDEATHSIG): gone before the resume.
            if child is not None:
                try:
                    wait_for(lambda: not alive(child), timeout=30, what="the crawler child to die")
                except AssertionError:
                    orphans += 1
            done = steps.crawl(config, AS_OF, quiet=True)
            checked = steps.check(config, AS_OF)
            with Store(config.database) as store:
                pages, docs, links = crawl_state(store, done.run_id)
                findings = sorted(f.key() for f in store.findings(checked.run_id))
                judged = store.run(checked.run_id).crawl_run_id
            l = (len(set(want_pages) - set(pages)) + len(set(want_docs) - set(docs))
                 + len(set(want_links) - set(links)) + sum(links.get(u) != o for u, o in want_links.items()
                                                            if u in links))
            d = (len(pages) - len(set(pages)) + len(docs) - len(set(docs))
                 + dup_link_checks(config.database, done.run_id))
            f = len(set(findings) ^ set(want_findings))
            lost += l
            dup += d
            false += f
            survived += int(done.status == "complete" and judged == done.run_id and not (l or d or f)
                            and set(pages) == set(want_pages) and set(docs) == set(want_docs))
    fault_table("kill -9 of zwgk crawl at random points", cases=KILLS, survived=survived - orphans,
                false_findings=false, lost=lost, duplicated=dup)
    assert orphans == 0 and survived == KILLS and lost == 0 and dup == 0 and false == 0


def test_kill_9_of_check_and_report_at_random_points(tmp_path: Path, fault_table: Any) -> None:
    rng = random.Random(SEED + 1)
    big = BigSite(columns=2, docs=20, etags=False)
    with Sites({"big.test": big}) as sites:
        path = big_config(sites, tmp_path)
        config = load_config(path)
        assert steps.crawl(config, AS_OF, quiet=True).status == "complete"
        ref = steps.check(config, AS_OF)
        with Store(config.database) as store:
            want = sorted(f.key() for f in store.findings(ref.run_id))
        results = {"check": [0, 0, 0], "report": [0, 0, 0]}   # survived, false findings, lost
        for i in range(KILLS):
            for step in ("check", "report"):
                proc = zwgk(step, "--config", str(path), "--as-of", AS_OF.isoformat(),
                            *(("--out", str(tmp_path / f"r{i}")) if step == "report" else ()))
                out = tmp_path / f"r{i}"
                before = count(config.database, "SELECT MAX(id) FROM runs WHERE kind='check'")
                # The kill point is a state, drawn with the fixed seed (or the process's end,
                # when it got there first): for check, its run row appearing or its findings
                # reaching a threshold; for report, its folder or its first file appearing.
                if step == "check":
                    point = rng.choice(["started", "run row", "findings"])
                    k = rng.randint(1, max(1, len(want)))
                    state = {
                        "started": lambda: Path(f"/proc/{proc.pid}").exists(),
                        "run row": lambda: count(config.database, "SELECT COUNT(*) FROM runs WHERE kind='check' "
                                                                  "AND id>?", before) > 0,
                        "findings": lambda: count(config.database, "SELECT COUNT(*) FROM findings WHERE run_id>?",
                                                  before) >= k,
                    }[point]
                else:
                    point = rng.choice(["started", "folder", "a file"])
                    state = {
                        "started": lambda: Path(f"/proc/{proc.pid}").exists(),
                        "folder": lambda: out.exists(),
                        "a file": lambda: out.exists() and any(out.iterdir()),
                    }[point]
                wait_for(lambda: proc.poll() is not None or state(), what=f"the kill point ({step}: {point})")
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
                done = steps.check(config, AS_OF) if step == "check" else steps.report(
                    config, AS_OF, out=tmp_path / f"r{i}b")
                with Store(config.database) as store:
                    store.mark_abandoned_runs()
                    latest = store.latest_run("check")
                    got = sorted(f.key() for f in store.findings(latest.id))
                    running = count(config.database, "SELECT COUNT(*) FROM runs WHERE status='running'")
                false, lost = len(set(got) - set(want)), len(set(want) - set(got))
                r = results[step]
                r[0] += int(not false and not lost and not running and done.status == "complete")
                r[1] += false
                r[2] += lost
    for step, (ok, false, lost) in results.items():
        fault_table(f"kill -9 of zwgk {step} at random points", cases=KILLS, survived=ok, false_findings=false,
                    lost=lost)
        assert ok == KILLS and false == 0 and lost == 0


def test_a_soft_404_answered_304_stays_soft_404(tmp_path: Path, fault_table: Any) -> None:
    big = BigSite(columns=1, docs=5, etags=True)
    gone = "/zwgk/col0/gone/"

    def app(method: str, path: str, headers: dict[str, str]) -> Any:
        from tests.crawler.servers import Answer, html
        if path.startswith(gone):
            body = html("页面不存在", "<h1>页面不存在</h1>")
            ans = Answer(200, body, {"Content-Type": "text/html; charset=utf-8", "ETag": '"gone1"'})
            if headers.get("If-None-Match") == '"gone1"':
                return Answer(304, b"", {"ETag": '"gone1"'})
            return ans
        ans = big(method, path, headers)
        if path in ("/", "/index.html") and ans.status == 200:
            ans.body = ans.body.replace(b"</body>", f'<a href="{gone}">旧栏目</a></body>'.encode())
            ans.headers.pop("ETag", None)
        return ans

    with Sites({"big.test": app}) as sites:
        config = load_config(big_config(sites, tmp_path))
        runs = [steps.crawl(config, AS_OF, quiet=True) for _ in range(2)]
        with Store(config.database) as store:
            got = [store.final_link_outcomes(r.run_id).get(sites.url("big.test", gone)) for r in runs]
        conditional = sum(1 for h in sites.hits if h.path.startswith(gone) and "If-None-Match" in h.headers)
    print(f"conditional requests of the soft 404: {conditional}")
    fault_table("soft 404 answered 304 on a re-crawl", false_findings=0, lost=sum(g != "SOFT_404" for g in got))
    assert got == ["SOFT_404", "SOFT_404"], got
