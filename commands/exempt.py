"""`zwgk exempt`: a person's decision that a finding is not notified or scored, until a date.

    zwgk exempt RULE SUBJECT --reason TEXT [--until YYYY-MM-DD]
    zwgk exempt --list
    zwgk exempt --remove RULE SUBJECT

SUBJECT is what the finding is about: its URL, column URL, account key or site (as in
findings.json, ``subject``).  Who and when are stored with the reason; an exempted finding
is listed apart in the report and returns, with its history, the day after ``--until``.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from checks import REGISTRY
from commands.common import load_config, parse_as_of, print_listing, rule_and_subject_error, who
from zwgk.config import config_path
from zwgk.records import Exemption
from zwgk.store import Store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", nargs="?", help="the rule ID, e.g. LNK002")
    p.add_argument("subject", nargs="?", help="the finding's subject: URL, column URL, account key or site id")
    p.add_argument("--reason", help="why (stored with who and when; required to exempt)")
    p.add_argument("--until", type=parse_as_of, default=None, metavar="YYYY-MM-DD",
                   help="last day the exemption holds (default: until removed)")
    p.add_argument("--list", action="store_true", help="list the exemptions in force")
    p.add_argument("--remove", action="store_true", help="end the exemption of RULE SUBJECT")
    p.add_argument("--by", default=None, help="who decides (default: $ZWGK_USER or the login name)")
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--json", action="store_true")


def cmd_exempt(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with Store(config.database) as store:
        if args.list:
            print_listing(
                store.exemptions(), args.json,
                lambda e: {"rule": e.rule, "subject": e.subject, "reason": e.reason,
                           "until": e.until.isoformat() if e.until else None, "by": e.created_by,
                           "at": e.created_at.isoformat()},
                lambda e: (f"{e.rule}  {e.subject}  until {e.until or '—'}  by {e.created_by} "
                           f"at {e.created_at:%Y-%m-%d}: {e.reason}"),
                "no exemptions")
            return 0
        problem = rule_and_subject_error("exempt", args, REGISTRY)
        if problem:
            print(problem, file=sys.stderr)
            return 2
        if args.remove:
            n = store.remove_exemption(args.rule, args.subject, who(args), now)
            print(f"removed {n} exemption(s) of {args.rule} {args.subject}", file=sys.stderr)
            return 0 if n else 1
        if not args.reason or not args.reason.strip():
            print("zwgk exempt: --reason is required", file=sys.stderr)
            return 2
        store.add_exemption(Exemption(args.rule, args.subject, args.reason.strip(), who(args), now, args.until))
        print(f"exempted {args.rule} {args.subject}" + (f" until {args.until}" if args.until else ""),
              file=sys.stderr)
    return 0


COMMANDS = {"exempt": ("exempt a finding from notices and scoring (with a reason, optionally until a date)",
                       add_arguments, cmd_exempt)}
