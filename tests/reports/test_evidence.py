"""Evidence kept for appeal: captures stored once per body, pruned by [zwgk] evidence_days, and
one self-contained evidence page per finding showing the captured page as escaped text."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import tests.reports.test_lifecycle_scenario as scenario
from commands import steps
from commands.common import load_config
from tests.reports.test_lifecycle_scenario import CHECKS, CONFIG, GONE, County
from zwgk.records import Capture, LinkOutcome as O
from zwgk.records.media import MediaOutcome
from zwgk.store import Store
from zwgk.store import crawl as crawl_store

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)
HOSTILE = ('<html><head><title>页面不存在</title><script>alert("x")</script></head><body>'
           '</pre><img src=x onerror=alert(1)><a href="javascript:alert(2)">抱歉，您访问的页面不存在</a>'
           '</body></html>').encode("utf-8")


def cap(run_id: int, url: str, body: bytes | None, at: datetime, status: int = 200) -> Capture:
    import hashlib
    return Capture(run_id, url, url, status, "GET", "IPv6", "text/html; charset=utf-8",
                   hashlib.sha256(body).hexdigest() if body else None, at, body)


def test_a_body_is_stored_once_and_pruning_keeps_each_urls_newest(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        page = b"<html>" + "政务公开".encode() * 500 + b"</html>"
        crawl_store.add_captures(store, [cap(1, "http://a.test/p.html", page, T0)])
        crawl_store.add_captures(store, [cap(2, "http://a.test/p.html", page, T0 + timedelta(days=7))])
        crawl_store.add_captures(store, [cap(2, "http://a.test/q.html", b"<html>q</html>", T0 + timedelta(days=7))])
        cost = crawl_store.evidence_cost(store)
        assert (cost["captures"], cost["bodies"]) == (3, 2) and cost["stored_bytes"] < cost["raw_bytes"]
        newest = crawl_store.latest_capture(store, "http://a.test/p.html")
        assert newest.run_id == 2 and newest.body == page and newest.address_family == "IPv6"
        assert crawl_store.latest_capture(store, "http://a.test/p.html", up_to_run=1).run_id == 1
        # 400 days later: the old capture goes, each URL's newest stays, and so do their bodies
        pruned = crawl_store.prune_captures(store, T0 + timedelta(days=400))
        assert pruned == {"captures": 1, "bodies": 0}
        assert crawl_store.latest_capture(store, "http://a.test/p.html").body == page
        crawl_store.add_captures(store, [cap(3, "http://a.test/p.html", b"<html>new</html>", T0 + timedelta(days=401))])
        assert crawl_store.prune_captures(store, T0 + timedelta(days=400)) == {"captures": 1, "bodies": 1}
        assert crawl_store.evidence_cost(store)["bodies"] == 2


def county(tmp_path: Path) -> County:
    c = County(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG.replace(
        '[zwgk]\n', '[zwgk]\ndatabase = "zwgk.sqlite3"\nreport_dir = "reports"\nevidence_days = 30\n', 1),
        encoding="utf-8")
    c.config = load_config(tmp_path / "config.toml")
    return c


def test_each_finding_links_an_evidence_page_with_the_capture_escaped(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(scenario, "WEEKS", [((O.BROKEN, 404), (MediaOutcome.OK, 30))] * 4)
    c = county(tmp_path)
    c.check(0)
    crawl_store.add_captures(c.store, [cap(c.run.crawl_run_id, GONE, HOSTILE, T0, status=404)])
    out = tmp_path / "out"
    steps.report(c.config, CHECKS[0], out)
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    (lnk,) = [f for f in doc["findings"] if f["rule"] == "LNK002"]
    page = (out / lnk["evidence_file"]).read_text(encoding="utf-8")
    # the captured page is text, never markup: no tag of it survives
    assert "<script>" not in page and "<img" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "&lt;/pre&gt;" in page
    assert "default-src 'none'" in page                            # and nothing may load anyway
    assert "HTTP 404" in page and "IPv6" in page and "（与存档一致）" in page and "北京时间" in page
    assert "LNK002" in page and "confirm_after_hours" in page      # the rule and the thresholds applied
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f'href="{lnk["evidence_file"]}"' in report
    unit_pages = [p.read_text(encoding="utf-8") for p in (out / "units").iterdir()]
    assert any(f'href="../{lnk["evidence_file"]}"' in p for p in unit_pages)
    # every finding has its page, and the page of one without a capture says so
    for f in doc["findings"]:
        assert (out / f["evidence_file"]).is_file()
    others = [f for f in doc["findings"] if f["rule"] != "LNK002"]
    assert others and "未保存该对象的页面" in (out / others[0]["evidence_file"]).read_text(encoding="utf-8")


def test_a_check_prunes_by_evidence_days(tmp_path: Path) -> None:
    c = county(tmp_path)
    with Store(c.config.database) as store:
        old = datetime.now(timezone.utc) - timedelta(days=31)
        crawl_store.add_captures(store, [cap(1, "http://a.test/p.html", b"<html>1</html>", old),
                                         cap(1, "http://a.test/p.html", b"<html>2</html>", old + timedelta(hours=1))])
        crawl = store.start_run("crawl", CHECKS[0])
        store.finish_run(crawl, "complete")
    result = steps.check(c.config, CHECKS[0])
    with Store(c.config.database) as store:
        summary = store.run(result.run_id).summary
        assert summary["evidence_pruned"] == {"captures": 1, "bodies": 1}
        assert crawl_store.latest_capture(store, "http://a.test/p.html").body == b"<html>2</html>"
        assert summary["thresholds"]["LNK002"]["confirm_after_hours"] >= 1
