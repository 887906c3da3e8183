"""The three steps of an inspection — crawl, check, report — each a run in the store.

The crawl runs in a child process (Twisted's reactor cannot restart in one
process, and a crash must not take the caller along).  A run that fails or is
killed is marked incomplete; checks and reports only read complete runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checks import REGISTRY, CheckContext, Observations, excluded_by_config, run_checks, verifies
from reports.lifecycle import record
from checks._probes import WINDOW_DAYS as PROBE_WINDOW_DAYS, end_of
from zwgk.store import content as content_store
from zwgk.store import media_observations
from zwgk.store import probes as probe_store
from zwgk.config import Config
from zwgk.store import Store, utcnow
from zwgk.store import crawl as crawl_store
from zwgk.workdays import calendar_for


# The child-process entry of a crawl (tests point it at a module that crashes).
CRAWLER_MODULE = "crawler.run"


class PipelineError(Exception):
    """A step could not run (nothing to check, crawl crashed …): the message says why."""


@dataclass
class StepResult:
    step: str
    run_id: int | None
    status: str
    duration_s: float
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "run_id": self.run_id, "status": self.status,
                "duration_s": round(self.duration_s, 2), "counts": self.counts, "errors": self.errors,
                "outputs": self.outputs}


def crawl(config: Config, as_of: date, quiet: bool = False, fresh: bool = False, full: bool = False) -> StepResult:
    """Crawl every site in a child process.  A crawl of the same day that was killed or
    interrupted is resumed (what it stored is kept, the rest fetched) unless ``fresh``."""
    started = time.monotonic()
    lock = acquire_crawl_lock(config.database)   # held until this process and its child are gone
    try:
        return _crawl_locked(config, as_of, lock, quiet=quiet, fresh=fresh, full=full, started=started)
    finally:
        os.close(lock)


def _crawl_locked(config: Config, as_of: date, lock: int, *, quiet: bool, fresh: bool, full: bool,
                  started: float) -> StepResult:
    with Store(config.database) as store:
        store.mark_abandoned_runs()
        last = store.latest_run("crawl", status=None)
        if last is not None and last.status == "incomplete" and last.as_of == as_of and not fresh:
            run_id = last.id   # killed or interrupted today: go on where it stopped
            store.resume_run(run_id, os.getpid())
        else:
            run_id = store.start_run("crawl", as_of)
    cmd = [sys.executable, "-m", CRAWLER_MODULE, "--config", str(config.path), "--run-id", str(run_id)]
    if fresh:
        cmd.append("--fresh")
    if full:
        cmd.append("--full")
    env = dict(os.environ)
    # The child must import the same code as we do, installed or from a checkout.
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        proc = run_child(cmd, env, quiet, lock)
    except (KeyboardInterrupt, Terminated):
        with Store(config.database) as store:
            store.finish_run(run_id, "incomplete", {"error": "interrupted"})
        raise
    summary: dict[str, Any] = {}
    lines = [l for l in (proc.stdout or "").splitlines() if l.strip()]
    if lines:
        try:
            summary = json.loads(lines[-1])
        except json.JSONDecodeError:
            summary = {}
    errors = []
    if summary.get("write_errors"):
        errors.append(f"writes to the database failed, the crawl is incomplete: {summary.get('write_error')}")
    if proc.returncode == 0 and not summary.get("write_errors"):
        status = "complete"
        why = degraded_crawl(config, run_id)
        lost = (summary.get("connectivity") or {}).get("failed_at")
        if lost and not why:
            why = (f"degraded: our connectivity failed at {lost} during the crawl "
                   f"({summary['connectivity'].get('reason')})")
        if why:
            status = "degraded"
            errors.append(why)
        else:
            summary["partial_sites"] = partial_sites(config, run_id)
    else:
        status = "incomplete"
        tail = (proc.stderr or "").strip().splitlines()[-5:] if quiet else []
        errors.append(f"crawler exited with code {proc.returncode}" + (": " + " | ".join(tail) if tail else ""))
    with Store(config.database) as store:
        store.finish_run(run_id, status, {**summary, "errors": errors})
        counts = {**store.counts(run_id, ("pages", "documents", "columns", "links")),
                  "network_errors": summary.get("network_errors", 0)}
    return StepResult("crawl", run_id, status, time.monotonic() - started, counts, errors)


class Terminated(PipelineError):
    """SIGTERM reached `zwgk crawl`: the child was stopped and the run left incomplete."""


class CrawlLocked(PipelineError):
    """Another crawl is writing to this database."""


def lock_path(database: Path) -> Path:
    return Path(str(database) + ".crawl.lock")


def acquire_crawl_lock(database: Path) -> int:
    """An exclusive flock on a file beside the database, or CrawlLocked naming the holder.

    The descriptor is passed on to the crawler child, so the lock lasts as long as either
    process lives: a crawl whose parent was killed cannot be joined by a second one."""
    import fcntl

    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode("ascii", "ignore").strip()
        os.close(fd)
        raise CrawlLocked(f"{path}: another crawl (pid {holder or '?'}) is writing to {database}; "
                          "wait for it to end") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _die_with_parent() -> None:
    """In the crawler child, before exec: SIGKILL when the parent dies (Linux prctl)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass   # not Linux: the process group below still lets the parent stop it
    if os.getppid() == 1:   # the parent died before prctl took effect
        os._exit(1)


def run_child(cmd: list[str], env: dict[str, str], quiet: bool, lock: int) -> subprocess.CompletedProcess[str]:
    """Run the crawler child in its own process group; it dies with us (PR_SET_PDEATHSIG), and
    SIGTERM or any exit of ours stops its whole group."""
    import signal
    import sys as _sys

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None if not quiet else subprocess.PIPE,
                            text=True, env=env, start_new_session=True, pass_fds=(lock,),
                            preexec_fn=_die_with_parent if _sys.platform.startswith("linux") else None)

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(f"signal {signum}")

    previous = None
    import threading
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        out, err = proc.communicate()
    except BaseException:
        _stop_group(proc)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _stop_group(proc: subprocess.Popen[str], grace: float = 5.0) -> None:
    """SIGTERM the child's group, SIGKILL after ``grace`` (a reactor may hang in shutdown)."""
    import signal

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def observe(config: Config, as_of: date, now: Any = None) -> StepResult:
    """Observations outside the crawl: one round of homepage probes and one poll of the
    政务新媒体 accounts, for the components that are installed and configured.

    ``now`` is when the observations count as made (default: the clock, read here at
    the edge); the demo and the testbed pass a time on ``as_of``.
    """
    from datetime import datetime, timezone

    started = time.monotonic()
    now = now or datetime.now(timezone.utc)
    counts: dict[str, Any] = {}
    errors: list[str] = []
    for name, fn in observation_steps():
        try:
            counts[name] = fn(config, now)
        except Exception as exc:  # noqa: BLE001 - one component's failure must not stop the run
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    return StepResult("observe", None, "complete" if not errors else "incomplete",
                      time.monotonic() - started, counts, errors)


def observation_steps() -> list[tuple[str, Any]]:
    """(name, fn(config, now) -> number of observations): the observers outside the crawl."""
    def probe(config: Config, now: Any) -> int:
        from crawler.probes import latest_crawl_links, probe_round, store_round

        ipv6 = config.section("probes")["ipv6"]
        with Store(config.database) as store:
            links = latest_crawl_links(store) if ipv6 else []
        result = probe_round(config, now, ipv6=ipv6, crawl_links=links)
        with Store(config.database) as store:
            store_round(store, result)
        return len(result.probes)

    def media(config: Config, now: Any) -> int:
        from commands.media import poll_and_store

        return len(poll_and_store(config, now))

    return [("probes", probe), ("media", media)]


NETWORK_FAILURES = ("DNS_ERROR", "TIMEOUT", "CONNECT_ERROR", "TLS_ERROR", "ERROR")


def degraded_crawl(config: Config, run_id: int) -> str | None:
    """Why a finished crawl says more about our network than about the sites, or None.

    When more than [network] degraded_share of the sites' homepages could not be reached
    at all (DNS, timeouts, refused connections), our resolver or uplink is the likelier
    cause: such a crawl is kept as 'degraded' and never checked, so it can neither accuse
    a site nor make earlier findings look resolved.
    """
    if not config.sites:
        return None
    with Store(config.database) as store:
        last = store.final_link_outcomes(run_id)
    down = [s.id for s in config.sites if last.get(s.url) in NETWORK_FAILURES]
    share = len(down) / len(config.sites)
    if share > config.network["degraded_share"]:
        return (f"degraded: {len(down)} of {len(config.sites)} sites unreachable by network errors "
                f"(more than {config.network['degraded_share']:.0%}): probably our own network or resolver")
    return None


def partial_sites(config: Config, run_id: int) -> dict[str, str]:
    """The sites whose crawl cannot be judged for structure and freshness, with why.

    A site is *partial* when more than ``[network] max_fetch_failure_share`` of the fetches
    of its own hosts failed by network errors, or when, with network errors, its pages or a
    unit's columns shrank by more than ``[network] partial_drop_share`` against the
    previous complete crawl: a column that failed to load is not a missing column.
    """
    bound = float(config.network.get("max_fetch_failure_share", 0.3))
    drop = float(config.network.get("partial_drop_share", 0.5))
    with Store(config.database) as store:
        previous = store.latest_run("crawl", before=run_id)
        pages_now = store.pages_per_site(run_id)
        pages_before = store.pages_per_site(previous.id) if previous else {}
        outcomes = store.final_link_outcomes(run_id)
        cols_now = store.column_urls(run_id)
        cols_before = store.column_urls(previous.id) if previous else []
    out: dict[str, str] = {}
    for site in config.sites:
        hosts = {urlsplit(site.url).hostname, *(urlsplit(u).hostname for u in site.start_urls), *site.hosts}
        own = [o for u, o in outcomes.items() if urlsplit(u).hostname in hosts]
        failures = sum(1 for o in own if o in NETWORK_FAILURES)
        if own and failures / len(own) > bound:
            out[site.id] = (f"{failures} of {len(own)} fetches failed by network errors "
                            f"(more than {bound:.0%})")
            continue
        if not failures:
            continue
        if previous is None:
            continue    # no earlier complete crawl to compare with
        before, now_ = pages_before.get(site.id, 0), pages_now.get(site.id, 0)
        if before and now_ < (1 - drop) * before:
            out[site.id] = f"{now_} pages against {before} in crawl {previous.id}, with {failures} network errors"
            continue
        for unit in config.units:
            for prefix in unit.column_prefixes:
                b = sum(1 for sid, u in cols_before if sid == site.id and u.startswith(prefix))
                n = sum(1 for sid, u in cols_now if sid == site.id and u.startswith(prefix))
                if b and n < (1 - drop) * b:
                    out[site.id] = (f"{unit.name}: {n} columns under {prefix} against {b} in crawl "
                                    f"{previous.id}, with {failures} network errors")
                    break
            if site.id in out:
                break
    return out


def degraded_reasons(store: Store, crawl_run_id: int) -> list[str]:
    """Our network was down at the last observation: a crawl after the one checked was
    degraded, or the latest probe round was."""
    reasons = []
    later = store.latest_run("crawl", status="degraded", after=crawl_run_id)
    if later:
        reasons.append(f"crawl {later.id} was degraded; checked the last complete crawl ({crawl_run_id})")
    rounds = probe_store.rounds(store)
    if rounds and rounds[-1].degraded:
        reasons.append(f"the latest probe round ({rounds[-1].started_at:%Y-%m-%d %H:%M}) was degraded: "
                       f"{rounds[-1].reason}")
    return reasons


def load_observations(store: Store, config: Config, crawl_run_id: int, as_of: date | None = None
                      ) -> Observations:
    as_of = as_of or date.today()
    # The AVL001 window reaches further back than the NET checks' week when configured so.
    days = max(PROBE_WINDOW_DAYS, int(config.rule_conf("AVL001", REGISTRY["AVL001"].DEFAULTS)["window_days"]))
    extra: dict[str, Any] = {**probe_store.load(store, end_of(as_of), days),
                             **media_observations.load(store, config, as_of),
                             **content_store.load(store, crawl_run_id)}
    return Observations(
        run_id=crawl_run_id, sites=config.sites, units=config.units,
        pages=tuple(store.pages(crawl_run_id)), columns=tuple(store.columns(crawl_run_id)),
        list_items=tuple(store.list_items(crawl_run_id)), documents=tuple(store.documents(crawl_run_id)),
        links=tuple(store.links(crawl_run_id)), link_checks=tuple(store.link_checks(up_to_run=crawl_run_id, linked_in=crawl_run_id)),
        **extra)


def check(config: Config, as_of: date) -> StepResult:
    started = time.monotonic()
    with Store(config.database) as store:
        store.mark_abandoned_runs()
        crawl_run = store.latest_run("crawl")
        if crawl_run is None:
            latest = store.latest_run("crawl", status="degraded")
            hint = (f" (crawl {latest.id} was degraded: {'; '.join(latest.summary.get('errors', []))})"
                    if latest else "")
            raise PipelineError(f"{config.database}: no complete crawl to check yet{hint}; run `zwgk crawl` first")
        degraded = degraded_reasons(store, crawl_run.id)
        run_id = store.start_run("check", as_of, crawl_run_id=crawl_run.id)
        try:
            obs = load_observations(store, config, crawl_run.id, as_of)
            if degraded:
                obs = replace(obs, degraded=True)
            partial = crawl_run.summary.get("partial_sites") or {}
            if partial:
                obs = replace(obs, partial_sites=dict(partial))
            ctx = CheckContext(as_of=as_of, calendar=calendar_for(config), timezone=config.timezone)
            findings = list(run_checks(obs, config.rules, ctx))
            unverified = record(store, run_id, as_of, findings, ctx.unverified, lambda f: verifies(obs, f),
                                degraded=bool(degraded), excluded=excluded_by_config(config.sites))
        except BaseException as exc:
            store.finish_run(run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
            raise
        by_rule: dict[str, int] = {}
        for f in findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        summary = {"findings": len(findings), "by_rule": by_rule,
                   "unverified": ctx.unverified_by_rule(), "unverified_count": len(unverified),
                   "check_number": store.check_number(run_id),
                   "unknown_calendar_years": sorted(ctx.calendar.unknown_years()),
                   "crawl_run_id": crawl_run.id, "degraded": degraded}
        # The rule and thresholds each finding was judged by, kept with the run for appeals.
        summary["thresholds"] = {rid: {k: v for k, v in config.rule_conf(rid, m.DEFAULTS).items()
                                       if not isinstance(v, (dict, list))} for rid, m in REGISTRY.items()}
        summary["evidence_pruned"] = crawl_store.prune_captures(store, utcnow() - timedelta(days=config.evidence_days))
        status = "degraded" if degraded else "complete"
        store.finish_run(run_id, status, summary)
    return StepResult("check", run_id, status, time.monotonic() - started,
                      {"findings": len(findings), "by_rule": by_rule,
                       "unverified": len(unverified)}, errors=list(degraded))


def report(config: Config, as_of: date, out: Path | None = None, pdf: bool = False) -> StepResult:
    from reports import TrendPoint, write_report
    from reports.lifecycle import load_lifecycle

    from reports.history import folder_name, write_history

    started = time.monotonic()
    dated = out is None   # --out writes exactly there; the default keeps every report (reports/history.py)
    with Store(config.database) as store:
        check_run = store.latest_run("check")
        if check_run is None:
            raise PipelineError(f"{config.database}: no complete check run yet; run `zwgk check` first")
        crawl_run = store.run(check_run.crawl_run_id) if check_run.crawl_run_id else None
        if crawl_run is not None:
            crawl_run = replace(crawl_run, summary={**crawl_run.summary,
                                                    "crawl_number": store.run_number("crawl", crawl_run.id)})
        check_run = replace(check_run, summary={"check_number": store.check_number(check_run.id),
                                                **check_run.summary})
        if out is None:
            out = config.report_dir / folder_name(check_run.as_of, check_run.summary["check_number"])
        findings = store.findings(check_run.id)
        lifecycle = load_lifecycle(store, check_run)
        # every past check: the chart thins its labels, not its data
        trend = [TrendPoint(run_id, as_of_, n) for run_id, as_of_, n in store.check_trend(check_run.id)]
        newer = store.latest_run("check", status="degraded", after=check_run.id)
        degraded_note = None
        if newer:
            reasons = "；".join(newer.summary.get("degraded", []))
            degraded_note = (f"最近一次检查（{newer.as_of.isoformat()}，第 {store.check_number(newer.id)} 次）因监测端网络异常被标记为降级"
                             f"（{reasons}），本报告为上次完整检查（{check_run.as_of}）的结果。")
        notify = config.extra_sections.get("notify", {})
        columns = store.columns(check_run.crawl_run_id) if check_run.crawl_run_id else []
        platform_owned: frozenset[str] = frozenset()
        if columns and check_run.crawl_run_id and any(u.platform for u in config.units):
            reach = Observations(run_id=check_run.crawl_run_id, sites=config.sites, units=config.units,
                                 pages=tuple(store.pages(check_run.crawl_run_id)))
            platform_owned = frozenset(c.url for c in columns if reach.reached_from(c.url))
        files = write_report(out, pdf=pdf, config=config, as_of=as_of, findings=findings, check_run=check_run,
                             crawl_run=crawl_run, rules=REGISTRY, lifecycle=lifecycle, trend=trend,
                             calendar=calendar_for(config), degraded_note=degraded_note,
                             columns=columns, platform_owned=platform_owned,
                             deadline_days=notify.get("deadline_working_days", 10),
                             unverified=store.unverified(check_run.id), exemptions=store.exemptions(),
                             appeals=store.appeals(open_only=True),
                             capture_of=lambda url: crawl_store.latest_capture(store, url, check_run.crawl_run_id),
                             thresholds=check_run.summary.get("thresholds") or {})
    if dated:
        files.update(write_history(config.report_dir, config.county or ""))
    return StepResult("report", check_run.id, "complete", time.monotonic() - started,
                      {"findings": len(findings)}, outputs={k: str(v) for k, v in files.items()})
