"""COL002 法定主动公开内容缺少必备子栏目.

Under a unit's 法定主动公开内容, the catalogue of its type must be present: 条例第二十条
(机构职能, 政策文件, 规划计划, 财政预决算 …), 第二十一条 extras for counties and 乡镇, and
the 方案's named columns.  Names are matched with aliases, ignoring spaces, anywhere
under the unit's column prefix.  A unit whose 法定主动公开内容 was not found is left to
COL001 (no double deduction); one whose platform did not load is "could not verify".

Options: ``required`` — per unit type (县政府 / 乡镇 / 部门), each required column with its
accepted names.  The default is a conservative core of 条例第二十条; a county
adds its 标准目录 in config.toml.
Source: 条例第二十条、第二十一条; 国办发〔2019〕54号; 方案.

Passing: a 乡镇 with 机构职能, 政策文件, 规划计划 and 财政预决算 (or their aliases).
Failing: a 乡镇 without any 机构职能 column.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from checks import platform_columns
from checks.base import CheckContext, Observations
from zwgk.records import ColumnObs, Finding, Severity

ID = "COL002"
NAME = "required-subcolumns"
TITLE = "法定主动公开内容缺少必备子栏目"
SEVERITY = Severity.DEDUCTION
SOURCE = "条例第二十条、第二十一条; 国办发〔2019〕54号; 方案"
READS = ColumnObs
_CORE = {
    "机构职能": ["机构职能", "机构信息", "机构概况", "部门职能", "机构设置", "职能职责"],
    "政策文件": ["政策文件", "规范性文件", "政府文件", "文件资料", "政策法规"],
    "规划计划": ["规划计划", "发展规划", "规划信息", "计划规划", "规划"],
    "财政预决算": ["财政预决算", "财政信息", "预决算", "财政资金", "部门预决算", "预算决算"],
}
DEFAULTS: dict[str, Any] = {"required": {"县政府": _CORE, "乡镇": _CORE, "部门": _CORE}}
# The names COL001 accepts for 法定主动公开内容: one list for both rules.
PARENT_NAMES = tuple(platform_columns.DEFAULTS["required"]["法定主动公开内容"])


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name)


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for unit in obs.units:
        required = conf["required"].get(unit.type, {})
        for prefix, inside in obs.unit_areas(unit):
            cols = [c for c in obs.columns if inside(c.url) and c.name]
            if not any(_norm(c.name or "") in PARENT_NAMES for c in cols):
                continue   # COL001 reports a missing 法定主动公开内容
            names = {_norm(c.name or "") for c in cols}
            for wanted, aliases in required.items():
                if any(_norm(a) in names for a in aliases):
                    continue
                yield Finding(
                    rule=ID, severity=SEVERITY, site=cols[0].site_id, unit=unit.name, column=wanted, url=prefix,
                    message=f"{unit.name}的法定主动公开内容缺少“{wanted}”子栏目。",
                    evidence={"missing": wanted, "accepted_names": aliases, "columns_found": sorted(names)},
                    as_of=ctx.as_of)
