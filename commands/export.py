"""`zwgk export`: findings per unit and site as CSV / XLSX / JSON (reports.export)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import load_config
from reports.export import FORMATS, table_from_store, write
from zwgk.config import config_path
from zwgk.store import Store


# -- the command -------------------------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--year", type=int, help="roll up the check runs of this year and add the 年报 figures")
    p.add_argument("--out", type=Path, help="output file (default: [zwgk] report_dir/export-<year|latest>.<format>;"
                                            " '-' = stdout for csv/json)")


def cmd_export(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    with Store(config.database) as store:
        table = table_from_store(config, store, args.year)
    out = args.out
    if out is None:
        config.report_dir.mkdir(parents=True, exist_ok=True)
        out = config.report_dir / f"export-{args.year or 'latest'}.{args.format}"
    try:
        where = write(table, args.format, out)
    except ValueError as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return 2
    if where != "-":
        print(f"export: {len(table.rows)} rows, {sum(r.total for r in table.rows if r.kind == 'unit')} findings "
              f"({table.scope}{' ' + str(table.year) if table.year else ''}) -> {where}", file=sys.stderr)
    return 0


COMMANDS = {"export": ("findings per unit and site as CSV / XLSX / JSON (--year for the 年报 figures)",
                       add_arguments, cmd_export)}
