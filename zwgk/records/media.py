"""Records of the 政务新媒体 component: accounts from config.toml and what one poll saw."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

# Posts are dated in China time: a post at 2026-11-25T20:00Z is one of 2026-11-26.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

PLATFORMS = ("微信公众号", "微信视频号", "新浪微博", "今日头条", "抖音", "快手", "移动客户端")
SOURCE_KINDS = ("rss", "atom", "jsonfeed", "html", "manual")


class MediaOutcome(str, enum.Enum):
    """Closed set of outcomes of reading one account's source.

    Only OK and NO_POSTS say something about the account; every other outcome means
    "could not verify" (MED002) and is never read as "stale".
    """

    OK = "OK"                    # read, at least one dated post
    NO_POSTS = "NO_POSTS"        # read, the source lists no post at all
    BLOCKED = "BLOCKED"          # captcha page, 401/403/429
    UNREACHABLE = "UNREACHABLE"  # DNS, connect, TLS or timeout
    HTTP_ERROR = "HTTP_ERROR"    # the feed is down: 404, 410, 5xx …
    MALFORMED = "MALFORMED"      # not a parseable feed, selectors matched nothing, too large
    UNDATED = "UNDATED"          # posts listed, but none with a readable date

    @property
    def readable(self) -> bool:
        return self in (MediaOutcome.OK, MediaOutcome.NO_POSTS)


LABELS = {
    MediaOutcome.OK: "正常读取",
    MediaOutcome.NO_POSTS: "未发布任何内容",
    MediaOutcome.BLOCKED: "访问被拦截（验证码或拒绝访问）",
    MediaOutcome.UNREACHABLE: "无法连接（域名解析、连接或超时）",
    MediaOutcome.HTTP_ERROR: "信息源返回错误",
    MediaOutcome.MALFORMED: "信息源内容无法解析",
    MediaOutcome.UNDATED: "内容未标注发布日期",
}


@dataclass(frozen=True)
class Account:
    """One [[accounts]] table of config.toml, validated (see settings.load_accounts)."""

    name: str
    unit: str
    platform: str
    source: str                                  # one of SOURCE_KINDS
    url: str                                     # "" for a manual entry without a link
    selectors: tuple[tuple[str, str], ...] = ()  # html: (("item", …), ("date", …), ("contains", …))
    last_post: date | None = None                # manual: the newest post as entered
    never_posted: bool = False                   # manual: last_post = "never"
    active: bool = True

    @property
    def key(self) -> str:
        """The account's stable identity in findings: its source URL, or manual:<name>."""
        return f"manual:{self.name}" if self.source == "manual" else self.url

    def selector(self, name: str) -> str | None:
        return dict(self.selectors).get(name)


@dataclass(frozen=True)
class MediaObs:
    """What one poll saw of one account's source."""

    account: str
    unit: str
    platform: str
    source: str
    url: str                      # Account.key
    outcome: MediaOutcome
    newest_date: date | None      # the newest post's date (China time)
    post_count: int | None        # posts the source listed; None for manual entries
    observed_at: datetime         # timezone-aware
    detail: str = ""
    status: int | None = None     # HTTP status of the last response, if any

    @property
    def observed_on(self) -> date:
        """The day of the observation, in UTC.

        UTC, not China time: `zwgk check --as-of` defaults to the monitor host's own date, and a
        poll early in the morning in China (the evening before in UTC) must count for that day's
        inspection.  At worst an observation counts 8 hours into the next China day.
        """
        return utc_date(self.observed_at)

    def to_json(self) -> dict[str, object]:
        return {"account": self.account, "unit": self.unit, "platform": self.platform,
                "source": self.source, "url": self.url, "outcome": self.outcome.value,
                "newest_date": self.newest_date.isoformat() if self.newest_date else None,
                "post_count": self.post_count, "observed_at": self.observed_at.isoformat(),
                "detail": self.detail, "status": self.status}


def local_date(moment: datetime) -> date:
    """The China-time calendar day of ``moment`` (a naive datetime is taken as China time)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(CHINA_TZ).date()


def utc_date(moment: datetime) -> date:
    """The UTC calendar day of ``moment`` (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(timezone.utc).date()


def latest_by_account(media: Iterable[MediaObs], as_of: date) -> list[MediaObs]:
    """The latest observation of each account seen on or before ``as_of``, by account name."""
    latest: dict[str, MediaObs] = {}
    for o in media:
        if o.observed_on > as_of:
            continue
        held = latest.get(o.account)
        if held is None or o.observed_at > held.observed_at:
            latest[o.account] = o
    return [latest[name] for name in sorted(latest)]
