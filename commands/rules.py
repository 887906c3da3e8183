"""`zwgk rules`: every rule with its thresholds and source."""
from __future__ import annotations

import argparse
import json

from checks import REGISTRY
from commands.common import load_config
from zwgk.config import config_path


def cmd_rules(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config)) if args.config else None
    rows = []
    for rid, m in REGISTRY.items():
        conf = config.rule_conf(rid, m.DEFAULTS) if config else dict(m.DEFAULTS)
        doc = (m.__doc__ or "").strip()
        source = m.SOURCE
        rows.append({"id": rid, "name": m.NAME, "title": m.TITLE, "severity": m.SEVERITY.value,
                     "thresholds": conf, "source": source, "reads": m.READS.__name__,
                     "summary": doc.splitlines()[0] if doc else ""})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            th = ", ".join(f"{k}={v}" for k, v in r["thresholds"].items() if not isinstance(v, (dict, list)))
            print(f"{r['id']}  {r['title']}  [{r['severity']}]  {th}")
            print(f"        {r['summary']}")
            if r["source"]:
                print(f"        source: {r['source']}")
    return 0
