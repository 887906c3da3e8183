"""Shared by the probe tests: a config with only the network component's sites."""
from __future__ import annotations

from pathlib import Path

from zwgk.testbed.network import Component
from zwgk.testbed.server import Testbed


def network_component(tb: Testbed) -> Component:
    return next(c for c in tb.components if isinstance(c, Component))


def write_probe_config(tb: Testbed, directory: Path, nameserver: str | None = None) -> Path:
    """config.toml for the network component's sites alone (crawl settings as the testbed's)."""
    assert tb.dns is not None or nameserver
    text = "\n".join([
        "[zwgk]", 'database = "zwgk.sqlite3"', 'report_dir = "report"', "",
        "[crawl]", "download_delay = 0", "concurrency_per_host = 8", "timeout = 10",
        "allow_private_hosts = true", "",
        "[network]", f'nameservers = ["{nameserver or tb.dns.address}"]', "dns_timeout = 2", "",
        "[[units]]", 'name = "县政府办公室"', 'type = "部门"', "",
        "[rules.LNK001]", "confirm_after_hours = 0", "", "[rules.LNK002]", "confirm_after_hours = 0", "",
        network_component(tb).config_toml(),
    ])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
