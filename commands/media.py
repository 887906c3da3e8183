"""`zwgk media`: read every 政务新媒体 account once and store what was seen."""
from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from commands.common import load_config
from zwgk.config import config_path
from zwgk.records.media import LABELS
from crawler.media.readers import config_fetcher, poll
from zwgk.config.media import load_accounts, media_settings
from zwgk.store import Store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--json", action="store_true", help="print a one-object JSON summary")


def poll_and_store(config: Any, now: datetime) -> list[Any]:
    """Read every active account of ``config`` at ``now`` and store the observations."""
    from zwgk.store.media_observations import save

    accounts = load_accounts(config)
    observed = poll(accounts, now, config_fetcher(config), media_settings(config)["workers"])
    with Store(config.database) as store:
        save(store, observed)
    return observed


def run(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    observed = poll_and_store(config, datetime.now(timezone.utc))   # the clock is read here, at the edge
    counts = Counter(o.outcome.value for o in observed)
    if args.json:
        print(json.dumps({"command": "media", "accounts": len(observed), "by_outcome": dict(counts),
                          "observations": [o.to_json() for o in observed]}, ensure_ascii=False))
        return 0
    if not observed:
        print("zwgk media: no active [[accounts]] in the config")
    for o in observed:
        newest = o.newest_date.isoformat() if o.newest_date else "—"
        print(f"{o.account}（{o.platform}，{o.unit}）: {LABELS[o.outcome]} [{o.outcome.value}], 最新发布 {newest}"
              + (f", {o.post_count} 条" if o.post_count is not None else "") + (f" — {o.detail}" if o.detail else ""))
    print(f"media: {len(observed)} accounts read — " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


COMMANDS = {"media": ("read every 政务新媒体 account once and store what was seen", add_arguments, run)}
