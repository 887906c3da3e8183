"""Observations of 政务新媒体 accounts for the MED check tests."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from zwgk.records.media import CHINA_TZ, MediaObs, MediaOutcome

AS_OF = date(2026, 11, 26)


def account(name: str = "积石山教育", newest_days: int | None = 2, outcome: MediaOutcome = MediaOutcome.OK,
            seen_days_ago: int = 0, unit: str = "县教育局", platform: str = "微信公众号",
            url: str | None = None) -> MediaObs:
    newest = AS_OF - timedelta(days=newest_days) if newest_days is not None else None
    seen = datetime.combine(AS_OF - timedelta(days=seen_days_ago), time(9), CHINA_TZ)
    count = None if outcome not in (MediaOutcome.OK, MediaOutcome.NO_POSTS) else (0 if newest is None else 5)
    return MediaObs(name, unit, platform, "rss", url or f"https://feeds.example.cn/{name}.xml", outcome,
                    newest, count, seen)
