"""The session-end check (tests/conftest.py) sees a process a test started, and not one that ended."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROCESS_MARK, marked_processes


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_started_process_is_seen_until_it_ends() -> None:
    mark = os.environ[PROCESS_MARK]
    # A grandchild in a session of its own, as the scheduler starts its jobs.
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                             start_new_session=True)
    try:
        assert child.pid in {pid for pid, _ in marked_processes(mark)}
    finally:
        assert child.stdin is not None
        child.stdin.close()         # it reads to end of input, then exits
        child.wait(600)
    assert child.pid not in {pid for pid, _ in marked_processes(mark)}
