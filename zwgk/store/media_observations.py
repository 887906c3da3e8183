"""Storing 政务新媒体 observations and loading them for the checks.

``load`` is listed in commands.steps.OBSERVATION_LOADERS: it gives the checks the latest
observation of each configured, active account seen on or before ``as_of`` (its UTC day, see
MediaObs.observed_on),
with unit, platform and key taken from the current config.toml — a unit fixed in config is
fixed in the findings at once.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from zwgk.config import Config
from zwgk.records.media import MediaObs, MediaOutcome, latest_by_account
from zwgk.config.media import load_accounts
from zwgk.store import Store


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)   # MediaObs.observed_at is aware; be safe
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def save(store: Store, observations: Iterable[MediaObs]) -> int:
    rows = [(o.account, o.unit, o.platform, o.source, o.url, o.outcome.value,
             o.newest_date.isoformat() if o.newest_date else None, o.post_count, _utc(o.observed_at),
             o.detail, o.status) for o in observations]
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO media_observations(account, unit, platform, source, url, outcome, newest_date, "
            "post_count, observed_at, detail, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


def observations(store: Store, before: datetime | None = None) -> list[MediaObs]:
    """Stored observations (those before ``before`` only, when given), oldest first."""
    sql, args = "SELECT * FROM media_observations", []
    if before is not None:
        sql += " WHERE observed_at < ?"
        args.append(_utc(before))
    return [MediaObs(r["account"], r["unit"], r["platform"], r["source"], r["url"],
                     MediaOutcome(r["outcome"]),
                     date.fromisoformat(r["newest_date"]) if r["newest_date"] else None,
                     r["post_count"], datetime.fromisoformat(r["observed_at"]), r["detail"], r["status"])
            for r in store.db.execute(sql + " ORDER BY observed_at, id", args)]


def load(store: Store, config: Config, as_of: date) -> dict[str, Any]:
    accounts = {a.name: a for a in load_accounts(config) if a.active}
    if not accounts:
        return {"media": ()}
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(0), timezone.utc)
    latest = latest_by_account((o for o in observations(store, end_of_day) if o.account in accounts), as_of)
    return {"media": tuple(replace(o, unit=accounts[o.account].unit, platform=accounts[o.account].platform,
                                   url=accounts[o.account].key) for o in latest)}
