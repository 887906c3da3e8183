"""SID002 域名不规范: a government site whose host does not end in .gov.cn, or a
department site that is not under the portal's domain.

Options: ``gov_suffix`` (".gov.cn"); ``portal_site`` ("portal") — the id of the county
portal in [[sites]], whose registered domain (its host without the first label)
department sites must sit under.
Source: 国办发〔2017〕47号 (政府网站域名).

Passing: fgj.jishishan.gov.cn beside the portal www.jishishan.gov.cn.
Failing: www.jssjy.com (not .gov.cn); fgj.linxia.gov.cn (not under the portal's domain).
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Site, Severity

ID = "SID002"
NAME = "domain-name"
TITLE = "域名不规范"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办发〔2017〕47号"
READS = Site
DEFAULTS: dict[str, Any] = {"gov_suffix": ".gov.cn", "portal_site": "portal"}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    suffix = conf["gov_suffix"].lower()
    portal = obs.site(conf["portal_site"])
    portal_domain = None
    if portal:
        host = (urlsplit(portal.url).hostname or "").lower()
        portal_domain = host.split(".", 1)[1] if host.count(".") >= 2 else host
    for site in obs.sites:
        host = (urlsplit(site.url).hostname or "").lower()
        if not host.endswith(suffix):
            problem = f"域名 {host} 不以 {conf['gov_suffix']} 结尾"
        elif portal and site.id != portal.id and portal_domain and not host.endswith("." + portal_domain):
            problem = f"部门网站域名 {host} 不在门户网站域名 {portal_domain} 之下"
        else:
            continue
        yield Finding(rule=ID, severity=SEVERITY, site=site.id, unit=site.unit, column=None, url=site.url,
                      message=f"{site.name}：{problem}。", evidence={"host": host, "portal_domain": portal_domain},
                      as_of=ctx.as_of)
