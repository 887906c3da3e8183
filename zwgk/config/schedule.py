"""The [schedule] section of config.toml: when `zwgk schedule` runs each job.

A job's timing is a string: a five-field crontab expression in the
scheduler's time zone (``"30 1 * * *"``; day of week 0 or 7 = Sunday, as in
cron, or names: ``"0 7 * * mon"``), an interval (``"every 5s"``, ``"every
10m"``, ``"every 2h"``, ``"every 1d"``), or ``"off"``.  The strings are parsed
when config.toml is loaded, by every command; a bad one stops it with the file,
line and key (``validate`` below; the scheduler builds its triggers with ``parse_spec``).
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from zwgk.config import Field

_NUM = (int, float)

# job id -> (config key default, what it runs); the commands are in scheduler.JOBS.
JOB_DEFAULTS = {
    # AVL001 wants >= 20 spaced homepage probes a day: hourly gives 24.
    "probe": "0 * * * *",
    # The nightly crawl + check, when county servers are quiet.
    "inspect": "30 1 * * *",
    # 政务新媒体 accounts: one poll a day is enough for a 14-day rule.
    "media": "0 8 * * *",
    # The weekly inspection report, Monday morning.
    "report": "0 7 * * mon",
    # 整改通知 to the units, after the weekly report.
    "notify": "0 9 * * mon",
}

CONFIG_SECTIONS = {
    "schedule": {
        "timezone": Field(str, "Asia/Shanghai", doc="IANA time zone of the cron expressions"),
        **{job: Field(str, spec, doc="crontab expression, 'every N[s|m|h|d]' or 'off'")
           for job, spec in JOB_DEFAULTS.items()},
        "misfire_grace_time": Field(int, 3600, min=1, max=7 * 86400,
                                    doc="seconds a missed slot may still run late (after a restart)"),
        "coalesce": Field(bool, True, doc="several missed slots of a job run once, not once each"),
        "job_timeout": Field(int, 21600, above=0, max=7 * 86400, doc="seconds after which a running job is stopped and marked timeout"),
        "stop_grace": Field(int, 60, max=3600, doc="on SIGTERM, seconds a running job may take to finish"),
        "log_file": Field(str, "var/log/scheduler.log", doc="relative to config.toml; '' = stderr only"),
        "log_max_bytes": Field(int, 10_000_000, above=0, max=10_000_000_000, doc="rotate the log at this size"),
        "log_backups": Field(int, 5, max=1000, doc="rotated log files kept"),
        "heartbeat": Field(_NUM, 30, above=0, max=3600, doc="seconds between lock heartbeats"),
        "lock_stale_after": Field(_NUM, 600, above=0, max=7 * 86400,
                                  doc="seconds without heartbeat after which another host may take the lock"),
    },
}


def validate(config: Any, rule_ids: tuple[str, ...] | None) -> Iterator[tuple[Any, ...]]:
    """The time zone exists, every job's timing parses, the lock can go stale."""
    sec = config.section("schedule")
    tz = zone(sec["timezone"])
    if tz is None:
        yield (("schedule", "timezone"), f"unknown time zone {sec['timezone']!r}",
               'write an IANA name, e.g. timezone = "Asia/Shanghai"')
    for job in JOB_DEFAULTS:
        try:
            parse_spec(sec[job], tz)
        except ValueError as exc:
            yield (("schedule", job), str(exc), f'write e.g. {job} = "{JOB_DEFAULTS[job]}", "every 10m" or "off"')
    if sec["lock_stale_after"] < 3 * sec["heartbeat"]:
        yield (("schedule", "lock_stale_after"),
               f"must be at least 3 × heartbeat ({3 * sec['heartbeat']}), got {sec['lock_stale_after']!r}",
               f"write lock_stale_after = {3 * sec['heartbeat']:g} or more, or a smaller heartbeat")


def zone(name: str) -> Any:
    """The ZoneInfo of an IANA name, or None."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_EVERY = re.compile(r"^every\s+(\d+)\s*([a-z]*)$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def parse_spec(text: str, tz: Any) -> Any:
    """An APScheduler trigger from 'off' (None), 'every N[s|m|h|d]' or a five-field crontab expression.

    Raises ValueError with a message for the user.  Day of week follows cron
    (0 and 7 = Sunday), not APScheduler 3 (0 = Monday): numbers are turned
    into day names before APScheduler sees them.  ``tz`` None (an unknown zone, already
    reported) checks the expression in UTC.
    """
    # APScheduler is imported here, not at the top: loading config.toml stays light.
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = tz or "UTC"
    s = text.strip()
    if s.lower() == "off":
        return None
    if s.lower().startswith("every"):
        m = _EVERY.match(s)
        if not m or m.group(2).lower() not in _UNITS | {"": 1}:
            raise ValueError(f"expected an interval like 'every 30s', 'every 10m', 'every 2h' or 'every 1d', "
                             f"got {text!r}")
        seconds = int(m.group(1)) * _UNITS.get(m.group(2).lower(), 1)
        if seconds < 1:
            raise ValueError(f"an interval must be at least 1 second, got {text!r}")
        return IntervalTrigger(seconds=seconds, timezone=tz)
    fields = s.split()
    if len(fields) != 5:
        raise ValueError(f"expected a crontab expression with 5 fields (minute hour day month weekday), "
                         f"'every N[s|m|h|d]' or 'off', got {text!r}")
    weekdays = _cron_weekdays(fields[4])
    try:
        return CronTrigger(minute=fields[0], hour=fields[1], day=fields[2], month=fields[3],
                           day_of_week=weekdays, timezone=tz)
    except ValueError as exc:
        raise ValueError(f"not a valid crontab expression {text!r}: {exc}") from None


def _cron_weekdays(field_text: str) -> str:
    if field_text == "*" or re.fullmatch(r"[A-Za-z]{3}(-[A-Za-z]{3})?(,[A-Za-z]{3}(-[A-Za-z]{3})?)*", field_text):
        return field_text.lower()
    days: set[int] = set()
    for part in field_text.split(","):
        m = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
        if not m:
            raise ValueError(f"day of week {field_text!r}: use 0-7 (0 and 7 = Sunday) or mon, tue … sun")
        lo, hi = (0, 6) if m.group(1) == "*" else (
            tuple(int(x) for x in m.group(1).split("-")) if "-" in m.group(1)
            else (int(m.group(1)), 6 if m.group(2) else int(m.group(1))))
        step = int(m.group(2) or 1)
        if not (0 <= lo <= hi <= 7) or step < 1:
            raise ValueError(f"day of week {field_text!r}: use 0-7 (0 and 7 = Sunday) or mon, tue … sun")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))
