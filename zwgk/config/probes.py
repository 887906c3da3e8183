"""The [probes] section of config.toml: how the homepage and IPv6 probes behave.

Judging thresholds (5 %, 95 % …) are the rules' own (checks/availability.py, checks/ipv6_*.py,
overridable under [rules.<ID>]); this section says how to probe and when a round is our own
network's fault.
"""
from __future__ import annotations

from zwgk.config import Field

_NUM = (int, float)

CONFIG_SECTIONS = {
    "probes": {
        "timeout": Field(_NUM, 15.0, above=0, max=120, doc="seconds for a complete response (19号: 15 s)"),
        "max_body_bytes": Field(int, 2_000_000, min=1, max=1_000_000_000, doc="a longer homepage is cut off"),
        "concurrency": Field(int, 4, min=1, max=64, doc="hosts probed at once"),
        "max_redirects": Field(int, 3, max=20),
        "ipv6": Field(bool, True, doc="also probe over IPv6 (NET001-NET006) in `zwgk probe`"),
        "link_sample": Field(int, 40, max=10_000, doc="at most this many in-site links per level and site over IPv6"),
        "resource_hosts": Field(int, 20, max=1_000, doc="at most this many embedded-resource hosts looked up per site"),
        "degraded_share": Field(_NUM, 0.5, max=1,
                                doc="a round where more than this share of hosts fail is our network's fault"),
        "degraded_min_hosts": Field(int, 3, min=1, max=10_000, doc="the share rule needs at least this many hosts in a round"),
        "user_agent": Field(str, "zwgk-probe/0.1 (homepage availability and IPv6 monitor)"),
    },
}
