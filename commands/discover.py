"""`zwgk discover URL`: write config.toml from what the county portal publishes.

    zwgk discover https://www.example.gov.cn/ --config base.toml --out config.toml
    zwgk discover https://www.example.gov.cn/ --merge config.toml     # keep edits, add what is new
    zwgk discover --check --config config.toml                        # what changed on the portal

The reading is crawler.discover's; this module writes the file: the BASE config's settings
(everything but [[sites]], [[units]] and [[accounts]]) copied as they are, then the discovered
tables, each with where it came from, and a ``# TODO`` line for every placeholder and every
thing discovery could not decide.  Accounts it cannot complete are written commented out.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from commands.common import load_config
from crawler.discover import (DEFAULT_MAX_REQUESTS, Discovery, FoundAccount, FoundSite, FoundUnit, NotAPortal,
                              PoliteFetcher, discover, match_unit)
from zwgk.config import ConfigError

OWN_ARRAYS = ("sites", "units", "accounts")
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?\s*(#.*)?$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("url", nargs="?", help="the portal's homepage (with --check: default the config's portal)")
    p.add_argument("--config", help="BASE config: its [zwgk], [network], [crawl] … (nameservers, politeness, "
                                    "loopback) are used and copied into the output")
    p.add_argument("--out", type=Path, help="where to write (default: config.toml; with --merge: EXISTING)")
    p.add_argument("--merge", type=Path, metavar="EXISTING",
                   help="keep everything in EXISTING as it is and add what is new")
    p.add_argument("--check", action="store_true",
                   help="compare the portal with --config and print what changed (writes nothing)")
    p.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS)
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--json", action="store_true", help="print a one-object JSON summary")


# -- running ---------------------------------------------------------------------------------------

def make_fetcher(config: Any | None, max_requests: int, progress: bool) -> PoliteFetcher:
    crawl = config.crawl if config else {}
    network = config.network if config else {}
    stream = sys.stderr

    def show(line: str) -> None:
        stream.write("\r\x1b[K" + line[:150])
        stream.flush()
    return PoliteFetcher(nameservers=network.get("nameservers", ()), dns_timeout=network.get("dns_timeout", 5.0),
                         timeout=min(float(crawl.get("timeout", 30)), 30.0),
                         delay=float(crawl.get("download_delay", 0.5)), max_requests=max_requests,
                         allow_private=bool(crawl.get("allow_private_hosts", False)),
                         user_agent=crawl.get("user_agent", "zwgk-discover/0.1"),
                         obey_robots=bool(crawl.get("obey_robots_txt", True)),
                         progress=show if progress else None)


@dataclass(frozen=True)
class BaseSettings:
    """What discovery itself uses of BASE: [crawl] and [network], defaults filled in.  BASE is
    not validated as a whole: its [[tasks]] may name units that only discovery will add."""

    crawl: dict[str, Any]
    network: dict[str, Any]


def base_settings(path: str) -> BaseSettings:
    from zwgk.config import SECTIONS, config_path

    file = config_path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    out = {}
    for name in ("crawl", "network"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: [{name}] is not a table")
        out[name] = {**{k: f.default for k, f in SECTIONS[name].items()}, **table}
    return BaseSettings(out["crawl"], out["network"])


def cmd_discover(args: argparse.Namespace) -> int:
    if args.check:
        if not args.config:
            print("zwgk discover --check: needs --config (the config to compare with)", file=sys.stderr)
            return 2
        return check_command(args, load_config(args.config))
    base = base_settings(args.config) if args.config else None
    if not args.url:
        print("zwgk discover: give the portal's URL, e.g. zwgk discover https://www.example.gov.cn/",
              file=sys.stderr)
        return 2
    out: Path = args.out or args.merge or Path("config.toml")
    if out.exists() and not args.merge and not args.force:
        print(f"zwgk discover: {out} exists; use --merge {out} to add to it, --force to overwrite, "
              "or --out another file", file=sys.stderr)
        return 2
    progress = sys.stderr.isatty() and not args.json
    fetcher = make_fetcher(base, args.max_requests, progress)
    try:
        found = discover(args.url, fetcher)
    except NotAPortal as exc:
        _end_progress(progress)
        print(f"zwgk discover: {exc}", file=sys.stderr)
        return 2
    _end_progress(progress)
    base_text = Path(args.config).read_text(encoding="utf-8") if args.config else ""
    today = date.today()
    if args.merge:
        try:
            existing = args.merge.read_text(encoding="utf-8")
            data = tomllib.loads(existing)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            print(f"zwgk discover: cannot read {args.merge}: {exc}", file=sys.stderr)
            return 2
        text, added = merge_config(existing, data, found, today)
    else:
        text, added = render_config(found, base_text, today), None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    problem = None
    try:
        load_config(out)
    except ConfigError as exc:
        problem = str(exc)
    summary = summarize(found, out, added, problem)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print_summary(found, summary)
    return 1 if problem or found.problems else 0


def _end_progress(progress: bool) -> None:
    if progress:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


# -- writing ---------------------------------------------------------------------------------------

def q(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def settings_of(base_text: str) -> str:
    """BASE without its [[sites]], [[units]] and [[accounts]] tables."""
    out: list[str] = []
    skipping = False
    for line in base_text.splitlines():
        m = _HEADER.match(line)
        if m:
            skipping = line.strip().startswith("[[") and m.group(1).strip('"') in OWN_ARRAYS
            while skipping and out and out[-1].lstrip().startswith("#"):
                out.pop()   # the comment that introduced the table goes with it
        if not skipping:
            out.append(line)
    text = "\n".join(out).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


DEFAULT_SETTINGS = """[zwgk]
database = "var/zwgk.sqlite3"
report_dir = "var/reports"
county = {county}

[crawl]
# download_delay = 0.5             # seconds between two requests to one host
# concurrency_per_host = 2

[network]
# nameservers = ["223.5.5.5"]      # empty: the system's resolver

[notify]
# TODO: the SMTP server and the sender; the password comes from $ZWGK_SMTP_PASSWORD
# smtp_host = "smtp.example.gov.cn"
# admin_email = "zwgk@example.gov.cn"
"""


def render_site(s: FoundSite) -> list[str]:
    lines = ["[[sites]]", f"id = {q(s.id)}", f"name = {q(s.name or s.url)}", f"url = {q(s.url)}",
             f"unit = {q(s.unit)}"]
    if s.link_text and s.link_text != s.name:
        lines[2] += f"   # linked as {s.link_text}"
    if s.start_urls:
        lines.append("start_urls = [" + ", ".join(q(u) for u in s.start_urls) + "]   # the 政府信息公开 entry")
    lines += [f"# TODO: {t}" for t in s.todo]
    return lines


def render_unit(u: FoundUnit) -> list[str]:
    lines = ["[[units]]", f"name = {q(u.name)}"]
    if u.type:
        lines.append(f"type = {q(u.type)}")
    else:
        lines.append('type = "部门"   # TODO: not inferred from the name — 县政府, 乡镇 or 部门?')
    lines.append('email = ""   # TODO: the e-mail address for 整改通知')
    if u.platform:
        lines.append(f"platform = {q(u.platform)}")
    lines += [f"# TODO: {t}" for t in u.todo if not t.startswith("type:")]
    return lines


def render_account(a: FoundAccount) -> list[str]:
    body = [f"name = {q(a.name)}", f"unit = {q(a.unit or a.unit_listed)}",
            f"platform = {q(a.platform or a.platform_listed)}", f"source = {q(a.source)}"]
    if a.url:
        body.append(f"url = {q(a.url)}")
    if a.selectors:
        body.append("selectors = { " + ", ".join(f"{k} = {q(v)}" for k, v in a.selectors.items()) + " }")
    if a.source == "manual" and a.url == "":
        if a.last_post is not None:
            body.append(f"last_post = {a.last_post.isoformat()}")
        elif not a.active:
            body.append('last_post = "never"')
        else:
            body.append("# last_post = YYYY-MM-DD")
    if not a.active:
        body.append("active = false   # listed as closed (已注销/关停)")
    todo = [f"# TODO: {t}" for t in a.todo]
    if not a.usable:
        return todo + ["# [[accounts]]"] + [line if line.startswith("#") else "# " + line for line in body]
    return ["[[accounts]]"] + body + todo


def render_config(found: Discovery, base_text: str, today: date) -> str:
    unresolved = found.unresolved()
    head = [f"# zwgk configuration for {found.county or found.portal}, written by `zwgk discover {found.portal}`",
            f"# on {today}: {len(found.sites)} sites, {len(found.units)} units, {len(found.accounts)} 政务新媒体 "
            f"accounts, {found.requests} requests.",
            f"# {len(unresolved)} items marked TODO need a person; every unit's e-mail is to be typed.",
            "# `zwgk discover URL --merge config.toml` adds what the portal gains later, keeping your edits;",
            "# `zwgk discover --check --config config.toml` shows what changed.", ""]
    head += [f"# TODO: discovery could not read everything: {p}" for p in found.problems]
    settings = settings_of(base_text) if base_text.strip() else DEFAULT_SETTINGS.format(county=q(found.county))
    lines = head + ["", settings, "",
                    "# ---- Sites: the portal and the department sites its homepage links (部门网站).", ""]
    for s in found.sites:
        lines += render_site(s) + [""]
    lines += [f"# ---- Units from the platform index {found.index_url or '(not read)'}, names as published.",
              "# A unit's platform: the columns the crawl reaches from it are the unit's;",
              "# column_prefixes = [...] would override that for the columns under them.", ""]
    for u in found.units:
        lines += render_unit(u) + [""]
    lines += [f"# ---- 政务新媒体 accounts from {found.media_url or '(no 政务新媒体 column found)'}.", ""]
    for a in found.accounts:
        lines += render_account(a) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def merge_config(existing: str, data: dict[str, Any], found: Discovery, today: date
                 ) -> tuple[str, dict[str, list[str]]]:
    """EXISTING unchanged, with the sites, units and accounts it lacks appended."""
    sites = data.get("sites", []) if isinstance(data.get("sites"), list) else []
    units = data.get("units", []) if isinstance(data.get("units"), list) else []
    accounts = data.get("accounts", []) if isinstance(data.get("accounts"), list) else []
    hosts = {_host(s.get("url", "")) for s in sites if isinstance(s, dict)}
    site_ids = {s.get("id") for s in sites if isinstance(s, dict)}
    unit_names = [u.get("name", "") for u in units if isinstance(u, dict)]
    account_names = {a.get("name") for a in accounts if isinstance(a, dict)}
    added: dict[str, list[str]] = {"sites": [], "units": [], "accounts": [], "notes": []}
    lines = ["", f"# ---- Added by `zwgk discover {found.portal} --merge` on {today}.", ""]
    renames: dict[str, str] = {}
    for u in found.units:
        same = match_unit(u.name, unit_names)
        if same is not None:
            renames[u.name] = same
            configured = next(x for x in units if isinstance(x, dict) and x.get("name") == same)
            if u.platform and not configured.get("platform") and not configured.get("column_prefixes"):
                added["notes"].append(f"{same}: platform {u.platform}")
                lines.append(f"# TODO: [[units]] {same!r} has no platform; the index links {u.platform}")
            continue
        added["units"].append(u.name)
        lines += render_unit(u) + [""]
    for s in found.sites:
        if _host(s.url) in hosts:
            continue
        while s.id in site_ids:
            s.id += "-new"
        s.unit = renames.get(s.unit, s.unit)
        added["sites"].append(s.id)
        lines += render_site(s) + [""]
    for a in found.accounts:
        if a.name in account_names:
            continue
        a.unit = renames.get(a.unit or "", a.unit)
        added["accounts"].append(a.name)
        lines += render_account(a) + [""]
    if not any(added[k] for k in ("sites", "units", "accounts", "notes")):
        return existing, added
    return existing.rstrip("\n") + "\n" + "\n".join(lines).rstrip("\n") + "\n", added


def _host(url: str) -> str:
    from crawler.discover import _host as host_of
    return host_of(url)


# -- --check ---------------------------------------------------------------------------------------

def changes(config: Any, found: Discovery) -> dict[str, list[str]]:
    """What the portal shows that config.toml does not say, and the reverse."""
    from zwgk.config.media import load_accounts

    names = [u.name for u in config.units]
    out: dict[str, list[str]] = {"new_units": [], "vanished_platforms": [], "new_accounts": [],
                                 "closed_accounts": [], "unlisted_accounts": [], "new_sites": []}
    index_read = bool(found.index_url)
    platforms = {_key(u.platform): u.name for u in found.units if u.platform}
    for u in found.units:
        if u.source == "platform index" and match_unit(u.name, names) is None:
            out["new_units"].append(f"{u.name} ({u.type or '类型待定'}) {u.platform}")
    if index_read:
        for u in config.units:
            if u.platform and _key(u.platform) not in platforms:
                out["vanished_platforms"].append(f"{u.name}: {u.platform} 不再出现在平台索引中")
    try:
        accounts = load_accounts(config)
    except ConfigError:
        accounts = ()
    configured = {a.name: a for a in accounts}
    listed = {a.name: a for a in found.accounts}
    for seen in found.accounts:
        if seen.name not in configured:
            out["new_accounts"].append(f"{seen.name} ({seen.platform or seen.platform_listed}, {seen.unit_listed})"
                                       + ("" if seen.active else " 已注销"))
        elif configured[seen.name].active and not seen.active:
            out["closed_accounts"].append(f"{seen.name}: 门户列为已注销/关停，config.toml 中仍为 active")
    if found.media_url and found.accounts:
        for name, a in configured.items():
            if a.active and name not in listed:
                out["unlisted_accounts"].append(f"{name}: 不再出现在政务新媒体栏目中")
    hosts = {_host(s.url) for s in config.sites} | {h.lower() for s in config.sites for h in s.hosts}
    for s in found.sites:
        if _host(s.url) not in hosts:
            out["new_sites"].append(f"{s.name or s.link_text} {s.url}")
    return out


def _key(url: str) -> str:
    url = url.split("#", 1)[0]
    return re.sub(r"/(index|default)\.s?html?$", "/", url)


CHANGE_LABELS = {"new_units": "新单位（平台索引中有，config.toml 中没有）", "vanished_platforms": "消失的平台",
                 "new_accounts": "新账号", "closed_accounts": "已关停的账号", "unlisted_accounts": "不再列出的账号",
                 "new_sites": "新的部门网站"}


def check_command(args: argparse.Namespace, config: Any) -> int:
    url = args.url or next((s.url for s in config.sites if s.id == "portal"), None) or (
        config.sites[0].url if config.sites else None)
    if not url:
        print("zwgk discover --check: the config has no [[sites]]; give the portal's URL", file=sys.stderr)
        return 2
    progress = sys.stderr.isatty() and not args.json
    fetcher = make_fetcher(config, args.max_requests, progress)
    try:
        found = discover(url, fetcher)
    except NotAPortal as exc:
        _end_progress(progress)
        print(f"zwgk discover --check: {exc}", file=sys.stderr)
        return 2
    _end_progress(progress)
    diff = changes(config, found)
    changed = any(diff.values())
    if args.json:
        print(json.dumps({"command": "discover --check", "portal": url, "changed": changed, **diff,
                          "problems": found.problems, "requests": found.requests,
                          "duration_s": found.elapsed_s}, ensure_ascii=False))
    else:
        print(f"zwgk discover --check: {url} against {config.path} ({found.requests} requests, "
              f"{found.elapsed_s:.1f} s)")
        for key, label in CHANGE_LABELS.items():
            if diff[key]:
                print(f"  {label}: {len(diff[key])}")
                for line in diff[key]:
                    print(f"    {line}")
        for p in found.problems:
            print(f"  未能读取: {p}")
        print("  没有变化。" if not changed else "  Add them with: zwgk discover URL --merge config.toml")
    return 1 if changed else 0


# -- the summary -----------------------------------------------------------------------------------

def summarize(found: Discovery, out: Path, added: dict[str, list[str]] | None, problem: str | None
              ) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for a in found.accounts:
        if a.usable:
            kinds[a.source] = kinds.get(a.source, 0) + 1
    return {"command": "discover", "portal": found.portal, "out": str(out), "requests": found.requests,
            "duration_s": found.elapsed_s, "sites": len(found.sites), "units": len(found.units),
            "units_from_index": sum(1 for u in found.units if u.source == "platform index"),
            "accounts": len(found.accounts), "accounts_closed": sum(1 for a in found.accounts if not a.active),
            "accounts_commented_out": sum(1 for a in found.accounts if not a.usable), "sources": kinds,
            "unresolved": found.unresolved(), "problems": found.problems, "added": added,
            "emails_to_type": len(found.units), "config_error": problem}


def print_summary(found: Discovery, s: dict[str, Any]) -> None:
    print(f"zwgk discover: {found.portal} — {s['requests']} requests in {s['duration_s']:.1f} s")
    print(f"  sites:     {s['sites']} (the portal and {s['sites'] - 1} sites it links)")
    print(f"  units:     {s['units']} ({s['units_from_index']} from the platform index {found.index_url or '—'})")
    sources = ", ".join(f"{k} {v}" for k, v in sorted(s["sources"].items()))
    print(f"  accounts:  {s['accounts']} ({s['accounts_closed']} closed, {s['accounts_commented_out']} written "
          f"commented out; sources: {sources or '—'})")
    if s["problems"]:
        print("  could not read:")
        for p in s["problems"]:
            print(f"    {p}")
    if s["unresolved"]:
        print(f"  unresolved ({len(s['unresolved'])}, written as # TODO):")
        for line in s["unresolved"]:
            print(f"    {line}")
    print(f"  still to type: the e-mail address of each of the {s['emails_to_type']} units, "
          "[notify] (SMTP server, admin_email)")
    if s["added"] is not None:
        a = s["added"]
        print(f"  merged: added {len(a['sites'])} sites, {len(a['units'])} units, {len(a['accounts'])} accounts"
              + (f"; {len(a['notes'])} platform suggestions as TODO" if a["notes"] else ""))
    if s["config_error"]:
        print(f"  the written file does not load yet: {s['config_error']}")
    print(f"wrote {s['out']}")


COMMANDS = {"discover": ("write config.toml from the portal (sites, units, 政务新媒体); --check: what changed",
                         add_arguments, cmd_discover)}
