"""`zwgk appeal`: a unit's appeal (申诉) against a finding, and the admin's decision.

    zwgk appeal RULE SUBJECT --reason TEXT [--by NAME]     file it: the finding is 申诉中
    zwgk appeal --list [--all] [--json]
    zwgk appeal --reject RULE SUBJECT [--reason TEXT]      the finding is 未整改 again (deadline unchanged)
    zwgk appeal --accept RULE SUBJECT [--reason TEXT]      the unit is right: the finding becomes 已豁免

While an appeal is open the finding is listed apart with its reason, not notified, not scored
and not counted as 逾期; it is still re-checked, and the appeal ends by itself (``resolved``)
when the defect is gone (已整改).  SUBJECT is the finding's ``subject`` in findings.json.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from checks import REGISTRY
from commands.common import load_config, print_listing, rule_and_subject_error, who
from zwgk.config import config_path
from zwgk.records import Appeal, Exemption
from zwgk.store import Store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", nargs="?", help="the rule ID, e.g. LNK002")
    p.add_argument("subject", nargs="?", help="the finding's subject (findings.json `subject`)")
    p.add_argument("--reason", help="the unit's grounds (required to appeal); the admin's note with --reject/--accept")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list the open appeals (--all: closed ones too)")
    group.add_argument("--reject", action="store_true", help="close the appeal: the finding stands (未整改)")
    group.add_argument("--accept", action="store_true", help="close the appeal: the finding is exempted (已豁免)")
    p.add_argument("--all", action="store_true", help="with --list: closed appeals too")
    p.add_argument("--by", default=None, help="who (default: $ZWGK_USER or the login name)")
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--json", action="store_true")


def cmd_appeal(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with Store(config.database) as store:
        if args.list:
            print_listing(
                store.appeals(open_only=not args.all), args.json,
                lambda a: {"rule": a.rule, "subject": a.subject, "reason": a.reason, "by": a.created_by,
                           "at": a.created_at.isoformat(), "outcome": a.outcome, "closed_by": a.closed_by,
                           "closed_at": a.closed_at.isoformat() if a.closed_at else None, "note": a.note},
                lambda a: (f"{a.rule}  {a.subject}  {a.outcome or '申诉中'}  by {a.created_by} "
                           f"at {a.created_at:%Y-%m-%d}: {a.reason}"),
                "no appeals")
            return 0
        problem = rule_and_subject_error("appeal", args, REGISTRY)
        if problem:
            print(problem, file=sys.stderr)
            return 2
        by = who(args)
        if args.reject or args.accept:
            outcome = "accepted" if args.accept else "rejected"
            reason = (args.reason or "").strip() or None
            n = store.close_appeal(args.rule, args.subject, outcome, by, now, reason)
            if not n:
                print(f"zwgk appeal: no open appeal of {args.rule} {args.subject}", file=sys.stderr)
                return 1
            if args.accept:
                filed = next(a for a in reversed(store.appeals(open_only=False))
                             if (a.rule, a.subject, a.outcome) == (args.rule, args.subject, "accepted"))
                store.add_exemption(Exemption(args.rule, args.subject, f"申诉成立：{reason or filed.reason}", by, now))
            print(f"appeal of {args.rule} {args.subject} {outcome}", file=sys.stderr)
            return 0
        if not args.reason or not args.reason.strip():
            print("zwgk appeal: --reason is required", file=sys.stderr)
            return 2
        if not store.add_appeal(Appeal(args.rule, args.subject, args.reason.strip(), by, now)):
            print(f"zwgk appeal: {args.rule} {args.subject} is already under appeal", file=sys.stderr)
            return 1
        print(f"appeal filed: {args.rule} {args.subject} is 申诉中", file=sys.stderr)
    return 0


COMMANDS = {"appeal": ("a unit's appeal against a finding (申诉中), and its rejection or acceptance",
                       add_arguments, cmd_appeal)}
