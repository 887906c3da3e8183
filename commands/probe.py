"""``zwgk probe``: one round of homepage availability probes (and IPv6 probes), stored.

Run it often (≥ 20 times a day, spaced: AVL001 needs that many) from cron or the
scheduler; IPv6 rounds (the default) also fetch a sample of the latest crawl's links.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timezone
from typing import Any


def _when(value: str) -> datetime:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            now = datetime.now(timezone.utc)
            return now.replace(year=day.year, month=day.month, day=day.day, microsecond=0)
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of: expected YYYY-MM-DD or an ISO date-time, got {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, help="config.toml (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--json", action="store_true", help="print the round as JSON")
    p.add_argument("--as-of", type=_when, default=None, metavar="WHEN",
                   help="record the round at this time (YYYY-MM-DD or ISO date-time; default now, UTC)")
    p.add_argument("--ipv6", dest="ipv6", action="store_true", default=None,
                   help="also probe over IPv6 (default: [probes] ipv6)")
    p.add_argument("--no-ipv6", dest="ipv6", action="store_false", help="availability probes only")


def run(args: argparse.Namespace) -> int:
    from commands.common import load_config
    from zwgk.config import config_path
    from crawler.probes import latest_crawl_links, probe_round, store_round
    from zwgk.store import Store

    config = load_config(config_path(args.config))
    ipv6 = config.section("probes")["ipv6"] if args.ipv6 is None else args.ipv6
    now = args.as_of or datetime.now(timezone.utc).replace(microsecond=0)
    with Store(config.database) as store:
        links = latest_crawl_links(store) if ipv6 else []
    result = probe_round(config, now, ipv6=ipv6, crawl_links=links)
    with Store(config.database) as store:
        round_id = store_round(store, result)
    if args.json:
        print(json.dumps({"command": "probe", "round_id": round_id, **result.to_json()}, ensure_ascii=False))
    else:
        _describe(round_id, result)
    return 0


def _describe(round_id: int, result: Any) -> None:
    r = result.round
    print(f"probe round {round_id} at {r.started_at.isoformat()}: {r.hosts_total} sites, "
          f"{r.hosts_failed} failed{', IPv6 included' if r.ipv6 else ''}")
    if r.degraded:
        print(f"  degraded (not judged): {r.reason}", file=sys.stderr)
    for p in result.probes:
        print(f"  {p.site_id:<16} {p.family.value:<3} {p.address or '-':<16} {p.outcome.value:<17} "
              f"{p.status or '':>3} {p.elapsed_s:6.2f} s")
    if result.ipv6_links:
        ok = sum(1 for l in result.ipv6_links if l.outcome.value == "OK")
        print(f"  in-site links over IPv6: {ok}/{len(result.ipv6_links)} loaded")


COMMANDS = {"probe": ("probe every site's homepage once (availability, IPv6) and store the round",
                      add_arguments, run)}
