"""Small builders of observation records for the check tests."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from checks.base import CheckContext, Observations
from zwgk.records import (ColumnObs, DocumentObs, LinkCheck, LinkObs, LinkOutcome, PageObs, Site, Unit)
from zwgk.workdays import WorkdayCalendar

BASE = "http://www.county.test"
SITE = Site("portal", "门户", BASE + "/", "县政府办公室")
UNITS = (Unit("县政府办公室", "部门"), Unit("大河家镇", "乡镇", "", (BASE + "/zwgk/dhjz/",)))
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def ctx(as_of: date = date(2026, 11, 26)) -> CheckContext:
    return CheckContext(as_of=as_of, calendar=WorkdayCalendar())


def obs(**kw: Any) -> Observations:
    return Observations(run_id=1, sites=(SITE,), units=UNITS, **kw)


def doc(url: str = "/zwgk/dhjz/zcwj/t1.html", doc_date: date | None = date(2026, 9, 28),
        pub_date: date | None = date(2026, 10, 30), pub_source: str = "table:发布日期",
        table: bool = True) -> DocumentObs:
    return DocumentObs(1, "portal", BASE + url, BASE + "/zwgk/dhjz/zcwj/", "关于某事的通知", "某发〔2026〕1号",
                       None, "大河家镇", doc_date, "table:成文日期", None, pub_date, pub_source, None, None,
                       table, T0)


def column(path: str, name: str, items: int = 0, empty: bool = False, parent: str | None = None) -> ColumnObs:
    return ColumnObs(1, "portal", BASE + path, name, BASE + parent if parent else None, None, items,
                     None, None, 1, empty, T0)


def page(path: str, status: int = 200, kind: str = "column") -> PageObs:
    return PageObs(1, "portal", BASE + path, kind, None, status, "utf-8", False, None, None, None, 0, False,
                   None, 0, T0)


def link(source: str, target: str) -> LinkObs:
    return LinkObs(1, "portal", BASE + source, BASE + target, "a", "链接", True)


def checked(target: str, outcome: LinkOutcome, minutes: int, status: int | None = None) -> LinkCheck:
    from datetime import timedelta
    return LinkCheck(1, BASE + target, outcome, status, None, T0 + timedelta(minutes=minutes))
