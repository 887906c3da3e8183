"""COL003 年报缺失: the previous year's 政府信息公开工作年度报告 is not online by its deadline.

Deadlines (条例第四十九条): departments by 1月31日, the county government by 3月31日,
乡镇 configurable (default 1月31日).  Looked for: a list entry under the unit's column
prefix whose title names the year (2025年) and 年报 / 年度报告.  Before the deadline
nothing is judged; a unit without a 年报 column at all is COL001's (no double deduction).

Options: ``deadline`` — per unit type, "MM-DD".
Source: 条例第四十九条.

Passing: on 2026-11-26, 县教育局 lists 县教育局2025年政府信息公开工作年度报告.
Failing: on 2026-11-26, 县教育局's 年报 column lists only 2023 and 2024.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, ListItemObs, Severity

ID = "COL003"
NAME = "annual-report"
TITLE = "年报缺失"
SEVERITY = Severity.DEDUCTION
SOURCE = "条例第四十九条"
READS = ListItemObs
DEFAULTS: dict[str, Any] = {"deadline": {"县政府": "03-31", "部门": "01-31", "乡镇": "01-31"}}
REPORT_COLUMN = re.compile(r"年报|年度报告")


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    year = ctx.as_of.year - 1
    for unit in obs.units:
        month, day = (int(x) for x in conf["deadline"].get(unit.type, "01-31").split("-"))
        deadline = date(ctx.as_of.year, month, day)
        if ctx.as_of <= deadline:
            continue
        for _, inside in obs.unit_areas(unit):
            report_cols = [c for c in obs.columns if inside(c.url) and c.name
                           and REPORT_COLUMN.search(c.name)]
            if not report_cols:
                continue   # COL001
            titles = [i.title or "" for i in obs.list_items if inside(i.column_url)]
            if any(f"{year}年" in t and REPORT_COLUMN.search(t) for t in titles):
                continue
            col = report_cols[0]
            yield Finding(
                rule=ID, severity=SEVERITY, site=col.site_id, unit=unit.name, column=col.url, url=col.url,
                message=f"{unit.name}未在{deadline:%m月%d日}前公开{year}年政府信息公开工作年度报告。",
                evidence={"year": year, "deadline": deadline.isoformat(),
                          "reports_found": sorted(t for t in titles if REPORT_COLUMN.search(t))[:10]},
                as_of=ctx.as_of)
