"""The [schedule] section of config.toml: when `zwgk schedule` runs each job.

A job's timing is a string: a five-field crontab expression in the
scheduler's time zone (``"30 1 * * *"``; day of week 0 or 7 = Sunday, as in
cron, or names: ``"0 7 * * mon"``), an interval (``"every 5s"``, ``"every
10m"``, ``"every 2h"``, ``"every 1d"``), or ``"off"``.  The strings are parsed
when the scheduler (or `zwgk status`) starts; a bad one stops it with the file,
line and key (see scheduler.parse_schedule).
"""
from __future__ import annotations

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
        "misfire_grace_time": Field(int, 3600,
                                    doc="seconds a missed slot may still run late (after a restart)"),
        "coalesce": Field(bool, True, doc="several missed slots of a job run once, not once each"),
        "job_timeout": Field(int, 21600, doc="seconds after which a running job is stopped and marked timeout"),
        "stop_grace": Field(int, 60, doc="on SIGTERM, seconds a running job may take to finish"),
        "log_file": Field(str, "var/log/scheduler.log", doc="relative to config.toml; '' = stderr only"),
        "log_max_bytes": Field(int, 10_000_000, doc="rotate the log at this size"),
        "log_backups": Field(int, 5, doc="rotated log files kept"),
        "heartbeat": Field(_NUM, 30, doc="seconds between lock heartbeats"),
        "lock_stale_after": Field(_NUM, 600,
                                  doc="seconds without heartbeat after which another host may take the lock"),
    },
}
