"""Loading and validating config.toml.

Everything is checked at start-up: an unknown key, a wrong type or a missing
field stops with a ConfigError naming the file, the line and the key, and what
was expected.  Thresholds of the rules live in each check module's DEFAULTS;
config.toml may override them under ``[rules.<ID>]``.
"""
from __future__ import annotations

import builtins
import ipaddress
import math
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
    """A problem in config.toml: the message names the file, line and key.

    ``problems`` holds every error found (load_config reports them all at once)."""

    def __init__(self, message: str, problems: tuple["Problem", ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One mistake (or, with level "warning", one placeholder) in config.toml."""
    path: Path
    line: int | None
    key: str                     # dotted key path, e.g. crawl.timeout or units[3].email
    message: str
    hint: str = ""               # what to write instead
    level: str = "error"         # error | warning

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Field:
    type: builtins.type | tuple[builtins.type, ...]
    default: Any = None
    required: bool = False
    item_type: builtins.type | None = None      # for lists
    doc: str = ""
    min: float | None = None           # numbers: smallest allowed value (default 0: not negative)
    max: float | None = None           # numbers: largest allowed value
    above: float | None = None         # numbers: must be more than this (timeouts: > 0)
    choices: tuple[Any, ...] = ()      # the allowed values
    check: Any = None                  # value (or each list item) -> error message or None

    def range_text(self) -> str:
        low = f"more than {self.above:g}" if self.above is not None else (
            f"at least {self.min:g}" if self.min is not None else "at least 0")
        return f"{low} and at most {self.max:g}" if self.max is not None else low

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

# A plain address: one @, a dotted domain, no spaces or display name.
EMAIL_RE = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z0-9-]{2,}")


def email_problem(value: str) -> str | None:
    """None for "" or an address; else what is wrong and what to write (`what — hint`)."""
    if not value or EMAIL_RE.fullmatch(value.strip()):
        return None
    return f"not an e-mail address: {value!r} — write a plain address such as \"zwgk@jishishan.gov.cn\""


def exclude_problem(value: str) -> str | None:
    """A crawl exclusion is a full http(s) URL prefix with a path: a bare host would retire a site."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (f"not an http(s) URL prefix: {value!r} — write the retired folder in full, "
                f"e.g. \"https://www.example.gov.cn/old/\"")
    if parts.path in ("", "/"):
        return (f"excludes a whole site: {value!r} — name the retired folder, e.g. \"{value.rstrip('/')}/old/\" "
                f"(a site no longer run is removed from [[sites]])")
    return None


def parse_nameserver(entry: str) -> tuple[str, int]:
    """``"IP"``, ``"IP:PORT"``, ``"IPv6"`` or ``"[IPv6]:PORT"`` → ``(ip, port)``.

    Raises ValueError (a config error) for anything else, hostnames included: a resolver cannot
    be found by name.
    """
    text = entry.strip()
    host, port = text, 53
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError(f"bad nameserver {entry!r}: missing ']'")
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"bad nameserver {entry!r}")
            port = _parse_port(rest[1:], entry)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _parse_port(port_text, entry)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"bad nameserver {entry!r}: not an IP address") from None
    return str(address), port


def _parse_port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"bad nameserver {entry!r}: bad port {text!r}")
    return int(text)


def nameserver_problem(value: str) -> str | None:
    try:
        parse_nameserver(value)
    except ValueError as exc:
        return f"{exc} — write an IP address, IP:PORT, or [IPv6]:PORT, e.g. \"202.100.64.68\" or \"[2001:db8::53]:53\""
    return None


SECTIONS: dict[str, dict[str, Field]] = {
    "zwgk": {
        "database": Field(str, "var/zwgk.sqlite3", doc="SQLite file, relative to this file"),
        "report_dir": Field(str, "var/reports", doc="where `zwgk report` writes by default"),
        "county": Field(str, "", doc="name of the county, shown in reports"),
        "timezone": Field(str, "Asia/Shanghai", doc="time zone of every time a person reads (reports, notices, "
                                                    "messages); stored times stay UTC"),
        "evidence_days": Field(int, 400, min=1, max=36_500,
                               doc="days the pages kept as evidence for appeals stay in the store (400: a year's "
                                   "考核 can be appealed); each URL's newest capture always stays"),
    },
    "crawl": {
        "max_pages_per_site": Field(int, 5000, min=1, max=10_000_000),
        "max_depth": Field(int, 8, max=100),
        "max_list_pages_per_column": Field(int, 100, max=1_000_000, doc="list pages read per column and crawl (0 = all; "
                                                         "`zwgk crawl --full` reads all)"),
        "concurrency_per_host": Field(int, 2, min=1, max=64),
        "download_delay": Field(_NUM, 0.5, max=60, doc="seconds between requests to one host (0 = none)"),
        "timeout": Field(_NUM, 30, above=0, max=600, doc="seconds for one response"),
        "max_response_bytes": Field(int, 20_000_000, min=1, max=2_000_000_000,
                                    doc="larger responses are cut off (there is no unlimited)"),
        "user_agent": Field(str, "zwgk/0.1 (government website inspection; +https://github.com/zwgk/zwgk)"),
        "obey_robots_txt": Field(bool, True),
        "allow_private_hosts": Field(bool, False,
                                     doc="check links to loopback/private addresses (the testbed needs this)"),
        "check_external_links": Field(bool, True),
        "link_cache_hours": Field(_NUM, 24, max=24 * 366, doc="hours an OK link check is trusted before the link is "
                                                "checked again (0 = every crawl)"),
        "recheck_failed_links": Field(bool, True,
                                      doc="check failing links a second time at the end of the crawl"),
        "exclude": Field(list, [], item_type=str, check=lambda v: exclude_problem(v),
                         doc="URL prefixes of paths a county has retired: links into them are neither "
                             "crawled, checked nor reported"),
    },
    "network": {
        "nameservers": Field(list, [], item_type=str, check=lambda v: nameserver_problem(v), doc="IP or IP:PORT; empty = the system's resolver"),
        "dns_timeout": Field(_NUM, 5.0, above=0, max=60),
        "degraded_share": Field(_NUM, 0.5, max=1, doc="more sites than this unreachable by network errors in one "
                                              "crawl = our own network's fault: the crawl is 'degraded'"),
        "control_url": Field(str, "", doc="fetched every control_interval seconds during a crawl; a failure "
                                          "(or our resolver failing) makes the crawl 'degraded' (empty: resolver only)"),
        "control_interval": Field(_NUM, 30, doc="seconds between two connectivity checks during a crawl"),
        "max_fetch_failure_share": Field(_NUM, 0.3, doc="a site with more of its fetches failing by network "
                                                        "errors is 'partial': COL/UPD/LAG do not judge it"),
        "partial_drop_share": Field(_NUM, 0.5, doc="a site (or a unit's columns) shrinking by more than this "
                                                   "against the previous complete crawl during network errors "
                                                   "is 'partial'"),
    },
    "calendar": {
        "years": Field(dict, {}, doc="holidays and 调休 workdays of years chinese-calendar does not know"),
    },
}

# The sections and arrays of the other parts (probes, 政务新媒体, the scheduler, notices,
# 方案 tasks, the scoring) are declared beside this module, one module each, as
# CONFIG_SECTIONS = {name: {key: Field}} (plain tables) and/or
# CONFIG_ARRAYS = {name: {key: Field}} (arrays of tables, [[name]]), with an optional
# validate(config, rule_ids) for their cross-checks.  They reach the code as
# Config.section(name) or Config.array(name).
def component_modules() -> list[Any]:
    from zwgk.config import assessment, content, media, notify, probes, schedule, tasks

    return [probes, media, schedule, notify, tasks, assessment, content]


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
    "cms": Field(str, None, doc="the site's CMS family: trs, hanweb, ucap or generic (default: detected)"),
    "exclude": Field(list, [], item_type=str, check=lambda v: exclude_problem(v),
                     doc="this site's retired paths (URL prefixes), beside [crawl] exclude"),
}

UNIT_FIELDS: dict[str, Field] = {
    "name": Field(str, required=True),
    "type": Field(str, required=True, choices=UNIT_TYPES, doc="县政府, 乡镇 or 部门"),
    "email": Field(str, "", check=lambda v: email_problem(v), doc="where its 整改通知 go"),
    "column_prefixes": Field(list, [], item_type=str,
                             doc="URL prefixes of the unit's 信息公开 columns (override the platform)"),
    "platform": Field(str, "", doc="the unit's 政府信息公开 platform entry: the columns the crawl reaches "
                                   "from it belong to the unit (Hanweb /col/colN/ too)"),
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
    timezone: str = "Asia/Shanghai"
    evidence_days: int = 400      # [zwgk] evidence_days: how long captured pages stay (zwgk/store/crawl.py)

    @property
    def tz(self) -> Any:
        """The zoneinfo of ``timezone``: for every time shown to a person."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

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
                rules: Mapping[str, Mapping[str, Any]] | None = None,
                cms_families: tuple[str, ...] | None = None) -> Config:
    """config.toml, validated.  ``rules`` maps each rule ID to its DEFAULTS (the checks'
    catalogue, ``checks.DEFAULTS``, passed in by the command layer): [rules.<ID>] tables
    and the rule IDs named elsewhere are checked against it.  Without it (the crawler's
    child process, which the parent has already validated) they are checked for types only.

    ``cms_families`` likewise names the CMS profiles a site may name (``crawler.profiles.names()``).

    Every error is found before one is reported: the ConfigError lists them all, one a line."""
    config, problems = _load(Path(path), rules, cms_families)
    errors = tuple(sorted((p for p in problems if p.level == "error"), key=lambda p: p.line or 0))
    if errors or config is None:
        raise ConfigError("\n".join(str(p) for p in errors), errors)
    return config


def check_config(path: str | os.PathLike[str],
                 rules: Mapping[str, Mapping[str, Any]] | None = None,
                 cms_families: tuple[str, ...] | None = None) -> list[Problem]:
    """Every problem of a config file, errors and placeholder warnings, in line order
    (`zwgk config check`)."""
    config, problems = _load(Path(path), rules, cms_families)
    return sorted(problems, key=lambda p: (p.line or 0, p.level != "error"))


PLACEHOLDERS = ("FILL IN", "example.invalid")
ARRAY_NAMES = ("sites", "units")          # + the components' CONFIG_ARRAYS


def _load(path: Path, rules: Mapping[str, Mapping[str, Any]] | None,
          cms_families: tuple[str, ...] | None = None) -> tuple[Config | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (use --config PATH or set ZWGK_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    validator = _Validator(path, text, rules, cms_families)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [validator.toml_problem(exc)]
    config = validator.build(data)
    return (None if validator.errors() else config), validator.problems + validator.placeholders()


def config_error(path: Path, keypath: tuple[str | int, ...], what: str) -> ConfigError:
    """A ConfigError naming file, line and key, for a component's own cross-checks."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ConfigError(f"{path}: {_dotted(keypath)}: {what}")
    return _Validator(path, text).error(keypath, what)


_FULL_WIDTH = "“”‘’＂＇＝［］"


class _Validator:
    def __init__(self, path: Path, text: str, rules: Mapping[str, Mapping[str, Any]] | None = None,
                 cms_families: tuple[str, ...] | None = None) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.rule_defaults = rules
        self.cms_families = cms_families
        self.problems: list[Problem] = []

    # -- problem helpers -------------------------------------------------
    def report(self, keypath: tuple[str | int, ...], what: str, hint: str = "", level: str = "error") -> None:
        self.problems.append(Problem(self.path, self.locate(keypath), _dotted(keypath), what, hint, level))

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def error(self, keypath: tuple[str | int, ...], what: str) -> ConfigError:
        problem = Problem(self.path, self.locate(keypath), _dotted(keypath), what)
        return ConfigError(str(problem), (problem,))

    def toml_problem(self, exc: tomllib.TOMLDecodeError) -> Problem:
        """Unparseable TOML: the line, and a hint for the mistakes people make."""
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else None
        hint = ""
        # The mistake is often on the line itself, sometimes above it (an array written as [name]).
        text = self.lines[line - 1] if line and line <= len(self.lines) else ""
        wide = [c for c in text if c in _FULL_WIDTH]
        if wide:
            hint = (f"full-width {' '.join(dict.fromkeys(wide))} on this line: write ASCII quotes \" \", "
                    "= and [ ] (switch the input method to half-width)")
        else:
            arrays = set(ARRAY_NAMES) | set(component_schemas()[1])
            for n, other in enumerate(self.lines, 1):
                h = re.match(r"^\s*\[\s*([A-Za-z_]+)\s*\]\s*(#.*)?$", other)
                if h and h.group(1) in arrays:
                    line = line or n
                    hint = (f"line {n} writes [{h.group(1)}] with single brackets: each entry is an array "
                            f"table, write [[{h.group(1)}]]")
                    break
        key = text.split("=", 1)[0].strip() if "=" in text else ""
        if not hint and key and not re.fullmatch(r"[A-Za-z0-9_.\-\"' ]+", key):
            hint = f'a key that is not A-Z, 0-9, _ or - needs double quotes: "{key}" = …'
        if not hint and "=" not in text and text.strip() and not text.strip().startswith(("[", "#")):
            hint = "write key = value (strings in double quotes)"
        if not hint:
            hint = 'strings need double quotes ("…"), dates are YYYY-MM-DD, tables are [name], arrays of tables [[name]]'
        return Problem(self.path, line, "", f"not valid TOML: {message}", hint)

    def placeholders(self) -> list[Problem]:
        """A warning for each key line still holding a placeholder (comments are not values)."""
        out = []
        table: tuple[str | int, ...] = ()
        counts: dict[str, int] = {}
        for n, line in enumerate(self.lines, 1):
            header = re.match(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]", line)
            if header:
                name = header.group(2).replace('"', "")
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, 0) + 1
                    table = (*name.split("."), counts[name] - 1)
                else:
                    table = tuple(name.split("."))
                continue
            key, eq, _value = line.partition("=")
            if not eq or key.strip().startswith("#"):
                continue
            for marker in PLACEHOLDERS:
                if marker in line:
                    out.append(Problem(self.path, n, _dotted((*table, key.strip())), f"placeholder {marker!r}",
                                       "replace it with the county's real value before the inspection counts",
                                       "warning"))
                    break
        return out

    def locate(self, keypath: tuple[str | int, ...]) -> int | None:
        """Best-effort line number of a key (tomllib keeps none)."""
        table: list[str | int] = []
        counts: dict[str, int] = {}
        best: int | None = None
        header_re = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
        key_re = re.compile(r'^\s*("?)([A-Za-z0-9_\-.]+|[^"=\s]+(?="))\1\s*=')
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
        """The table with defaults filled in; a bad value is reported and replaced by its default."""
        out: dict[str, Any] = {}
        if not isinstance(data, dict):
            self.report(keypath, f"expected a table, got {type(data).__name__}")
            data = {}
        for key, value in data.items():
            if key not in fields:
                known = ", ".join(sorted(fields))
                self.report(keypath + (key,), "unknown key", f"expected one of: {known}")
                continue
            if self.check_value(value, fields[key], keypath + (key,)):
                out[key] = value
        for key, f in fields.items():
            if key not in out:
                if f.required and key not in data:
                    self.report(keypath, f"missing required key {key!r} ({f.describe()})",
                                f"add {key} = … ({f.doc})" if f.doc else f"add {key} = …")
                out[key] = list(f.default) if isinstance(f.default, list) else (
                    dict(f.default) if isinstance(f.default, dict) else f.default)
        return out

    def check_value(self, value: Any, f: Field, keypath: tuple[str | int, ...]) -> bool:
        key = str(keypath[-1])
        types = f.type if isinstance(f.type, tuple) else (f.type,)
        # bool is an int in Python; TOML keeps them apart and so do we.
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            self.report(keypath, f"expected {f.describe()}, got {value!r}", self.example(key, f))
            return False
        if f.type is list and f.item_type is not None:
            for i, item in enumerate(value):
                if not isinstance(item, f.item_type):
                    self.report(keypath, f"item {i + 1} should be {f.item_type.__name__}, got {item!r}",
                                self.example(key, f))
                    return False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not self.check_number(value, f, keypath):
                return False
        if f.choices and value not in f.choices:
            self.report(keypath, f"expected one of {', '.join(map(str, f.choices))}, got {value!r}",
                        self.example(key, f))
            return False
        ok = True
        if f.check is not None:
            for item in (value if isinstance(value, list) else [value]):
                problem = f.check(item)
                if problem:
                    what, _, hint = problem.partition(" — ")
                    self.report(keypath, what, hint)
                    ok = False
        return ok

    def check_number(self, value: float, f: Field, keypath: tuple[str | int, ...]) -> bool:
        key = str(keypath[-1])
        if not math.isfinite(value):
            self.report(keypath, f"must be a finite number, got {value!r}", self.example(key, f))
            return False
        low = f.min if f.min is not None else 0
        if f.above is None and value < low:
            what = "must not be negative" if low == 0 else f"must be at least {low:g}"
            self.report(keypath, f"{what}, got {value!r}", self.example(key, f))
            return False
        if f.above is not None and value <= f.above:
            self.report(keypath, f"must be more than {f.above:g}, got {value!r}", self.example(key, f))
            return False
        if f.max is not None and value > f.max:
            self.report(keypath, f"must be at most {f.max:g}, got {value!r}", self.example(key, f))
            return False
        return True

    @staticmethod
    def example(key: str, f: Field) -> str:
        rng = f" ({f.range_text()})" if f.type in (int, float, _NUM) else ""
        if f.choices:
            rng = f" (one of {', '.join(map(str, f.choices))})"
        if f.default is None or f.default == "" or f.default == [] or f.default == {}:
            return f"write {key} = {f.describe()}{rng}"
        return f"write e.g. {key} = {_toml(f.default)}{rng}"

    def check_url(self, url: str, keypath: tuple[str | int, ...]) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.report(keypath, f"expected an http(s) URL, got {url!r}",
                        f"write the full address, e.g. \"https://{url.split('://')[-1].lstrip('/') or 'www.example.gov.cn/'}\"")
            return False
        return True

    def check_array(self, data: dict[str, Any], name: str) -> list[Any]:
        raw = data.get(name, [])
        if isinstance(raw, list):
            return raw
        self.report((name,), f"expected [[{name}]] tables, got a single [{name}] table",
                    f"write [[{name}]] (two brackets) above each entry")
        return []

    def build(self, data: dict[str, Any]) -> Config:
        extra_sections, extra_arrays = component_schemas()
        known = set(SECTIONS) | set(extra_sections) | set(extra_arrays) | {"sites", "units", "rules"}
        for key in data:
            if key not in known:
                self.report((key,), "unknown section", f"expected one of: {', '.join(sorted(known))}")
        sections = {name: self.check_table(data.get(name, {}), fields, (name,))
                    for name, fields in SECTIONS.items()}
        extras = {name: self.check_table(data.get(name, {}), fields, (name,))
                  for name, fields in extra_sections.items()}
        arrays: dict[str, tuple[dict[str, Any], ...]] = {}
        for name, fields in extra_arrays.items():
            arrays[name] = tuple(self.check_table(t, fields, (name, i))
                                 for i, t in enumerate(self.check_array(data, name)))

        units = []
        for i, raw in enumerate(self.check_array(data, "units")):
            u = self.check_table(raw, UNIT_FIELDS, ("units", i))
            if u["type"] not in UNIT_TYPES:
                u["type"] = UNIT_TYPES[-1]
            prefixes = [p for p in u["column_prefixes"] if self.check_url(p, ("units", i, "column_prefixes"))]
            platform = u["platform"] if u["platform"] and self.check_url(u["platform"], ("units", i, "platform")) \
                else ""
            units.append(Unit(u["name"] or "", u["type"], u["email"], tuple(prefixes), platform))
        names = [u.name for u in units]
        for i, name in enumerate(names):
            if name in names[:i]:
                self.report(("units", i, "name"), f"unit {name!r} is listed twice", "give each unit one [[units]] table")

        sites = []
        for i, raw in enumerate(self.check_array(data, "sites")):
            s = self.check_table(raw, SITE_FIELDS, ("sites", i))
            if s["url"] is not None:
                self.check_url(s["url"], ("sites", i, "url"))
            for u in s["start_urls"]:
                self.check_url(u, ("sites", i, "start_urls"))
            if s["unit"] is not None and s["unit"] not in names:
                self.report(("sites", i, "unit"), f"unit {s['unit']!r} is not defined in [[units]]",
                            _unit_hint(s["unit"], names))
            families = self.cms_families
            if s["cms"] is not None and families is not None and s["cms"] not in families:
                self.report(("sites", i, "cms"), f"unknown CMS family {s['cms']!r}",
                            f"write one of: {', '.join(families)} (or leave it out: the family is detected)")
            sites.append(Site(s["id"] or "", s["name"] or "", s["url"] or "", s["unit"] or "",
                              tuple(s["start_urls"]), tuple(s["hosts"]), s["obey_robots_txt"], s["cms"],
                              tuple(dict.fromkeys([*sections["crawl"]["exclude"], *s["exclude"]]))))
        ids = [s.id for s in sites]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                self.report(("sites", i, "id"), f"site id {sid!r} is listed twice", "give each site its own id")
        self.check_prefix_hosts(units, sites)

        rules = self.check_rules(data.get("rules", {}))

        from zwgk.workdays import parse_overrides  # validated here so a bad table stops at start-up
        try:
            parse_overrides(sections["calendar"]["years"], f"{self.path} [calendar.years]")
        except ValueError as exc:
            self.report(("calendar", "years"), str(exc), 'write holidays = ["YYYY-MM-DD", …] under [calendar.years."YYYY"]')

        from zoneinfo import ZoneInfo
        try:
            ZoneInfo(sections["zwgk"]["timezone"])
        except (ValueError, KeyError, OSError, TypeError):
            self.report(("zwgk", "timezone"), f"unknown time zone {sections['zwgk']['timezone']!r}",
                        'write an IANA name, e.g. timezone = "Asia/Shanghai"')
            sections["zwgk"]["timezone"] = "Asia/Shanghai"   # keep checking the rest
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
            timezone=sections["zwgk"]["timezone"],
            evidence_days=sections["zwgk"]["evidence_days"],
        )
        # Cross-checks a component needs (a unit named in [[tasks]] must exist …):
        # validate(config, rule_ids) yields (keypath, message) or (keypath, message, hint).
        for module in component_modules():
            validate = getattr(module, "validate", None)
            if validate is None:
                continue
            for problem in validate(config, tuple(self.rule_defaults) if self.rule_defaults is not None else None):
                keypath, what, *hint = problem
                self.report(tuple(keypath), what, hint[0] if hint else "")
        return config

    def check_prefix_hosts(self, units: list[Unit], sites: list[Site]) -> None:
        """A column prefix must sit on a configured site, else no page can ever match it."""
        hosts: set[str] = set()
        for s in sites:
            for url in (s.url, *s.start_urls):
                hosts.add((urlsplit(url).hostname or "").lower())
            hosts.update(h.lower() for h in s.hosts)
        for i, u in enumerate(units):
            for prefix in u.column_prefixes:
                host = (urlsplit(prefix).hostname or "").lower()
                if host not in hosts:
                    self.report(("units", i, "column_prefixes"),
                                f"prefix {prefix!r} is on host {host!r}, which no [[sites]] entry covers",
                                "use the host of a site's url or start_urls, or add the host to that "
                                "site's hosts = [...]")
            platform_host = (urlsplit(u.platform).hostname or "").lower() if u.platform else None
            if platform_host is not None and platform_host not in hosts:
                # A warning, not an error: nothing under it is crawled, so its columns are 无法核验.
                self.report(("units", i, "platform"),
                            f"platform {u.platform!r} is on host {platform_host!r}, which no [[sites]] entry "
                            "covers: its columns will not be crawled",
                            "add the unit's site as a [[sites]] entry, or its host to a site's hosts = [...]",
                            level="warning")

    def check_rules(self, raw: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(raw, dict):
            self.report(("rules",), "expected a table of [rules.<ID>] tables", "write [rules.LAG001] and its keys")
            return {}
        rules: dict[str, dict[str, Any]] = {}
        catalogue = self.rule_defaults
        for rule_id, table in raw.items():
            if catalogue is None:   # types only: the parent process validated the IDs
                if not isinstance(table, dict):
                    self.report(("rules", rule_id), "expected a table")
                    continue
                rules[rule_id] = dict(table)
                continue
            if rule_id not in catalogue:
                self.report(("rules", rule_id), "unknown rule ID",
                            f"known: {', '.join(sorted(catalogue))} (see `zwgk rules`)")
                continue
            defaults = catalogue[rule_id]
            fields = {k: _rule_field(k, v) for k, v in defaults.items()}
            rules[rule_id] = self.check_table(table, fields, ("rules", rule_id))
        return rules


def _rule_field(key: str, default: Any) -> Field:
    """A rule threshold's field: its DEFAULTS value gives the type; shares, coverages and
    similarities are fractions in [0, 1]."""
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        fraction = key.endswith(("_share", "_coverage", "_similarity"))
        return Field(_NUM, default, max=1.0 if fraction else None)
    return Field(type(default), default)


def _unit_hint(name: str, names: list[str]) -> str:
    close = [n for n in names if name and (name in n or n in name)]
    return f"did you mean {close[0]!r}?" if close else "use the name of a [[units]] entry, or add one"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _dotted(keypath: tuple[str | int, ...]) -> str:
    out = ""
    for part in keypath:
        out += f"[{part + 1}]" if isinstance(part, int) else (("." if out else "") + part)
    return out or "(top level)"
