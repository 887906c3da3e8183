"""`zwgk crawl | check | report | run`: the inspection steps (commands.steps), one run each."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from commands import steps as pipeline
from commands.common import describe, emit, load_config
from commands.steps import PipelineError
from reports import PdfUnavailable
from zwgk.config import config_path


def run_steps(config: Any, steps: list[str], as_of: date, out: Path | None, quiet: bool,
              pdf: bool = False, fresh: bool = False, full: bool = False) -> list[Any]:
    results = []
    for step in steps:
        if step == "crawl":
            result = pipeline.crawl(config, as_of, quiet=quiet, fresh=fresh, full=full)
        elif step == "observe":
            result = pipeline.observe(config, as_of)
        elif step == "check":
            result = pipeline.check(config, as_of)
        else:
            result = pipeline.report(config, as_of, out, pdf=pdf)
        results.append(result)
        if result.status != "complete" and step != "observe":
            break
    return results


def cmd_step(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    steps = ["crawl", "observe", "check", "report"] if args.command == "run" else [args.command]
    as_of = args.as_of or date.today()
    try:
        results = run_steps(config, steps, as_of, getattr(args, "out", None), quiet=args.json,
                            pdf=getattr(args, "pdf", False), fresh=getattr(args, "fresh", False),
                            full=getattr(args, "full", False))
    except (PipelineError, PdfUnavailable) as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return 1
    emit(args, results, lambda: describe(results))
    return 0 if all(r.status == "complete" for r in results) else 1
