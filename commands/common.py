"""What every subcommand shares: the common options, loading config.toml with the
checks' catalogue, and printing step results."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import checks
from crawler import profiles
from zwgk import config as _config


def load_config(path: str | Path) -> _config.Config:
    """config.toml validated against the rules and CMS families this zwgk has (unknown rule IDs
    and family names are errors)."""
    return _config.load_config(path, rules=checks.DEFAULTS, cms_families=profiles.names())


T = TypeVar("T")


def who(args: argparse.Namespace) -> str:
    """The person behind a decision (exempt, appeal): --by, else $ZWGK_USER, else the login name."""
    if getattr(args, "by", None):
        return str(args.by)
    try:
        return os.environ.get("ZWGK_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a container: still record something
        return "unknown"


def rule_and_subject_error(command: str, args: argparse.Namespace, rules: Iterable[str]) -> str | None:
    """Why RULE SUBJECT of a decision command is unusable, or None when both are given and the rule exists."""
    if not args.rule or not args.subject:
        return f"zwgk {command}: RULE and SUBJECT are needed (or --list)"
    if args.rule not in set(rules):
        return f"zwgk {command}: unknown rule {args.rule!r}"
    return None


def print_listing(rows: list[T], as_json: bool, to_json: Callable[[T], dict[str, Any]],
                  to_line: Callable[[T], str], empty: str) -> None:
    """A `--list` of decisions: a JSON array, or one line each (``empty`` on stderr when none)."""
    if as_json:
        print(json.dumps([to_json(r) for r in rows], ensure_ascii=False, indent=1))
        return
    for r in rows:
        print(to_line(r))
    if not rows:
        print(empty, file=sys.stderr)


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
