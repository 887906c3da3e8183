"""`zwgk demo` and `zwgk testbed up | check`: the simulated county on loopback (testbed/)."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from checks import ALL_RULE_IDS, REGISTRY
from commands.common import describe
from testbed.score import inspect, score, upd_veto
from testbed.server import Testbed


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    as_of = args.as_of or date.today()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # A fresh database each time: the demo shows one inspection of one testbed.
    for stale in out.glob("zwgk.sqlite3*"):
        stale.unlink()
    with Testbed(seed=args.seed, as_of=as_of) as tb:
        assert tb.dns is not None           # started
        if not args.json:
            print(f"zwgk demo: a simulated county on loopback ({tb.base_url}/, DNS {tb.dns.address}), "
                  f"as of {as_of}")
            print("  crawling the portal and department sites, probing homepages over 7 simulated days, "
                  "reading 政务新媒体 feeds …", flush=True)
        results, findings, truth = inspect(tb, out, as_of)
    elapsed = time.monotonic() - started
    ok = all(r.status == "complete" for r in results) and len(results) == 3
    scores = score(findings, truth)
    matched = sum(s.true_positives for s in scores.values())
    report = out / "report" / "report.html"
    if args.json:
        print(json.dumps({"command": "demo", "steps": [r.to_json() for r in results],
                          "duration_s": round(elapsed, 2), "config": str(out / "config.toml"),
                          "ground_truth": str(out / "ground_truth.json"), "report": str(report),
                          "findings": len(findings), "seeded_defects_found": matched,
                          "seeded_defects": len(truth["findings"]),
                          "errors": [e for r in results for e in r.errors]}, ensure_ascii=False))
    else:
        describe(results)
        print(f"\nzwgk demo finished in {elapsed:.0f} s: {len(findings)} findings; "
              f"{matched} of the {len(truth['findings'])} seeded defects found.")
        print(f"  report:       {report}")
        print(f"  per unit:     {out / 'report' / 'units'}/")
        print(f"  findings:     {out / 'report' / 'findings.json'}")
        print(f"  config used:  {out / 'config.toml'}")
        print(f"  ground truth: {out / 'ground_truth.json'}")
    return 0 if ok else 1


def cmd_testbed(args: argparse.Namespace) -> int:
    if args.testbed_command == "check":
        return cmd_testbed_check(args)
    as_of = args.as_of or date.today()
    try:
        tb = Testbed(seed=args.seed, as_of=as_of, pages=args.pages)
    except ValueError as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return 2
    with tb:
        assert tb.dns is not None and tb.county is not None      # started
        config_file, truth_file = tb.write(args.dir)
        print(f"testbed: {tb.base_url}/ on 127.0.0.1{' and [::1]' if tb.has_ipv6 else ''} port {tb.port}, DNS at {tb.dns.address}, as of {as_of}")
        print(f"config:  {config_file}   (zwgk run --config {config_file} --as-of {as_of})")
        print(f"truth:   {truth_file}")
        print(f"pages:   about {tb.county.page_count()} on the portal, plus {len(tb.apps) - 1} other hosts")
        print("Ctrl-C stops it.", flush=True)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)   # `kill` and service managers stop it cleanly too
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("testbed stopped")
    return 0


def cmd_testbed_check(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zwgk-testbed-") as tmp:
        out = (args.out or Path(tmp)).resolve()
        for stale in out.glob("zwgk.sqlite3*"):
            stale.unlink()
        with Testbed(seed=args.seed, as_of=as_of, pages=args.pages) as tb:
            results, findings, truth = inspect(tb, out, as_of)
        failed_steps = [r for r in results if r.status != "complete"]
        # The UPD 栏目不更新 veto is scored like a rule, from findings.json's verdicts.
        veto_found, veto_expected = upd_veto(out, truth)
    findings = [*findings, *veto_found]
    truth = {**truth, "findings": [*truth["findings"], *veto_expected]}
    scores = score(findings, truth)
    implemented = set(REGISTRY)
    missing_rules = [r for r in ALL_RULE_IDS if r not in implemented]
    seeded = {t["rule"] for t in truth["findings"]}
    near = {n["rule"] for n in truth["near_misses"]}
    unseeded = [r for r in implemented if r not in seeded or r not in near]
    below = [s for r, s in scores.items() if (r in implemented or r == "UPD-veto")
             and (s.precision < 1 or s.recall < 1)]
    ok = not failed_steps and not below
    if args.json:
        print(json.dumps({"ok": ok, "duration_s": round(time.monotonic() - started, 1),
                          "rules": [s.to_json() for s in scores.values()], "not_implemented": missing_rules,
                          "without_positive_and_near_miss": sorted(unseeded),
                          "errors": [e for r in results for e in r.errors]}, ensure_ascii=False))
    else:
        print(f"{'rule':8} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>7}")
        for rule in ALL_RULE_IDS:
            s = scores.get(rule)
            if rule not in implemented:
                print(f"{rule:8} {'— not implemented yet':>33}")
            elif s is None:
                print(f"{rule:8} {0:>8} {0:>6} {'—':>9} {'—':>7}   (nothing seeded)")
            else:
                flag = "" if (s.precision == 1 and s.recall == 1) else "   <-- below 1.0"
                print(f"{rule:8} {s.expected:>8} {s.found:>6} {s.precision:>9.2f} {s.recall:>7.2f}{flag}")
                for m in s.missed:
                    print(f"         missed: {m}")
                for f in s.false:
                    print(f"         false:  {f}")
            if rule == "UPD005":   # the 栏目不更新 veto, from findings.json's verdicts
                v = scores.get("UPD-veto")
                if v is None:
                    print(f"{'UPD-veto':8} {0:>8} {0:>6} {'—':>9} {'—':>7}   (none implied by the seeded UPD defects)")
                else:
                    print(f"{'UPD-veto':8} {v.expected:>8} {v.found:>6} {v.precision:>9.2f} {v.recall:>7.2f}"
                          f"{'' if (v.precision == 1 and v.recall == 1) else '   <-- below 1.0'}")
                    for m in v.missed + v.false:
                        print(f"         {m}")
        if unseeded:
            print(f"implemented rules without both a seeded defect and a near-miss: {', '.join(sorted(unseeded))}")
        for r in failed_steps:
            print(f"step {r.step} {r.status}: {'; '.join(r.errors)}")
        print(f"{'OK' if ok else 'FAILED'}: {len(implemented)} of {len(ALL_RULE_IDS)} rules implemented, "
              f"{time.monotonic() - started:.1f} s")
    return 0 if ok else 1
