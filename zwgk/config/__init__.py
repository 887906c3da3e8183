"""Loading and validating config.toml.

Everything is checked at start-up: an unknown key, a wrong type or a missing
field stops with a ConfigError naming the file, the line and the key, and what
was expected.  Thresholds of the rules live in each check module's DEFAULTS;
config.toml may override them under ``[rules.<ID>]``.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from zwgk.records import Site, Unit

DEFAULT_CONFIG = "config.toml"
UNIT_TYPES = ("县政府", "乡镇", "部门")


class ConfigError(Exception):
    """A problem in config.toml: the message names the file, line and key."""


@dataclass(frozen=True)
class Field:
    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    item_type: type | None = None      # for lists
    doc: str = ""

    def describe(self) -> str:  # noqa: C901 - a plain table of words
        if self.type is list:
            return f"a list of {self.item_type.__name__ if self.item_type else 'values'}"
        if self.type == _NUM:
            return "a number"
        if isinstance(self.type, tuple):
            return " or ".join(t.__name__ for t in self.type)
        return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
                dict: "a table"}.get(self.type, self.type.__name__)


_NUM = (int, float)

SECTIONS: dict[str, dict[str, Field]] = {
    "zwgk": {
        "database": Field(str, "var/zwgk.sqlite3", doc="SQLite file, relative to this file"),
        "report_dir": Field(str, "var/reports", doc="where `zwgk report` writes by default"),
        "county": Field(str, "", doc="name of the county, shown in reports"),
    },
    "crawl": {
        "max_pages_per_site": Field(int, 5000),
        "max_depth": Field(int, 8),
        "max_list_pages_per_column": Field(int, 100, doc="list pages read per column and crawl (0 = all; "
                                                         "`zwgk crawl --full` reads all)"),
        "concurrency_per_host": Field(int, 2),
        "download_delay": Field(_NUM, 0.5),
        "timeout": Field(_NUM, 30),
        "max_response_bytes": Field(int, 20_000_000),
        "user_agent": Field(str, "zwgk/0.1 (government website inspection; +https://github.com/zwgk/zwgk)"),
        "obey_robots_txt": Field(bool, True),
        "allow_private_hosts": Field(bool, False,
                                     doc="check links to loopback/private addresses (the testbed needs this)"),
        "check_external_links": Field(bool, True),
        "link_cache_hours": Field(_NUM, 24, doc="hours an OK link check is trusted before the link is "
                                                "checked again (0 = every crawl)"),
        "recheck_failed_links": Field(bool, True,
                                      doc="check failing links a second time at the end of the crawl"),
    },
    "network": {
        "nameservers": Field(list, [], item_type=str, doc="IP or IP:PORT; empty = the system's resolver"),
        "dns_timeout": Field(_NUM, 5.0),
        "degraded_share": Field(_NUM, 0.5, doc="more sites than this unreachable by network errors in one "
                                              "crawl = our own network's fault: the crawl is 'degraded'"),
    },
    "calendar": {
        "years": Field(dict, {}, doc="holidays and 调休 workdays of years chinese-calendar does not know"),
    },
}

# The sections and arrays of the other parts (probes, 政务新媒体, the scheduler, notices,
# 方案 tasks) are declared beside this module, one module each, as
# CONFIG_SECTIONS = {name: {key: Field}} (plain tables) and/or
# CONFIG_ARRAYS = {name: {key: Field}} (arrays of tables, [[name]]), with an optional
# validate(config, rule_ids) for their cross-checks.  They reach the code as
# Config.section(name) or Config.array(name).
def component_modules() -> list[Any]:
    from zwgk.config import content, media, notify, probes, schedule, tasks

    return [probes, media, schedule, notify, tasks, content]


def component_schemas() -> tuple[dict[str, dict[str, Field]], dict[str, dict[str, Field]]]:
    sections: dict[str, dict[str, Field]] = {}
    arrays: dict[str, dict[str, Field]] = {}
    for module in component_modules():
        sections.update(getattr(module, "CONFIG_SECTIONS", {}))
        arrays.update(getattr(module, "CONFIG_ARRAYS", {}))
    return sections, arrays


SITE_FIELDS: dict[str, Field] = {
    "id": Field(str, required=True),
    "name": Field(str, required=True),
    "url": Field(str, required=True, doc="homepage"),
    "unit": Field(str, required=True, doc="the unit that runs the site"),
    "start_urls": Field(list, [], item_type=str, doc="e.g. the 政府信息公开 platform entry"),
    "hosts": Field(list, [], item_type=str, doc="other host names that belong to the site"),
    "obey_robots_txt": Field(bool, None, doc="this site's robots.txt policy (default: [crawl] obey_robots_txt)"),
}

UNIT_FIELDS: dict[str, Field] = {
    "name": Field(str, required=True),
    "type": Field(str, required=True, doc="县政府, 乡镇 or 部门"),
    "email": Field(str, ""),
    "column_prefixes": Field(list, [], item_type=str,
                             doc="URL prefixes of the unit's 信息公开 columns"),
}


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    report_dir: Path
    county: str
    crawl: dict[str, Any]
    network: dict[str, Any]
    calendar_years: dict[str, Any]
    sites: tuple[Site, ...]
    units: tuple[Unit, ...]
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_arrays: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """A component's validated [name] table, defaults filled in."""
        return self.extra_sections[name]

    def array(self, name: str) -> tuple[dict[str, Any], ...]:
        """A component's validated [[name]] tables."""
        return self.extra_arrays.get(name, ())

    def rule_conf(self, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        return {**defaults, **self.rules.get(rule_id, {})}

    def unit(self, name: str | None) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)


def config_path(cli_value: str | None) -> Path:
    return Path(cli_value or os.environ.get("ZWGK_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike[str],
                rules: Mapping[str, Mapping[str, Any]] | None = None) -> Config:
    """config.toml, validated.  ``rules`` maps each rule ID to its DEFAULTS (the checks'
    catalogue, ``checks.DEFAULTS``, passed in by the command layer): [rules.<ID>] tables
    and the rule IDs named elsewhere are checked against it.  Without it (the crawler's
    child process, which the parent has already validated) they are checked for types only."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (use --config PATH or set ZWGK_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _Validator(path, text, rules).build(data)


def config_error(path: Path, keypath: tuple[str | int, ...], what: str) -> ConfigError:
    """A ConfigError naming file, line and key, for a component's own cross-checks."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ConfigError(f"{path}: {_dotted(keypath)}: {what}")
    return _Validator(path, text).error(keypath, what)


class _Validator:
    def __init__(self, path: Path, text: str, rules: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.rule_defaults = rules

    # -- error helpers ---------------------------------------------------
    def error(self, keypath: tuple[str | int, ...], what: str) -> ConfigError:
        line = self.locate(keypath)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {_dotted(keypath)}: {what}")

    def locate(self, keypath: tuple[str | int, ...]) -> int | None:
        """Best-effort line number of a key (tomllib keeps none)."""
        table: list[str | int] = []
        counts: dict[str, int] = {}
        best: int | None = None
        header_re = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
        key_re = re.compile(r'^\s*("?)([A-Za-z0-9_\-.]+)\1\s*=')
        for n, line in enumerate(self.lines, 1):
            m = header_re.match(line)
            if m:
                parts: list[str | int] = [p.strip().strip('"') for p in m.group(2).split(".")]
                if m.group(1) == "[[":
                    name = ".".join(str(p) for p in parts)
                    idx = counts.get(name, 0)
                    counts[name] = idx + 1
                    parts = parts + [idx]
                table = parts
                if tuple(table) == tuple(keypath[: len(table)]) and (best is None or len(table) > 0):
                    if len(table) == len(keypath):
                        return n
                    best = n
                continue
            k = key_re.match(line)
            if k and tuple(table) == tuple(keypath[:-1]):
                if k.group(2).split(".")[0] == keypath[-1]:
                    return n
            elif k and tuple(table) == tuple(keypath[: len(table)]) and len(keypath) > len(table):
                if k.group(2) == ".".join(str(p) for p in keypath[len(table):]):
                    return n
        return best

    # -- validation --------------------------------------------------------
    def check_table(self, data: Any, fields: Mapping[str, Field],
                    keypath: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.error(keypath, f"expected a table, got {type(data).__name__}")
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key not in fields:
                known = ", ".join(sorted(fields))
                raise self.error(keypath + (key,), f"unknown key (expected one of: {known})")
            out[key] = self.check_value(value, fields[key], keypath + (key,))
        for key, f in fields.items():
            if key not in out:
                if f.required:
                    raise self.error(keypath, f"missing required key {key!r} ({f.describe()})")
                out[key] = list(f.default) if isinstance(f.default, list) else f.default
        return out

    def check_value(self, value: Any, f: Field, keypath: tuple[str | int, ...]) -> Any:
        types = f.type if isinstance(f.type, tuple) else (f.type,)
        # bool is an int in Python; TOML keeps them apart and so do we.
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            raise self.error(keypath, f"expected {f.describe()}, got {value!r}")
        if f.type is list and f.item_type is not None:
            for i, item in enumerate(value):
                if not isinstance(item, f.item_type):
                    raise self.error(keypath, f"item {i + 1} should be {f.item_type.__name__}, got {item!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise self.error(keypath, f"must not be negative, got {value!r}")
        return value

    def check_url(self, url: str, keypath: tuple[str | int, ...]) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.error(keypath, f"expected an http(s) URL, got {url!r}")

    def build(self, data: dict[str, Any]) -> Config:
        extra_sections, extra_arrays = component_schemas()
        known = set(SECTIONS) | set(extra_sections) | set(extra_arrays) | {"sites", "units", "rules"}
        for key in data:
            if key not in known:
                raise self.error((key,), f"unknown section (expected one of: {', '.join(sorted(known))})")
        sections = {name: self.check_table(data.get(name, {}), fields, (name,))
                    for name, fields in SECTIONS.items()}
        extras = {name: self.check_table(data.get(name, {}), fields, (name,))
                  for name, fields in extra_sections.items()}
        arrays: dict[str, tuple[dict[str, Any], ...]] = {}
        for name, fields in extra_arrays.items():
            raw = data.get(name, [])
            if not isinstance(raw, list):
                raise self.error((name,), f"expected [[{name}]] tables")
            arrays[name] = tuple(self.check_table(t, fields, (name, i)) for i, t in enumerate(raw))

        units = []
        raw_units = data.get("units", [])
        if not isinstance(raw_units, list):
            raise self.error(("units",), "expected [[units]] tables")
        for i, raw in enumerate(raw_units):
            u = self.check_table(raw, UNIT_FIELDS, ("units", i))
            if u["type"] not in UNIT_TYPES:
                raise self.error(("units", i, "type"), f"expected one of {', '.join(UNIT_TYPES)}, got {u['type']!r}")
            for prefix in u["column_prefixes"]:
                self.check_url(prefix, ("units", i, "column_prefixes"))
            units.append(Unit(u["name"], u["type"], u["email"], tuple(u["column_prefixes"])))
        names = [u.name for u in units]
        for name in names:
            if names.count(name) > 1:
                raise self.error(("units",), f"unit {name!r} is listed twice")

        sites = []
        raw_sites = data.get("sites", [])
        if not isinstance(raw_sites, list):
            raise self.error(("sites",), "expected [[sites]] tables")
        for i, raw in enumerate(raw_sites):
            s = self.check_table(raw, SITE_FIELDS, ("sites", i))
            self.check_url(s["url"], ("sites", i, "url"))
            for u in s["start_urls"]:
                self.check_url(u, ("sites", i, "start_urls"))
            if s["unit"] not in names:
                raise self.error(("sites", i, "unit"), f"unit {s['unit']!r} is not defined in [[units]]")
            sites.append(Site(s["id"], s["name"], s["url"], s["unit"], tuple(s["start_urls"]), tuple(s["hosts"]),
                              s["obey_robots_txt"]))
        ids = [s.id for s in sites]
        for sid in ids:
            if ids.count(sid) > 1:
                raise self.error(("sites",), f"site id {sid!r} is listed twice")

        rules = self.check_rules(data.get("rules", {}))

        from zwgk.workdays import parse_overrides  # validated here so a bad table stops at start-up
        try:
            parse_overrides(sections["calendar"]["years"], f"{self.path} [calendar.years]")
        except ValueError as exc:
            raise self.error(("calendar", "years"), str(exc)) from None

        base = self.path.parent
        config = Config(
            path=self.path,
            database=(base / sections["zwgk"]["database"]).resolve(),
            report_dir=(base / sections["zwgk"]["report_dir"]).resolve(),
            county=sections["zwgk"]["county"],
            crawl=sections["crawl"],
            network=sections["network"],
            calendar_years=sections["calendar"]["years"],
            sites=tuple(sites),
            units=tuple(units),
            rules=rules,
            extra_sections=extras,
            extra_arrays=arrays,
        )
        # Cross-checks a component needs (a unit named in [[tasks]] must exist …):
        # validate(config) raises ValueError((keypath, message)) or ValueError(message).
        for module in component_modules():
            validate = getattr(module, "validate", None)
            if validate is None:
                continue
            try:
                validate(config, tuple(self.rule_defaults) if self.rule_defaults is not None else None)
            except ValueError as exc:
                arg = exc.args[0] if exc.args else ""
                if isinstance(arg, tuple):
                    raise self.error(tuple(arg[0]), arg[1]) from None
                raise ConfigError(f"{self.path}: {arg}") from None
        return config

    def check_rules(self, raw: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(raw, dict):
            raise self.error(("rules",), "expected a table of [rules.<ID>] tables")
        rules: dict[str, dict[str, Any]] = {}
        catalogue = self.rule_defaults
        for rule_id, table in raw.items():
            if catalogue is None:   # types only: the parent process validated the IDs
                if not isinstance(table, dict):
                    raise self.error(("rules", rule_id), "expected a table")
                rules[rule_id] = dict(table)
                continue
            if rule_id not in catalogue:
                raise self.error(("rules", rule_id),
                                 f"unknown rule ID (known: {', '.join(sorted(catalogue))})")
            defaults = catalogue[rule_id]
            fields = {k: Field(_NUM if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v), v)
                      for k, v in defaults.items()}
            rules[rule_id] = self.check_table(table, fields, ("rules", rule_id))
        return rules


def _dotted(keypath: tuple[str | int, ...]) -> str:
    out = ""
    for part in keypath:
        out += f"[{part + 1}]" if isinstance(part, int) else (("." if out else "") + part)
    return out or "(top level)"
