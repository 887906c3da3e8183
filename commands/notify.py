"""`zwgk notify`: e-mail each unit its 整改通知 through the outbox (reports.notify)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from commands.common import add_common, load_config
from reports.notify import notify
from zwgk.config import config_path


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)
    p.add_argument("--dry-run", action="store_true", help="write the notices as .eml files, send nothing")
    p.add_argument("--out", type=Path, help="folder for the .eml files of --dry-run "
                                            "(default: [zwgk] report_dir/notices)")
    p.add_argument("--requeue-uncertain", action="store_true",
                   help="send again the notices a crash left in doubt (check the mail log first)")


def cmd_notify(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    summary = notify(config, as_of=args.as_of, dry_run=args.dry_run, out=args.out,
                     requeue_uncertain=args.requeue_uncertain)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        if summary["check_run_id"] is not None:
            lc = summary["lifecycle"]
            print(f"notify: check run {summary['check_run_id']}: {lc.get('new', 0)} new, "
                  f"{lc.get('still_open', 0)} still open, {lc.get('resolved', 0)} resolved")
        if args.dry_run:
            for path in summary["files"]:
                print(f"  wrote {path}")
        elif summary["check_run_id"] is not None:
            print(f"  queued {summary['queued']}, sent {summary['sent']}, failed {summary['failed']}, "
                  f"waiting {summary['waiting']}, uncertain {summary['uncertain']}")
        for s in summary["skipped"]:
            print(f"  skipped {s['unit']} ({s['findings']} findings): {s['reason']}")
        for e in summary["errors"]:
            print(f"  error: {e}", file=sys.stderr)
    bad = summary["errors"] or summary["waiting"] or summary["uncertain"]
    return 1 if bad else 0


COMMANDS = {"notify": ("e-mail each unit its 整改通知 (through the outbox)", add_arguments, cmd_notify)}
