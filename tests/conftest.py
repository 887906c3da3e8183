from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from testbed.server import Testbed

AS_OF = date(2026, 11, 26)

# Every process the suite starts inherits this mark (subprocess passes os.environ on), so the
# session's end can find any that survived, even one re-parented to init after its parent died.
PROCESS_MARK = "ZWGK_TEST_SESSION"


def marked_processes(mark: str) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes carrying ``PROCESS_MARK=mark`` (Linux /proc)."""
    needle = f"{PROCESS_MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue        # a zombie's environ is empty: it is dead already
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:         # gone meanwhile, or not ours
            continue
        found.append((int(entry.name), cmdline.strip()))
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_survives() -> Iterator[None]:
    """Fails the run when a process started by a test is still alive at the session's end
    (after a generous 30 s for one that is exiting), and kills it."""
    if not Path("/proc/self/environ").exists():
        yield
        return
    mark = uuid.uuid4().hex
    os.environ[PROCESS_MARK] = mark
    yield
    deadline = time.monotonic() + 30
    survivors = marked_processes(mark)
    while survivors and time.monotonic() < deadline:
        time.sleep(0.2)
        survivors = marked_processes(mark)
    for pid, _ in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not survivors, "processes started by the tests outlived them:\n" + "\n".join(
        f"  {pid}: {cmd}" for pid, cmd in survivors)


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    """The simulated county on loopback (HTTP + DNS), fixed seed and date."""
    with Testbed(seed=7, as_of=AS_OF) as tb:
        yield tb


@pytest.fixture(scope="session")
def testbed_config(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config, _ = testbed.write(tmp_path_factory.mktemp("testbed"))
    return config


@dataclass(frozen=True)
class Inspection:
    """The session's one inspection of the testbed: crawl, observations, check, report."""
    directory: Path
    config: Path            # database = "zwgk.sqlite3" next to it
    results: list[Any]      # the crawl, check and report step results
    findings: list[dict[str, Any]]
    truth: dict[str, Any]

    @property
    def crawl_run_id(self) -> int:
        return int(self.results[0].run_id)

    @property
    def check_run_id(self) -> int:
        return int(self.results[1].run_id)


@pytest.fixture(scope="session")
def inspection(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Inspection:
    """The testbed crawled, observed, checked and reported once per session (read it, never
    write to it: tests that write take ``inspected_copy``)."""
    from testbed.score import inspect

    out = tmp_path_factory.mktemp("inspection")
    results, findings, truth = inspect(testbed, out, AS_OF)
    assert [r.status for r in results] == ["complete"] * 3, [r.errors for r in results]
    return Inspection(out, out / "config.toml", results, findings, truth)


@pytest.fixture
def inspected_copy(inspection: Inspection, tmp_path: Path) -> Path:
    """A copy of the session's inspected database in ``tmp_path``, with the testbed's config
    (database and output paths relative to it) next to it; returns that config's path."""
    config = tmp_path / "config.toml"
    shutil.copyfile(inspection.config, config)
    source = sqlite3.connect(f"file:{inspection.directory / 'zwgk.sqlite3'}?mode=ro", uri=True)
    target = sqlite3.connect(tmp_path / "zwgk.sqlite3")
    try:
        source.backup(target)       # consistent even with a WAL beside the file
    finally:
        target.close()
        source.close()
    return config


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Skipped real-page tests are said at the end, where nobody misses them."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "real pages not found" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} REAL-PAGE TESTS SKIPPED: real pages not found "
                                        "(set ZWGK_REALPAGES to the shared/realpages folder)", red=True, bold=True)
