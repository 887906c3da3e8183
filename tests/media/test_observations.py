"""Stored observations: the latest per account on or before as_of, under the current config."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tests.media.test_settings import GOOD, write
from commands.common import load_config
from zwgk.store import media_observations as observations
from zwgk.records.media import CHINA_TZ, MediaObs, MediaOutcome as O
from zwgk.store import Store


def seen(name: str, when: datetime, outcome: O = O.OK, newest: date | None = date(2026, 11, 1),
         unit: str = "旧单位") -> MediaObs:
    return MediaObs(name, unit, "微信公众号", "rss", "https://old.example.cn/", outcome, newest, 3, when)


def test_latest_on_or_before_as_of_with_current_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    day = datetime(2026, 11, 25, 9, 0, tzinfo=CHINA_TZ)
    with Store(tmp_path / "db.sqlite3") as store:
        observations.save(store, [
            seen("积石山教育", day - timedelta(days=1), newest=date(2026, 10, 1)),
            seen("积石山教育", day, newest=date(2026, 11, 20)),
            # An observation belongs to its UTC day: 11-26 00:30 UTC is 08:30 in China on the 26th.
            seen("积石山教育", datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc), O.BLOCKED, None),
            seen("卫健旧号", day, O.NO_POSTS, None),          # closed: not judged
            seen("已删除的账号", day),                          # no longer in config
        ])
        media = observations.load(store, config, date(2026, 11, 25))["media"]
        later = observations.load(store, config, date(2026, 11, 26))["media"]
        empty = observations.load(store, config, date(2026, 11, 23))["media"]
    [o] = media
    assert (o.account, o.newest_date, o.outcome) == ("积石山教育", date(2026, 11, 20), O.OK)
    assert (o.unit, o.url) == ("县教育局", "https://feeds.example.cn/jyj.xml")   # from config.toml
    assert [x.outcome for x in later] == [O.BLOCKED]
    assert empty == ()


def test_no_table_rows_no_media(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with Store(tmp_path / "db.sqlite3") as store:
        assert observations.load(store, config, date(2026, 11, 26)) == {"media": ()}
