"""Shared by the probe tests: a config with only the network component's sites."""
from __future__ import annotations

from pathlib import Path

from testbed.network import Component
from testbed.server import Testbed


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


# -- record builders for the check tests ---------------------------------------------------------
from datetime import datetime, timedelta, timezone  # noqa: E402

from crawler.resolver import ResolveStatus  # noqa: E402
from zwgk.records.probes import (DnsObs, Family, Ipv6LinkObs, ProbeObs, ProbeOutcome)  # noqa: E402

HOME = "http://www.county.test/"
T_END = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def probe(round_id: int, outcome: ProbeOutcome = ProbeOutcome.OK, family: Family = Family.ANY,
          at: datetime = T_END, address: str | None = "127.0.0.1", title: str | None = "首页",
          text: str | None = "积石山县人民政府 工作动态 通知公告", links: tuple[str, ...] = (HOME + "a.html",),
          degraded: bool = False, status: int | None = 200, elapsed: float = 0.1) -> ProbeObs:
    return ProbeObs(round_id, "portal", HOME, family, address, outcome, status, elapsed, title,
                    None, text, links, at, None, degraded)


def series(failures: int, total: int = 140, every_min: int = 72, family: Family = Family.ANY,
           outcome: ProbeOutcome = ProbeOutcome.TIMEOUT, degraded_rounds: frozenset[int] = frozenset()
           ) -> list[ProbeObs]:
    """``total`` availability probes ``every_min`` apart ending at T_END; the first ``failures`` fail."""
    out = []
    for i in range(total):
        at = T_END - timedelta(minutes=every_min * (total - 1 - i))
        out.append(probe(i + 1, outcome if i < failures else ProbeOutcome.OK, family, at,
                         degraded=(i + 1) in degraded_rounds))
    return out


def v6(round_id: int, outcome: ProbeOutcome = ProbeOutcome.OK, **kw: object) -> ProbeObs:
    kw.setdefault("address", "::1")
    return probe(round_id, outcome, Family.V6, **kw)  # type: ignore[arg-type]


def dns_obs(round_id: int, aaaa: tuple[str, ...] = ("::1",), aaaa_status: ResolveStatus = ResolveStatus.OK,
            purpose: str = "site", host: str = "www.county.test", degraded: bool = False,
            a_status: ResolveStatus = ResolveStatus.OK) -> DnsObs:
    return DnsObs(round_id, "portal", host, purpose, ("127.0.0.1",) if a_status is ResolveStatus.OK else (),
                  aaaa, (), ResolveStatus.OK, a_status, aaaa_status, T_END, None, degraded)


def links(round_id: int, level: int, ok: int, failed: int, outcome: ProbeOutcome = ProbeOutcome.CONNECT_FAILED,
          degraded: bool = False) -> list[Ipv6LinkObs]:
    return [Ipv6LinkObs(round_id, "portal", level, HOME, f"{HOME}p{i}.html", "::1",
                        ProbeOutcome.OK if i < ok else outcome, 200 if i < ok else None, T_END, degraded)
            for i in range(ok + failed)]
