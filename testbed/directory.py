"""Testbed component: what the portal publishes about the county's other sites and accounts,
for `zwgk discover` to read.

Installed after the other components, it fills the portal's
- 部门网站 block on the homepage: every department, school and IPv6/availability site, each
  linked by the name a county portal would show (a unit's short name for the department sites);
- 政务新媒体 column: a table of every account in testbed.media with 账号名称, 平台 (written the
  way portals write them: 微博, 头条号, 视频号, APP …), 开办主体 and 状态; a link where the
  portal links the account's feed or list page, and for the accounts kept by hand (no link) the
  最近更新 date; the closed account is listed as 已注销, without a link.

It adds no page of its own, and the hand-written config is unchanged.  The links it adds load,
or are blocked (无法核验), except one: the feed of an account on a domain that no longer exists
(NXDOMAIN, answered by our healthy resolver at both checks), a broken link (LNK002) of the
portal's 政务新媒体 column, in the ground truth.
"""
from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import urlsplit

from testbed.county import SITE_ID, SITE_UNIT
from testbed.media import GONE_HOST

# How portals write the platforms (normalized back by `zwgk discover`).
PLATFORM_AS_LISTED = {"微信公众号": "微信公众号", "微信视频号": "视频号", "新浪微博": "微博", "今日头条": "头条号",
                      "抖音": "抖音号", "快手": "快手", "移动客户端": "APP"}


class Component:
    def __init__(self, testbed: Any) -> None:
        self.tb = testbed
        self.truth: list[dict[str, Any]] = []

    def install(self) -> None:
        from testbed import content, media, network, platforms, sites, templates

        county = self.tb.county
        for spec in sites.SPECS:
            text = spec.unit if spec.host.endswith(network.DOMAIN) else spec.name
            county.site_links.append((text, self.tb.url(spec.host, "/")))
        county.site_links.append((platforms.UNIT, self.tb.url(platforms.HOST, "/")))
        for component in self.tb.components:
            if isinstance(component, network.Component):
                county.site_links += [(app.name, component.url_of(app)) for app in component.sites]
            elif isinstance(component, templates.Component):   # the Hanweb and 开普云 信息公开 sites
                county.site_links += [(s.unit, self.tb.url(s.host, "/")) for s in component.sites]
            elif isinstance(component, content.Component):     # the 县卫健局 site of the content rules
                county.site_links.append((content.UNIT, self.tb.url(content.HOST, "/")))
        media_component = next((c for c in self.tb.components if isinstance(c, media.Component)), None)
        if media_component is not None:
            county.media_table = self.media_table(media_component, media.ACCOUNTS)

    def media_table(self, component: Any, accounts: Any) -> str:
        rows = []
        for case in accounts:
            status = "正常" if case.active else "已注销"
            name = escape(case.name)
            last = ""
            if case.active and case.source != "manual":
                url = component.url(case)
                name = f'<a href="{escape(url)}" target="_blank">{name}</a>'
                if urlsplit(url).hostname == GONE_HOST:
                    self.truth.append({"rule": "LNK002", "site": SITE_ID, "unit": SITE_UNIT, "url": url,
                                       "column": None})
            elif case.active and case.age is not None:
                last = f"{self.tb.as_of - timedelta(days=case.age):%Y-%m-%d}"
            rows.append(f"<tr><td>{name}</td><td>{PLATFORM_AS_LISTED[case.platform]}</td><td>{escape(case.unit)}</td>"
                        f"<td>{status}</td><td>{last}</td></tr>")
        return ('<table class="xmt"><tr><th>账号名称</th><th>平台</th><th>开办主体</th><th>状态</th><th>最近更新</th></tr>'
                + "".join(rows) + "</table>")

    def ground_truth(self) -> dict[str, Any]:
        return {"findings": list(self.truth), "near_misses": []}

    def config_toml(self) -> str:
        return ""

    def stop(self) -> None:
        pass
