"""Testbed component: sites for the availability (AVL001) and IPv6 (NET001-NET006) probes.

Each case is a site of its own under ``*.jss.gov.cn.test`` (unit 县政府办公室), served on the
testbed's port over 127.0.0.1 and [::1].  What the crawler sees (over IPv4, with its own
User-Agent) is always a sound page, so a crawl of these sites alone yields no finding; the
defects show only to the probes:

- ``nov6``: no AAAA (NODATA) → NET001;
- ``v6broken``: AAAA, but the IPv6 side closes every connection unanswered → NET002;
- ``v6slow``: AAAA, the IPv6 side answers after 16 s → NET002 (``v6slow14``, 14 s: near-miss);
- ``v6diff``: IPv6 serves a web server's default page → NET003;
- ``v6links``: 3 of 23 homepage links and 4 of 20 second-level links fail over IPv6 → NET004,
  NET005 (``v6ok``: 1 of 23 and 3 of 20, exactly 95 % and 85 %: near-misses);
- ``skylight``: the homepage embeds an image from ``cdn4`` (A only) → NET006 (``v6ok`` embeds
  from ``cdn46``, which has AAAA: near-miss);
- ``avl5`` / ``avl6`` / ``avl4``: the homepage fails every 20th / 3 in 50 / every 25th
  availability probe (counted over IPv4 probe requests, so the share in any 140 consecutive
  probes is 5.0 % / ≥ 5.7 % / ≤ 4.3 %) → AVL001, AVL001, near-miss (a warning only).

The probe-only failures are keyed on the probe's User-Agent (``zwgk-probe``): the testbed
must stay deterministic when the crawler fetches the same homepages in the same session.

Ground truth: ``ground_truth()["probe_findings"]`` lists what a probe round (IPv6) plus 140
availability rounds over 7 days must find; ``near_misses`` what they must not.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from html import escape
from typing import Any, Callable, Mapping

from testbed.server import Reply, Testbed

DOMAIN = "jss.gov.cn.test"
UNIT = "县政府办公室"
IPV6_DELAY_S = 16.0
NEAR_DELAY_S = 14.0


def _html(body: str) -> Reply:
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


def _is_probe(headers: Mapping[str, str]) -> bool:
    ua = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
    return "zwgk-probe" in ua


class CdnApp:
    """A static host for embedded resources."""

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        ctype = "image/png" if path.endswith(".png") else "application/javascript"
        return Reply(200, {"Content-Type": ctype}, b"\x89PNG" if ctype == "image/png" else b"var ok=1;")


class SiteApp:
    """One small government site; ``v6`` and ``fail_probe`` make it misbehave for the probes."""

    def __init__(self, component: "Component", key: str, name: str, *, v6: str = "ok",
                 l2: int = 0, l2_fail_v6: int = 0, l3_fail_v6: int = 0,
                 resources: tuple[str, ...] = (), fail_probe: Callable[[int], bool] | None = None,
                 fail_mode: str = "drop", v6_marker: bool = False) -> None:
        self.c = component
        self.key = key
        self.name = name
        self.v6 = v6
        self.l2 = l2
        self.l2_fail_v6 = l2_fail_v6
        self.l3_fail_v6 = l3_fail_v6
        self.resources = resources
        self.fail_probe = fail_probe
        self.fail_mode = fail_mode
        self.v6_marker = v6_marker
        self.probe_count = 0
        self.lock = threading.Lock()

    @property
    def host(self) -> str:
        return f"{self.key}.{DOMAIN}"

    def frame(self, title: str, body: str, extra_head: str = "") -> str:
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"/>
<meta name="SiteName" content="{escape(self.name)}"/>
<meta name="SiteDomain" content="{self.host}"/>
<meta name="SiteIDCode" content="6229270001"/>{extra_head}
<title>{escape(title)}_{escape(self.name)}</title></head>
<body><div class="header"><a href="/">首页</a></div>
<div class="main">{body}</div>
<div class="footer"><p>主办：积石山县人民政府办公室</p><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0001"><img src="http://dcs.conac.cn/image/red.png" alt="党政机关"/></a><p>网站标识码：6229270001 陇ICP备05000123号-1 甘公网安备 62292702000001号</p></div>
</body></html>"""

    def home(self, family: str) -> str:
        as_of = self.c.tb.as_of
        news = "".join(f'<li><a href="/xwdt/n{i}.html">{escape(self.name)}工作动态第{i}期</a>'
                       f'<span>{as_of - timedelta(days=i):%Y-%m-%d}</span></li>' for i in (1, 2, 3))
        pages = "".join(f'<li><a href="/l2/p{i}.html">服务事项{i}</a></li>' for i in range(1, self.l2 + 1))
        res = "".join(f'<img src="{self.c.tb.url(h, "/logo.png")}" alt="logo"/>' if h.startswith("cdn4.")
                      else f'<script src="{self.c.tb.url(h, "/app.js")}"></script>' for h in self.resources)
        marker = '<p class="v6">本站已支持IPv6访问</p>' if family == "v6" and self.v6_marker else ""
        return self.frame("首页", f'<h1>{escape(self.name)}</h1>{res}{marker}'
                                 f'<div class="news"><h2>工作动态</h2><ul>{news}</ul></div><ul class="svc">{pages}</ul>')

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        path = path.split("?", 1)[0]
        probe = _is_probe(headers)
        if family == "v6":
            if self.v6 == "drop":
                return Reply(drop=True)
            if self.v6 == "slow" and path == "/":
                return Reply(delay_s=IPV6_DELAY_S, body=self.home("v4").encode())
            if self.v6 == "slow14" and path == "/":
                return Reply(delay_s=NEAR_DELAY_S, body=self.home("v4").encode())
            if self.v6 == "diff":
                return _html("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>"
                             "<h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is "
                             "successfully installed and working.</p></body></html>")
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        if path in ("/", "/index.html"):
            if probe and family == "v4" and method == "GET" and self.fail_probe is not None:
                with self.lock:
                    self.probe_count += 1
                    failing = self.fail_probe(self.probe_count)
                if failing:
                    return Reply(drop=True) if self.fail_mode == "drop" else Reply(
                        500, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>500 Internal Server Error</h1>")
            return _html(self.home(family))
        if path.startswith("/xwdt/n") and path.endswith(".html"):
            return _html(self.frame("工作动态", f"<h1>{escape(self.name)}工作动态</h1><p>内容。</p>"))
        if path.startswith("/l2/p") and path.endswith(".html"):
            i = int(path[5:-5]) if path[5:-5].isdigit() else 0
            if not 1 <= i <= self.l2:
                return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404</h1>")
            if family == "v6" and i <= self.l2_fail_v6:
                return Reply(drop=True)
            return _html(self.frame(f"服务事项{i}", f'<h1>服务事项{i}</h1><p>办理指南。</p>'
                                                  f'<a href="/l3/p{i}.html">办事指南{i}</a>'))
        if path.startswith("/l3/p") and path.endswith(".html"):
            i = int(path[5:-5]) if path[5:-5].isdigit() else 0
            if not 1 <= i <= self.l2:
                return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404</h1>")
            if family == "v6" and i > self.l2 - self.l3_fail_v6:
                return Reply(503, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>503</h1>")
            return _html(self.frame(f"办事指南{i}", f"<h1>办事指南{i}</h1><p>材料清单。</p>"))
        return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404</h1>")


class Component:
    def __init__(self, testbed: Testbed) -> None:
        self.tb = testbed
        self.sites: list[SiteApp] = []
        self.truth: list[dict[str, Any]] = []
        self.near: list[dict[str, Any]] = []

    def site(self, key: str, name: str, aaaa: bool = True, **kw: Any) -> SiteApp:
        app = SiteApp(self, key, name, **kw)
        self.tb.add_host(app.host, app, a=["127.0.0.1"], aaaa=["::1"] if aaaa else [])
        self.sites.append(app)
        return app

    def url_of(self, app: SiteApp) -> str:
        return self.tb.url(app.host, "/")

    def expect(self, rule: str, app: SiteApp, **extra: Any) -> None:
        self.truth.append({"rule": rule, "site": f"net-{app.key}", "unit": UNIT, "url": self.url_of(app),
                           "column": None, **extra})

    def near_miss(self, rule: str, app: SiteApp, why: str) -> None:
        self.near.append({"rule": rule, "site": f"net-{app.key}", "unit": UNIT, "url": self.url_of(app),
                          "column": None, "why": why})

    def install(self) -> None:
        for cdn, aaaa in (("cdn4", []), ("cdn46", ["::1"])):
            self.tb.add_host(f"{cdn}.{DOMAIN}", CdnApp(), a=["127.0.0.1"], aaaa=aaaa)
        ok = self.site("v6ok", "县IPv6示范网站（模拟）", l2=20, l2_fail_v6=1, l3_fail_v6=3,
                       resources=(f"cdn46.{DOMAIN}",), v6_marker=True)
        for rule, why in (("NET001", "has AAAA"), ("NET002", "answers over IPv6"),
                          ("NET003", "the IPv6 page adds one line (本站已支持IPv6访问): similarity ≥ 0.9"),
                          ("NET004", "22 of 23 homepage links load over IPv6: 95.7 % ≥ 95 %"),
                          ("NET005", "17 of 20 second-level links load over IPv6: exactly 85 %"),
                          ("NET006", "its script host cdn46 has AAAA")):
            self.near_miss(rule, ok, why)
        nov6 = self.site("nov6", "县发改局网站（模拟）", aaaa=False)
        self.expect("NET001", nov6)
        self.near_miss("NET002", nov6, "no AAAA: NET001's business, not a failed IPv6 fetch")
        broken = self.site("v6broken", "县教育局网站（模拟）", v6="drop")
        self.expect("NET002", broken)
        self.near_miss("AVL001", broken, "fine over IPv4, as users see it")
        slow = self.site("v6slow", "县卫健局网站（模拟）", v6="slow")
        self.expect("NET002", slow, why="answers after 16 s over IPv6 (limit 15 s)")
        slow14 = self.site("v6slow14", "县民政局网站（模拟）", v6="slow14")
        self.near_miss("NET002", slow14, "answers after 14 s over IPv6 (limit 15 s)")
        diff = self.site("v6diff", "县财政局网站（模拟）", v6="diff")
        self.expect("NET003", diff)
        links = self.site("v6links", "县人社局网站（模拟）", l2=20, l2_fail_v6=3, l3_fail_v6=4)
        self.expect("NET004", links, why="20 of 23 homepage links load over IPv6 (87 %)")
        self.expect("NET005", links, why="16 of 20 second-level links load over IPv6 (80 %)")
        sky = self.site("skylight", "县文旅局网站（模拟）", resources=(f"cdn4.{DOMAIN}", f"cdn46.{DOMAIN}"))
        self.expect("NET006", sky)
        a5 = self.site("avl5", "县水务局网站（模拟）", fail_probe=lambda n: n % 20 == 0, fail_mode="http500")
        self.expect("AVL001", a5, why="every 20th probe answers 500: exactly 5 %")
        a6 = self.site("avl6", "县交通局网站（模拟）", fail_probe=lambda n: n % 50 in (0, 17, 34))
        self.expect("AVL001", a6, why="3 in 50 probes dropped: ≥ 5.7 % of any 140")
        a4 = self.site("avl4", "县商务局网站（模拟）", fail_probe=lambda n: n % 25 == 0)
        self.near_miss("AVL001", a4, "every 25th probe dropped: ≤ 4.3 % (a warning, not a finding)")

    def ground_truth(self) -> dict[str, Any]:
        return {"findings": list(self.truth), "near_misses": list(self.near)}

    ROUNDS = 140          # 20 a day over 7 days, 72 minutes apart
    ROUND_MINUTES = 72

    def observe(self, config_path: Any, as_of: Any) -> None:
        """Probe rounds at synthetic times over the 7 days before ``as_of`` noon (UTC):
        availability rounds, then one IPv6 round with the latest crawl's links."""
        from datetime import datetime, time, timedelta, timezone

        from commands.common import load_config
        from crawler.probes import latest_crawl_links, probe_round, store_round
        from zwgk.store import Store

        config = load_config(config_path)
        end = datetime.combine(as_of, time(12, 0), tzinfo=timezone.utc)
        times = [end - timedelta(minutes=self.ROUND_MINUTES * (self.ROUNDS - 1 - i)) for i in range(self.ROUNDS)]
        with Store(config.database) as store:
            links = latest_crawl_links(store)
        results = [probe_round(config, t, ipv6=False) for t in times[:-1]]
        results.append(probe_round(config, times[-1], ipv6=True, crawl_links=links))
        with Store(config.database) as store:
            for r in results:
                store_round(store, r)

    def config_toml(self) -> str:
        lines = ["# IPv6 and availability cases (testbed.network): found by `zwgk probe`, not by the crawl.",
                 "# IPv6 rounds wait the full 15 s for v6slow: `zwgk probe --ipv6` runs one.",
                 "[probes]", "timeout = 15", "concurrency = 6", "ipv6 = false", ""]
        for app in self.sites:
            lines += ["[[sites]]", f'id = "net-{app.key}"', f'name = "{app.name}"', f'url = "{self.url_of(app)}"',
                      f'unit = "{UNIT}"', ""]
        return "\n".join(lines)

    def stop(self) -> None:
        pass
