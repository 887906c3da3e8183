"""COL001 政府信息公开平台栏目不全: a unit lacks one of the four first-level columns.

Each unit (the county government, each 乡镇 and each department) must have on its
政府信息公开 platform: 政府信息公开指南, 政府信息公开制度, 法定主动公开内容 and
政府信息公开年报 (names matched with the aliases below, ignoring spaces).

Options: ``required`` — each required column with its accepted names.
Source: 国办公开办函〔2019〕61号; 条例第二十四条.

A unit's columns are those its platform entry reaches (``platform`` in config.toml), or those
under its ``column_prefixes``.  A unit whose platform page could not be fetched, or that has
neither, is "could not verify", not a finding.

Passing: a unit with 政府信息公开指南, 政府信息公开制度, 法定主动公开内容, 政府信息公开工作年度报告.
Failing: a 乡镇 whose platform has no 年报 column.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "COL001"
NAME = "platform-columns"
TITLE = "政府信息公开平台栏目不全"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办公开办函〔2019〕61号; 条例第二十四条"
READS = ColumnObs
DEFAULTS: dict[str, Any] = {
    "required": {
        "政府信息公开指南": ["政府信息公开指南", "信息公开指南", "公开指南"],
        "政府信息公开制度": ["政府信息公开制度", "信息公开制度", "公开制度", "政府信息公开规定"],
        "法定主动公开内容": ["法定主动公开内容", "主动公开内容", "法定主动公开", "主动公开目录", "主动公开",
                     "政府信息主动公开"],
        "政府信息公开年报": ["政府信息公开年报", "政府信息公开工作年度报告", "政府信息公开年度报告", "信息公开年报",
                     "信息公开年度报告", "年度报告", "年报"],
    },
}


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name)


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    fetched = {p.url for p in obs.pages if p.status is not None and 200 <= p.status < 300}
    for unit in obs.units:
        areas = obs.unit_areas(unit)
        if not areas and unit.type in ("乡镇", "部门", "县政府"):
            ctx.could_not_verify(ID, f"{unit.name}: config.toml 未配置 platform 或 column_prefixes，无法检查其信息公开栏目",
                                 unit=unit.name)
        for prefix, inside in areas:
            if not any(inside(u) for u in fetched):
                ctx.could_not_verify(ID, f"{unit.name}: {prefix} 未能访问", unit=unit.name)
                continue
            site = next((p.site_id for p in obs.pages if inside(p.url)), "")
            names = {_norm(c.name) for c in obs.columns if inside(c.url) and c.name}
            if not names:
                # Not one column there: a wrong prefix or platform, or a crawl that did not get
                # there, not a unit missing all four columns.
                ctx.could_not_verify(ID, f"{unit.name}: {prefix} 下未发现任何栏目（前缀配置或抓取问题），无法核验",
                                     unit=unit.name)
                continue
            for required, aliases in conf["required"].items():
                if any(_norm(a) in names for a in aliases):
                    continue
                yield Finding(
                    rule=ID, severity=SEVERITY, site=site, unit=unit.name, column=required, url=prefix,
                    message=f"{unit.name}的政府信息公开平台缺少“{required}”栏目。",
                    evidence={"missing": required, "columns_found": sorted(names)},
                    as_of=ctx.as_of)
