"""A finding's life across check runs: 新发现 → 未整改 → 已整改, kept in the store.

Identity is ``Finding.key()``: rule + site + subject (URL, column, account or site).
``advance`` is pure: from the states before a check run, the run's findings and what
it could not verify, it gives the states after it.  A finding is 已整改 only when its
subject was observed again conclusively (``observed``, see checks.base.Observations)
and the defect was gone; otherwise it stays open, marked 本次无法核验, with its first
seen date and deadline.  A finding that was resolved and comes back is new again.

``load_lifecycle(store, run)`` reads what a check run left, for the report and notices.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from zwgk.records import Exemption, Finding, FindingState, Unverified
from zwgk.store import TrackedState

State = FindingState   # the name the notices and older callers use
Key = tuple[str, str, str]
Tracked = TrackedState


def days_open(t: TrackedState, as_of: date) -> int:
    return max((as_of - t.first_seen).days, 0)


@dataclass(frozen=True)
class Lifecycle:
    as_of: date | None
    open: tuple[TrackedState, ...]        # NEW or STILL_OPEN (unverifiable ones included), notified
    resolved: tuple[Finding, ...]         # RESOLVED in this run: observed again, defect gone
    exempt: tuple[TrackedState, ...] = ()  # EXEMPT or APPEAL: listed apart, not notified nor scored

    def counts(self) -> dict[str, int]:
        return {"new": sum(t.state is State.NEW for t in self.open),
                "still_open": sum(t.state is State.STILL_OPEN for t in self.open),
                "unverifiable": sum(t.unverifiable for t in self.open),
                "resolved": len(self.resolved), "exempt": sum(t.state is State.EXEMPT for t in self.exempt),
                "appeal": sum(t.state is State.APPEAL for t in self.exempt)}

    def state_of(self, key: Key) -> TrackedState | None:
        return next((t for t in (*self.open, *self.exempt) if t.finding.key() == key), None)


def advance(before: Iterable[TrackedState], findings: Sequence[Finding], unverified: Sequence[Unverified],
            observed: Callable[[Finding], bool], as_of: date,
            exemptions: Sequence[Exemption] = (), excluded: Callable[[Finding], bool] = lambda f: False,
            appeals: Sequence[Any] = ()) -> tuple[list[TrackedState], list[Unverified]]:
    """The states after one check run, and the extra 无法核验 records for open findings whose
    subject was not observed (so that they are listed, per unit, beside the others).

    ``excluded``: findings under a path retired in config; an open one becomes 已排除 (never
    已整改: nobody looked).  ``appeals``: the open appeals (zwgk.records.Appeal)."""
    prior = {t.finding.key(): t for t in before}
    unverifiable_keys = {u.key() for u in unverified}
    # A note without a subject says the rule could not be judged at all (for one site, or for all).
    rule_wide = {(u.rule, u.site) for u in unverified if u.subject is None}
    after: list[TrackedState] = []
    seen: set[Key] = set()
    for f in findings:
        key = f.key()
        if key in seen:
            continue
        seen.add(key)
        prev = prior.get(key)
        exempt = any(e.covers(f, as_of) for e in exemptions)
        appealed = any(a.covers(f) for a in appeals)
        if prev is None or prev.state in (State.RESOLVED, State.EXCLUDED):
            state = State.EXEMPT if exempt else (State.APPEAL if appealed else State.NEW)
            after.append(TrackedState(f, state, as_of, as_of))
            continue
        if exempt:
            state = State.EXEMPT
        elif appealed:
            state = State.APPEAL   # still re-checked: it ends as 已整改 once the defect is gone
        else:
            # back from an exemption that ended: open again, with its history
            state = State.STILL_OPEN
        after.append(replace(prev, finding=f, state=state, last_seen=as_of, unverifiable=False,
                             resolved_on=None))
    extra: list[Unverified] = []
    for key, prev in prior.items():
        if key in seen or prev.state in (State.RESOLVED, State.EXCLUDED):
            continue
        if excluded(prev.finding):
            after.append(replace(prev, state=State.EXCLUDED, unverifiable=False))
            continue
        if (key in unverifiable_keys or (key[0], None) in rule_wide or (key[0], key[1]) in rule_wide
                or not observed(prev.finding)):
            state = State.STILL_OPEN if prev.state is State.NEW else prev.state
            if prev.state is State.EXEMPT and not any(e.covers(prev.finding, as_of) for e in exemptions):
                state = State.STILL_OPEN
            if prev.state is State.APPEAL and not any(a.covers(prev.finding) for a in appeals):
                state = State.STILL_OPEN
            after.append(replace(prev, state=state, unverifiable=True))
            if key not in unverifiable_keys:
                f = prev.finding
                extra.append(Unverified(f.rule, f.site, f.unit, key[2], "本次无法核验",
                                        f"{key[2]}: 此前发现的问题本次未能复查（对象未能访问或未读到），仍按未整改"))
        else:
            after.append(replace(prev, state=State.RESOLVED, resolved_on=as_of, unverifiable=False))
    return after, extra


def _now() -> Any:
    from zwgk.store import utcnow
    return utcnow()


def lifecycle_of(as_of: date | None, states: Sequence[TrackedState]) -> Lifecycle:
    return Lifecycle(as_of,
                     tuple(t for t in states if t.state in (State.NEW, State.STILL_OPEN)),
                     tuple(t.finding for t in states if t.state is State.RESOLVED),
                     tuple(t for t in states if t.state in (State.EXEMPT, State.APPEAL)))


def load_lifecycle(store: Any, run: Any) -> Lifecycle:
    """What check run ``run`` (a zwgk.store.Run) left: states from the store's snapshot of it.

    A check run from before states were kept has no snapshot: its findings are all new.
    """
    states = store.run_states(run.id)
    if not states:
        states = [TrackedState(f, State.NEW, run.as_of, run.as_of) for f in store.findings(run.id)]
    latest = store.latest_run("check")
    if latest is not None and latest.id == run.id:
        # An appeal filed or closed since this check holds at once for its report and notices.
        states = with_appeals(states, store.appeals(open_only=False), store.exemptions(), run.as_of)
    return lifecycle_of(run.as_of, states)


def with_appeals(states: Sequence[TrackedState], appeals: Sequence[Any], exemptions: Sequence[Exemption] = (),
                 as_of: date | None = None) -> list[TrackedState]:
    """Open findings an open appeal covers are 申诉中; an appeal closed since puts its finding
    back to 未整改 (rejected) or 已豁免 (accepted: it left an exemption)."""
    out = []
    for t in states:
        appealed = any(a.covers(t.finding) for a in appeals)
        accepted = any(a.outcome == "accepted" and replace(a, outcome=None).covers(t.finding) for a in appeals)
        exempt = accepted and as_of is not None and any(e.covers(t.finding, as_of) for e in exemptions)
        if (t.state.is_open or t.state is State.APPEAL) and exempt:
            t = replace(t, state=State.EXEMPT)
        elif t.state.is_open and appealed:
            t = replace(t, state=State.APPEAL)
        elif t.state is State.APPEAL and not appealed:
            t = replace(t, state=State.STILL_OPEN)
        out.append(t)
    return out


@dataclass(frozen=True)
class CheckSnapshot:
    """One complete check run's findings: for replaying states in tests and fixtures."""

    run_id: int
    as_of: date
    findings: tuple[Finding, ...]
    unverified: tuple[Unverified, ...] = ()
    observed: Callable[[Finding], bool] | None = None   # default: every subject observed


def track(history: Sequence[CheckSnapshot], exemptions: Sequence[Exemption] = ()) -> Lifecycle:
    """Replay ``advance`` over consecutive check runs, oldest first; the last run's lifecycle."""
    states: list[TrackedState] = []
    for snap in history:
        states, _ = advance(states, snap.findings, snap.unverified, snap.observed or (lambda f: True),
                            snap.as_of, exemptions)
    return lifecycle_of(history[-1].as_of if history else None, states)


def record(store: Any, run_id: int, as_of: date, findings: Sequence[Finding],
           unverified: Sequence[Unverified] = (), observed: Callable[[Finding], bool] = lambda f: True,
           degraded: bool = False, excluded: Callable[[Finding], bool] = lambda f: False) -> list[Unverified]:
    """Store one check run's findings, advance the states (not on a degraded run) and store
    what it could not verify; returns the stored 无法核验 records."""
    store.add_findings(run_id, findings)
    extra: list[Unverified] = []
    if not degraded:
        appeals = store.appeals(open_only=True)
        states, extra = advance(store.finding_states(open_only=True), findings, unverified, observed, as_of,
                                store.exemptions(), excluded, appeals)
        store.save_states(run_id, states)
        # An appeal ends when the defect is gone: observed again, conclusively, without it.
        for t in states:
            if t.state is State.RESOLVED:
                for a in appeals:
                    if a.covers(t.finding):
                        store.close_appeal(a.rule, a.subject, "resolved", "zwgk", _now(),
                                           f"{as_of.isoformat()} 复查已整改")
    return store.add_unverified(run_id, as_of, [*unverified, *extra])
