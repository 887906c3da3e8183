"""New, still open, resolved: a finding's life across consecutive check runs.

``track(history)`` is pure: it takes the findings of consecutive complete check
runs, oldest first, and says for the latest run which findings are new, which
are still open (and since when), and which findings of the run before it are
gone.  Identity across runs is ``Finding.key()``.  The first-seen date is the
as_of of the earliest run of the unbroken streak of runs, ending at the latest
one, that all had the key: a finding that went away and came back is new again.

``load_history(store, run)`` reads just enough runs from the store for that.
The notices (reports/notify.py) and the inspection report both use these.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from zwgk.records import Finding

Key = tuple[str, str, str]


class State(str, enum.Enum):
    NEW = "new"                # not in the previous complete check run
    STILL_OPEN = "still_open"  # in the previous run too
    RESOLVED = "resolved"      # in the previous run, not in the latest


@dataclass(frozen=True)
class CheckSnapshot:
    """One complete check run: its id, its as_of and its findings."""

    run_id: int
    as_of: date
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Tracked:
    finding: Finding
    state: State
    first_seen: date
    runs_seen: int            # consecutive runs, ending at the latest, that had the key

    def days_open(self, as_of: date) -> int:
        return max((as_of - self.first_seen).days, 0)


@dataclass(frozen=True)
class Lifecycle:
    as_of: date | None
    open: tuple[Tracked, ...]          # the latest run's findings: NEW or STILL_OPEN, in its order
    resolved: tuple[Finding, ...]      # the previous run's findings whose key is gone

    def counts(self) -> dict[str, int]:
        return {"new": sum(t.state is State.NEW for t in self.open),
                "still_open": sum(t.state is State.STILL_OPEN for t in self.open),
                "resolved": len(self.resolved)}


def track(history: Sequence[CheckSnapshot]) -> Lifecycle:
    """Lifecycle of the last snapshot's findings; ``history`` is oldest first, consecutive runs."""
    if not history:
        return Lifecycle(None, (), ())
    latest = history[-1]
    previous_keys = {f.key() for f in history[-2].findings} if len(history) > 1 else set()
    # Walk back while a key stays present: the streak's first run gives first_seen.
    first_seen: dict[Key, date] = {}
    streak: dict[Key, int] = {}
    alive = {f.key() for f in latest.findings}
    for snap in reversed(history):
        keys = {f.key() for f in snap.findings}
        alive &= keys
        if not alive:
            break
        for key in alive:
            first_seen[key] = snap.as_of
            streak[key] = streak.get(key, 0) + 1
    tracked = tuple(
        Tracked(f, State.STILL_OPEN if f.key() in previous_keys else State.NEW,
                first_seen.get(f.key(), latest.as_of), streak.get(f.key(), 1))
        for f in latest.findings)
    latest_keys = {f.key() for f in latest.findings}
    resolved: list[Finding] = []
    seen: set[Key] = set()
    if len(history) > 1:
        for f in history[-2].findings:
            if f.key() not in latest_keys and f.key() not in seen:
                seen.add(f.key())
                resolved.append(f)
    return Lifecycle(latest.as_of, tracked, tuple(resolved))


def load_history(store: Any, run: Any) -> list[CheckSnapshot]:
    """The complete check runs up to ``run`` (a zwgk.store.Run), oldest first.

    Reads backwards only as long as some finding of ``run`` is still in its
    streak (and always the run before it, for RESOLVED), so a long history
    costs only the runs that matter.
    """
    ids = [r[0] for r in store.db.execute(
        "SELECT id FROM runs WHERE kind='check' AND status='complete' AND id<=? ORDER BY id DESC",
        (run.id,)).fetchall()]
    snaps: list[CheckSnapshot] = []
    alive: set[Key] | None = None
    for i, run_id in enumerate(ids):
        r = store.run(run_id)
        findings = tuple(store.findings(run_id))
        snaps.append(CheckSnapshot(run_id, r.as_of, findings))
        keys = {f.key() for f in findings}
        alive = keys if alive is None else alive & keys
        if not alive and i >= 1:
            break
    return list(reversed(snaps))
