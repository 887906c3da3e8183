"""``zwgk config check``: every problem of config.toml at once, each with its line and what to
write instead.  Exit 2 when there is an error, 0 otherwise (placeholders only warn).

The other commands load the same schema and stop at start-up on its errors; this one lists
them all, and the placeholders (``FILL IN``, ``example.invalid``) that a real inspection
must not keep.
"""
from __future__ import annotations

import argparse
import json
import sys

import checks
from crawler import profiles
from zwgk.config import ConfigError, check_config, config_path


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="config_command", required=True)
    c = sub.add_parser("check", help="list every problem of config.toml (file, line, what to write instead)")
    c.add_argument("--config", default=None, help="config.toml (default: $ZWGK_CONFIG or ./config.toml)")
    c.add_argument("--json", action="store_true", help="print the problems as a JSON list")
    c.add_argument("--quiet", "-q", action="store_true", help="errors only, no placeholder warnings")


def run(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    try:
        problems = check_config(path, rules=checks.DEFAULTS, cms_families=profiles.names())
    except ConfigError as exc:          # no file, or not readable: nothing to check
        print(f"zwgk: config error: {exc}", file=sys.stderr)
        return 2
    errors = [p for p in problems if p.level == "error"]
    shown = errors if args.quiet else problems
    if args.json:
        print(json.dumps([{"file": str(p.path), "line": p.line, "level": p.level, "key": p.key,
                           "message": p.message, "hint": p.hint} for p in shown], ensure_ascii=False, indent=1))
    else:
        hinted: set[str] = set()
        for p in shown:
            where = f"{p.path}:{p.line}" if p.line else str(p.path)
            text = f"{p.key}: {p.message}" if p.key else p.message
            print(f"{where}: {p.level}: {text}")
            if p.hint and (p.level == "error" or p.hint not in hinted):
                print(f"    → {p.hint}")    # a warning's hint once: they are all alike
                hinted.add(p.hint)
        warnings = len(problems) - len(errors)
        verdict = "not usable: fix the errors above" if errors else "OK"
        print(f"{path}: {len(errors)} error{'s' * (len(errors) != 1)}, "
              f"{warnings} warning{'s' * (warnings != 1)} — {verdict}")
    return 2 if errors else 0


COMMANDS = {"config": ("check config.toml: every problem at once, with its line", add_arguments, run)}
