"""robots.txt per site: one site obeys its Disallow, another is configured to ignore it."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from tests.conftest import AS_OF
from commands import steps as pipeline
from commands.common import load_config
from zwgk.records import LinkOutcome
from zwgk.store import Store
from testbed.server import Reply, Testbed

HOME = '<html><head><title>首页</title></head><body><a href="/private/page.html">内部通知</a></body></html>'


class RobotsApp:
    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
        if path == "/":
            return Reply(200, body=HOME.encode())
        if path == "/private/page.html":
            return Reply(200, body="<html><body>内部通知</body></html>".encode())
        return Reply(404, body=b"")


def test_robots_policy_per_site(tmp_path: Path) -> None:
    with Testbed(seed=1, as_of=AS_OF, components=False) as tb:
        for host in ("obey.robots.test", "ignore.robots.test"):
            tb.add_host(host, RobotsApp())
        config_file = tmp_path / "config.toml"
        config_file.write_text("\n".join([
            "[zwgk]", 'database = "z.sqlite3"', "[crawl]", "download_delay = 0", "allow_private_hosts = true",
            "obey_robots_txt = true",
            "[network]", f'nameservers = ["{tb.dns.address}"]', "dns_timeout = 2",
            "[[units]]", 'name = "县政府办公室"', 'type = "部门"',
            "[[sites]]", 'id = "obey"', 'name = "守规矩"', f'url = "{tb.url("obey.robots.test")}"', 'unit = "县政府办公室"',
            "[[sites]]", 'id = "ignore"', 'name = "不看robots"', f'url = "{tb.url("ignore.robots.test")}"',
            'unit = "县政府办公室"', "obey_robots_txt = false", ""]), encoding="utf-8")
        config = load_config(config_file)
        run = pipeline.crawl(config, AS_OF, quiet=True)
    assert run.status == "complete", run.errors
    with Store(config.database) as store:
        checks = {c.url: c for c in store.link_checks(up_to_run=run.run_id)}
    obeyed = checks[tb.url("obey.robots.test", "/private/page.html")]
    ignored = checks[tb.url("ignore.robots.test", "/private/page.html")]
    assert obeyed.outcome is LinkOutcome.EXCLUDED and "robots" in (obeyed.detail or "").lower()
    assert ignored.outcome is LinkOutcome.OK
