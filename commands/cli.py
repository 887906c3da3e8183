"""The `zwgk` command: the parser and the dispatch to one module per subcommand."""
from __future__ import annotations

import argparse
import errno
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable

import scheduler
from commands import appeal, config, discover, exempt, export, extract, inspect, media, notify, probe, rules, testbed
from commands.common import add_common as _common
from commands.common import parse_as_of as _as_of
from zwgk.config import ConfigError
from zwgk.store import STORE_EXIT_CODE, StoreError, storage_fault

# The subcommands that declare their own arguments:
# COMMANDS = {name: (help, add_arguments(parser), run(args) -> exit code)}.
COMMAND_MODULES: tuple[Any, ...] = (probe, media, scheduler, notify, export, config, exempt, appeal, discover)


def component_commands() -> dict[str, tuple[str, Callable[..., Any], Callable[[argparse.Namespace], int]]]:
    commands: dict[str, tuple[str, Callable[..., Any], Callable[[argparse.Namespace], int]]] = {}
    for module in COMMAND_MODULES:
        commands.update(module.COMMANDS)
    return commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zwgk", description="政府网站与政务公开巡检 — inspects government "
                                     "websites against the national disclosure rules.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="crawl the configured sites and store what was seen")
    _common(p)
    p.add_argument("--fresh", action="store_true", help="fetch everything again (no incremental re-use, no resume)")
    p.add_argument("--full", action="store_true", help="read every list page of every column (no per-column cap)")
    p = sub.add_parser("check", help="judge the latest complete crawl against the rules")
    _common(p)
    p = sub.add_parser("report", help="write the inspection report (HTML) and findings.json")
    _common(p)
    p.add_argument("--out", type=Path, help="write exactly into this folder (default: a dated folder "
                   "<report_dir>/<date>-check-<N>/ plus index.html and latest.html)")
    p.add_argument("--pdf", action="store_true", help="also write report.pdf (needs WeasyPrint and a CJK font)")
    p = sub.add_parser("run", help="crawl, probe once, read 政务新媒体 accounts, check and report in one go")
    _common(p)
    p.add_argument("--out", type=Path, help="report folder (default: a dated folder under [zwgk] report_dir)")
    p.add_argument("--pdf", action="store_true", help="also write report.pdf (needs WeasyPrint and a CJK font)")
    p.add_argument("--fresh", action="store_true", help="fetch everything again (no incremental re-use, no resume)")
    p.add_argument("--full", action="store_true", help="read every list page of every column (no per-column cap)")

    p = sub.add_parser("demo", help="start the simulated county, inspect it and write a report")
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output folder (default: ./demo-out)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("extract", help="print what the crawler extracts from one saved detail page")
    p.add_argument("file", type=Path)
    p.add_argument("--url", help="the page's URL (for relative links and URL dates)")

    p = sub.add_parser("rules", help="list every rule with its thresholds and source")
    p.add_argument("--json", action="store_true")
    p.add_argument("--config", help="show thresholds as overridden by this config")

    for name, (help_text, add_arguments, _run) in component_commands().items():
        add_arguments(sub.add_parser(name, help=help_text))

    p = sub.add_parser("testbed", help="the simulated county web on loopback")
    tsub = p.add_subparsers(dest="testbed_command", required=True)
    t = tsub.add_parser("up", help="serve the testbed until Ctrl-C; writes config.toml and ground_truth.json")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    t.add_argument("--dir", type=Path, default=Path("testbed"), help="where to write config.toml (default ./testbed)")
    t.add_argument("--pages", type=int, default=None, help="grow the portal to about N pages (200 to 200000)")
    t = tsub.add_parser("check", help="inspect a fresh testbed and score the findings against its ground truth")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    t.add_argument("--out", type=Path, default=None, help="keep config, database and report here")
    t.add_argument("--pages", type=int, default=None, help="grow the portal to about N pages (200 to 200000)")
    t.add_argument("--json", action="store_true")
    return parser


def die_with_scheduler() -> None:
    """In a job child of `zwgk schedule`: SIGKILL when the scheduler dies (Linux prctl).

    The scheduler passes its pid in ZWGK_DIE_WITH_PID.  PR_SET_PDEATHSIG is set here, at
    startup, and then os.getppid() is compared with that pid: if the scheduler died before
    prctl took effect we were re-parented already and exit at once.  The variable is removed
    so that processes this one starts do not take it for theirs."""
    want = os.environ.pop("ZWGK_DIE_WITH_PID", "")
    if not want.isdigit() or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass   # the scheduler's recovery still stops an orphan's process group
    if os.getppid() != int(want):
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    die_with_scheduler()
    args = build_parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "crawl": inspect.cmd_step, "check": inspect.cmd_step, "report": inspect.cmd_step,
        "run": inspect.cmd_step, "demo": testbed.cmd_demo, "extract": extract.cmd_extract,
        "rules": rules.cmd_rules, "testbed": testbed.cmd_testbed,
    }
    handlers.update({name: run for name, (_h, _a, run) in component_commands().items()})
    handler = handlers[args.command]
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"zwgk: config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zwgk: interrupted", file=sys.stderr)
        return 130
    except StoreError as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return STORE_EXIT_CODE
    except sqlite3.Error as exc:
        # A fault after opening (the disk filled up during a write, the file went read-only).
        print(f"zwgk: {storage_fault(_database(args), exc)}", file=sys.stderr)
        return STORE_EXIT_CODE
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        print(f"zwgk: {storage_fault(exc.filename or _database(args), exc)}", file=sys.stderr)
        return STORE_EXIT_CODE


def _database(args: argparse.Namespace) -> str:
    """The database a failing command used, for the message (the config may not have loaded)."""
    try:
        from zwgk.config import load_config

        return str(load_config(args.config).database) if getattr(args, "config", None) else "the zwgk database"
    except Exception:  # noqa: BLE001 - only for a message
        return "the zwgk database"


if __name__ == "__main__":
    sys.exit(main())
