"""The fault suite's table: fault, cases, survived, false findings, data lost, duplicated,
messages sent twice — printed at the end of the test session (``-s`` not needed)."""
from __future__ import annotations

from typing import Any

import pytest

TABLE: dict[str, dict[str, int]] = {}


def record(fault: str, *, cases: int = 1, survived: int = 1, false_findings: int = 0, lost: int = 0,
           duplicated: int = 0, sent_twice: int = 0) -> None:
    row = TABLE.setdefault(fault, dict(cases=0, survived=0, false_findings=0, lost=0, duplicated=0, sent_twice=0))
    row["cases"] += cases
    row["survived"] += survived
    row["false_findings"] += false_findings
    row["lost"] += lost
    row["duplicated"] += duplicated
    row["sent_twice"] += sent_twice


@pytest.fixture
def fault_table() -> Any:
    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TABLE:
        return
    w = terminalreporter
    w.section("fault table")
    w.write_line(f"{'fault':<52} {'cases':>5} {'survived':>8} {'false':>5} {'lost':>4} {'dup':>4} {'twice':>5}")
    for fault, r in TABLE.items():
        w.write_line(f"{fault:<52} {r['cases']:>5} {r['survived']:>8} {r['false_findings']:>5} {r['lost']:>4} "
                     f"{r['duplicated']:>4} {r['sent_twice']:>5}")
