"""SID001 网站标识缺失: the homepage footer lacks a required identity mark, or the
SiteIDCode meta tag differs from the footer's 网站标识码.

Required in the footer text: 网站标识码 (10 digits, or bm + 8 digits), an ICP备案号
(陇ICP备05000123号), a 公安机关备案号 (公网安备 62292702000001号), and the 党政机关网站标识
(a link or image from conac.cn).  A homepage that did not load is "could not verify".

Options: ``require_badge`` (true) — the 党政机关网站标识.
Source: 国办发〔2017〕47号 《政府网站发展指引》.

Passing: footer "网站标识码：6229270001 陇ICP备05000123号-1 甘公网安备 62292702000001号" with the conac badge.
Failing: no ICP number; or SiteIDCode 6229270002 while the footer says 6229270001.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, PageObs, Severity

ID = "SID001"
NAME = "site-identity"
TITLE = "网站标识缺失"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办发〔2017〕47号"
READS = PageObs
DEFAULTS: dict[str, Any] = {"require_badge": True}

SITE_CODE = re.compile(r"(?:网站标识码|标识码)\s*[:：]?\s*((?:bm)?\d{8,10})", re.I)
ICP = re.compile(r"[\u4e00-\u9fff]ICP[备证]\s*\d{6,10}号")
POLICE = re.compile(r"公网安备\s*\d{10,16}号?")


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for site in obs.sites:
        home = next((p for p in obs.pages if p.url == site.url and p.kind == "home"), None)
        if home is None or home.status is None or not 200 <= home.status < 300 or home.footer_text is None:
            ctx.could_not_verify(ID, f"{site.name}: 首页未能访问", site=site.id, unit=site.unit, subject=site.url)
            continue
        text = home.footer_text
        code = SITE_CODE.search(text)
        missing = []
        if not code:
            missing.append("网站标识码")
        if not ICP.search(text):
            missing.append("ICP备案号")
        if not POLICE.search(text):
            missing.append("公安机关备案号")
        if conf["require_badge"] and not any("conac" in b for b in home.badge_links):
            missing.append("党政机关网站标识")
        problems = [f"页面底部缺少{'、'.join(missing)}"] if missing else []
        footer_code = code.group(1) if code else None
        if home.site_id_code and footer_code and home.site_id_code.strip().lower() != footer_code.lower():
            problems.append(f"网页元数据 SiteIDCode（{home.site_id_code}）与页面底部网站标识码（{footer_code}）不一致")
        if not problems:
            continue
        yield Finding(
            rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
            message=f"{site.name}：{'；'.join(problems)}。",
            evidence={"missing": missing, "site_id_meta": home.site_id_code, "footer_code": footer_code,
                      "footer_excerpt": text[-300:]},
            as_of=ctx.as_of)
