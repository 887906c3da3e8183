"""What every subcommand shares: the common options, loading config.toml with the
checks' catalogue, and printing step results."""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, Callable

import checks
from crawler import profiles
from zwgk import config as _config


def load_config(path: str | Path) -> _config.Config:
    """config.toml validated against the rules and CMS families this zwgk has (unknown rule IDs
    and family names are errors)."""
    return _config.load_config(path, rules=checks.DEFAULTS, cms_families=profiles.names())


def parse_as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of: expected YYYY-MM-DD, got {value!r}") from None


def add_common(p: argparse.ArgumentParser, as_of: bool = True, json_out: bool = True) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    if as_of:
        p.add_argument("--as-of", type=parse_as_of, default=None, metavar="YYYY-MM-DD",
                       help="the day the inspection judges (default: today)")
    if json_out:
        p.add_argument("--json", action="store_true", help="print a one-object JSON summary")


def emit(args: argparse.Namespace, results: list[Any], human: Callable[[], None]) -> None:
    if getattr(args, "json", False):
        payload = {"command": args.command, "steps": [r.to_json() for r in results],
                   "duration_s": round(sum(r.duration_s for r in results), 2),
                   "errors": [e for r in results for e in r.errors]}
        print(json.dumps(payload, ensure_ascii=False))
    else:
        human()


def describe(results: list[Any]) -> None:
    for r in results:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items() if not isinstance(v, dict))
        print(f"{r.step}: run {r.run_id} {r.status} in {r.duration_s:.1f} s — {counts}")
        if r.step == "check" and r.counts.get("by_rule"):
            print("  " + ", ".join(f"{k} {v}" for k, v in sorted(r.counts["by_rule"].items())))
        for e in r.errors:
            print(f"  error: {e}")
        for k, v in r.outputs.items():
            print(f"  {k}: {v}")
