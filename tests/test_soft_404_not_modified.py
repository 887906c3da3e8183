"""A soft 404 answered 304 on an unchanged re-crawl, through the real crawler, checks and
lifecycle: the 304 confirms and keeps the finding (未整改), never 已整改; only the page really
fixed is 已整改.  The evidence page shows the 304 with the stored soft-404 body."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from commands import steps
from commands.common import load_config
from tests.crawler.servers import Answer, Sites, html
from zwgk.store import Store
from zwgk.store import crawl as crawl_store

SOFT = html("提示信息", "<h2>抱歉，您访问的页面不存在或已被删除！</h2>")
FIXED = html("机构职能", "<h1>机构职能</h1><p>" + "本局主要职责。" * 50 + "</p>")


class Site:
    def __init__(self) -> None:
        self.old = SOFT          # /zwgk/jgzn/ : a soft 404 until the unit fixes it

    def __call__(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        if path in ("/", "/index.html"):
            body = html("首页", '<p><a href="/zwgk/jgzn/">机构职能</a></p>')
        elif path == "/zwgk/jgzn/":
            body = self.old
        else:
            return Answer(404, html("404", "<h1>404</h1>"))
        etag = f'"{abs(hash(body)) % 10**12}"'
        if headers.get("If-None-Match") == etag:
            return Answer(304, b"", {"ETag": etag})
        return Answer(200, body, {"ETag": etag, "Content-Type": "text/html; charset=utf-8"})


def test_a_soft_404_answered_304_stays_open_and_only_a_real_fix_resolves(tmp_path: Path) -> None:
    site = Site()
    with Sites({"soft.test": site}) as sites:
        config_path = sites.write_config(tmp_path, [{"id": "s", "name": "站点", "url": sites.url("soft.test"),
                                                      "unit": "县政府办公室"}],
                                         allow_private_hosts=True, recheck_failed_links=False)
        # one failing check per crawl, confirmed by the next one however soon
        config_path.write_text(config_path.read_text(encoding="utf-8")
                               + '\n[rules.LNK003]\nconfirm_after_hours = 0\n', encoding="utf-8")
        config = load_config(config_path)
        target = sites.url("soft.test") + "zwgk/jgzn/"
        day = date(2026, 11, 5)
        states = []
        for week in range(4):
            if week == 3:
                site.old = FIXED                              # the unit fixes the page
            crawl = steps.crawl(config, day + timedelta(weeks=week), quiet=True)
            assert crawl.status == "complete", crawl
            steps.check(config, day + timedelta(weeks=week))
            out = tmp_path / f"report-{week}"
            steps.report(config, day + timedelta(weeks=week), out)
            doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
            mine = [f for f in doc["findings"] if f["rule"] == "LNK003" and f["subject"] == target]
            html_text = (out / "report.html").read_text(encoding="utf-8")
            states.append((mine[0]["state"], mine[0]["first_seen"]) if mine else None)
            if week in (1, 2):
                assert "已整改" not in html_text, week
            if week == 2:
                evidence = (out / mine[0]["evidence_file"]).read_text(encoding="utf-8")
                assert "HTTP 304" in evidence and "页面不存在或已被删除" in evidence
        with Store(config.database) as store:
            statuses = [c.status for c in store.link_checks() if c.url == target]
            final = {t.finding.key(): t for t in store.finding_states()}
            last = crawl_store.latest_capture(store, target)
    assert statuses == [200, 304, 304, 200]                   # the re-crawls really were answered 304
    assert states[0] is None                                  # one failing check: 待复核, no finding yet
    assert states[1] == ("new", "2026-11-12")                 # the 304 confirms the soft 404 …
    assert states[2] == ("still_open", "2026-11-12")          # … and keeps it 未整改 with its first seen
    assert states[3] is None and final[("LNK003", "s", target)].state.value == "resolved"
    assert last is not None and last.status == 200 and "机构职能".encode() in (last.body or b"")
