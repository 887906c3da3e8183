"""The `zwgk` command."""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

from zwgk.config import ConfigError, config_path, load_config


def _as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of: expected YYYY-MM-DD, got {value!r}") from None


def _common(p: argparse.ArgumentParser, as_of: bool = True, json_out: bool = True) -> None:
    p.add_argument("--config", help="config file (default: $ZWGK_CONFIG or ./config.toml)")
    if as_of:
        p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD",
                       help="the day the inspection judges (default: today)")
    if json_out:
        p.add_argument("--json", action="store_true", help="print a one-object JSON summary")


# Components add their own subcommands: a module listed here exposes
# COMMANDS = {name: (help, add_arguments(parser), run(args) -> exit code)}.
# A module that is not there yet is skipped.
COMMAND_MODULES = (
    "zwgk.probes.cli",      # zwgk probe
    "zwgk.media.cli",       # zwgk media
    "scheduler",            # zwgk schedule, zwgk status
    "reports.notify",       # zwgk notify
    "reports.export",       # zwgk export
)


def component_commands() -> dict[str, tuple[str, Callable[..., Any], Callable[[argparse.Namespace], int]]]:
    from zwgk.components import present

    commands = {}
    for module in present(COMMAND_MODULES):
        commands.update(getattr(module, "COMMANDS", {}))
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
    p.add_argument("--out", type=Path, help="output folder (default: [zwgk] report_dir)")
    p.add_argument("--pdf", action="store_true", help="also write report.pdf (needs WeasyPrint and a CJK font)")
    p = sub.add_parser("run", help="crawl, probe once, read 政务新媒体 accounts, check and report in one go")
    _common(p)
    p.add_argument("--out", type=Path, help="report folder (default: [zwgk] report_dir)")
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "crawl": cmd_step, "check": cmd_step, "report": cmd_step, "run": cmd_step, "demo": cmd_demo,
        "extract": cmd_extract, "rules": cmd_rules, "testbed": cmd_testbed,
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


def _emit(args: argparse.Namespace, results: list[Any], human: Callable[[], None]) -> None:
    if getattr(args, "json", False):
        payload = {"command": args.command, "steps": [r.to_json() for r in results],
                   "duration_s": round(sum(r.duration_s for r in results), 2),
                   "errors": [e for r in results for e in r.errors]}
        print(json.dumps(payload, ensure_ascii=False))
    else:
        human()


def run_steps(config: Any, steps: list[str], as_of: date, out: Path | None, quiet: bool,
              pdf: bool = False, fresh: bool = False, full: bool = False) -> list[Any]:
    from zwgk import pipeline

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


def _describe(results: list[Any]) -> None:
    for r in results:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items() if not isinstance(v, dict))
        print(f"{r.step}: run {r.run_id} {r.status} in {r.duration_s:.1f} s — {counts}")
        if r.step == "check" and r.counts.get("by_rule"):
            print("  " + ", ".join(f"{k} {v}" for k, v in sorted(r.counts["by_rule"].items())))
        for e in r.errors:
            print(f"  error: {e}")
        for k, v in r.outputs.items():
            print(f"  {k}: {v}")


def cmd_step(args: argparse.Namespace) -> int:
    from reports import PdfUnavailable
    from zwgk.pipeline import PipelineError

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
    _emit(args, results, lambda: _describe(results))
    return 0 if all(r.status == "complete" for r in results) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from zwgk.testbed.score import inspect, score
    from zwgk.testbed.server import Testbed

    started = time.monotonic()
    as_of = args.as_of or date.today()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # A fresh database each time: the demo shows one inspection of one testbed.
    for stale in out.glob("zwgk.sqlite3*"):
        stale.unlink()
    with Testbed(seed=args.seed, as_of=as_of) as tb:
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
        _describe(results)
        print(f"\nzwgk demo finished in {elapsed:.0f} s: {len(findings)} findings; "
              f"{matched} of the {len(truth['findings'])} seeded defects found.")
        print(f"  report:       {report}")
        print(f"  per unit:     {out / 'report' / 'units'}/")
        print(f"  findings:     {out / 'report' / 'findings.json'}")
        print(f"  config used:  {out / 'config.toml'}")
        print(f"  ground truth: {out / 'ground_truth.json'}")
    return 0 if ok else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import decode_html, extract_detail
    from crawler.profiles import detect

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"zwgk: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    html, encoding, _ = decode_html(raw, None)
    family = detect(args.url or "", html)   # as the crawler reads a site of that family
    d = extract_detail(html, args.url, profile=family.profile)
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    print(json.dumps({
        "file": str(args.file), "encoding": encoding, "cms": family.profile.name,
        "title": d.title, "doc_no": d.doc_no, "index_no": d.index_no, "publisher": d.publisher,
        "doc_date": iso(d.doc_date), "doc_date_source": d.doc_date_source, "doc_date_raw": d.doc_date_raw,
        "pub_date": iso(d.pub_date), "pub_date_source": d.pub_date_source, "pub_date_raw": d.pub_date_raw,
        "validity": d.validity, "attachments": list(d.attachments),
    }, ensure_ascii=False, indent=1))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from checks import REGISTRY

    config = load_config(config_path(args.config)) if args.config else None
    rows = []
    for rid, m in REGISTRY.items():
        conf = config.rule_conf(rid, m.DEFAULTS) if config else dict(m.DEFAULTS)
        doc = (m.__doc__ or "").strip()
        source = m.SOURCE
        rows.append({"id": rid, "name": m.NAME, "title": m.TITLE, "severity": m.SEVERITY.value,
                     "thresholds": conf, "source": source, "summary": doc.splitlines()[0] if doc else ""})
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


def cmd_testbed(args: argparse.Namespace) -> int:
    from zwgk.testbed.server import Testbed

    if args.testbed_command == "check":
        return cmd_testbed_check(args)
    as_of = args.as_of or date.today()
    try:
        tb = Testbed(seed=args.seed, as_of=as_of, pages=args.pages)
    except ValueError as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return 2
    with tb:
        config_file, truth_file = tb.write(args.dir)
        print(f"testbed: {tb.base_url}/ on 127.0.0.1{' and [::1]' if tb.has_ipv6 else ''} port {tb.port}, DNS at {tb.dns.address}, as of {as_of}")
        print(f"config:  {config_file}   (zwgk run --config {config_file} --as-of {as_of})")
        print(f"truth:   {truth_file}")
        print(f"pages:   about {tb.county.page_count()} on the portal, plus {len(tb.apps) - 1} other hosts")
        print("Ctrl-C stops it.", flush=True)
        import signal

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
    import tempfile

    from checks import ALL_RULE_IDS, REGISTRY
    from zwgk.testbed.score import inspect, score
    from zwgk.testbed.server import Testbed

    as_of = args.as_of or date.today()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zwgk-testbed-") as tmp:
        out = (args.out or Path(tmp)).resolve()
        for stale in out.glob("zwgk.sqlite3*"):
            stale.unlink()
        with Testbed(seed=args.seed, as_of=as_of, pages=args.pages) as tb:
            results, findings, truth = inspect(tb, out, as_of)
        failed_steps = [r for r in results if r.status != "complete"]
    scores = score(findings, truth)
    implemented = set(REGISTRY)
    missing_rules = [r for r in ALL_RULE_IDS if r not in implemented]
    seeded = {t["rule"] for t in truth["findings"]}
    near = {n["rule"] for n in truth["near_misses"]}
    unseeded = [r for r in implemented if r not in seeded or r not in near]
    below = [s for r, s in scores.items() if r in implemented and (s.precision < 1 or s.recall < 1)]
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
        if unseeded:
            print(f"implemented rules without both a seeded defect and a near-miss: {', '.join(sorted(unseeded))}")
        for r in failed_steps:
            print(f"step {r.step} {r.status}: {'; '.join(r.errors)}")
        print(f"{'OK' if ok else 'FAILED'}: {len(implemented)} of {len(ALL_RULE_IDS)} rules implemented, "
              f"{time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
