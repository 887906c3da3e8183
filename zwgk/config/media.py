"""config.toml for 政务新媒体: one [[accounts]] table per account, and the [media] fetch limits.

Everything is checked with the rest of config.toml at start-up, by every command: types and
ranges by the schema below, and by ``validate`` what needs the whole file (the unit exists in
[[units]], the platform and source are known, an html source has selectors that compile, a
manual entry has its date), naming the account in each message.

Example::

    [[accounts]]
    name = "积石山发布"
    unit = "县政府办公室"
    platform = "微信公众号"
    source = "rss"                       # rss, atom, jsonfeed, html, manual
    url = "https://feeds.example.gov.cn/jssfb.xml"

    [[accounts]]
    name = "积石山县卫健"
    unit = "县卫健局"
    platform = "微信视频号"
    source = "html"                      # the portal's 政务新媒体 list page
    url = "https://www.example.gov.cn/xmt/#wjj"    # a #fragment tells accounts of one page apart
    selectors = { item = "table.accounts tr", contains = "积石山县卫健", date = "td.last" }

    [[accounts]]
    name = "积石山融媒"
    unit = "县融媒体中心"
    platform = "抖音"
    source = "manual"
    last_post = 2026-11-20               # or "never"
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from lxml import etree

from zwgk.config import Config, ConfigError, Field
from zwgk.records.media import PLATFORMS, SOURCE_KINDS, Account

CONFIG_ARRAYS = {
    "accounts": {
        "name": Field(str, required=True, doc="the account's name as shown on the platform"),
        "unit": Field(str, required=True, doc="the unit that runs it: a [[units]] name"),
        "platform": Field(str, required=True, doc=", ".join(PLATFORMS)),
        "source": Field(str, required=True, doc="rss, atom, jsonfeed, html or manual"),
        "url": Field(str, "", doc="the feed or list page; for html a #fragment may tell accounts apart"),
        "selectors": Field(dict, {}, doc="html: item (CSS or XPath, required), date, contains"),
        "last_post": Field((date, str), None, doc='manual: date of the newest post, or "never"'),
        "active": Field(bool, True, doc="false: closed (已关停) accounts are neither read nor judged"),
    },
}

CONFIG_SECTIONS = {
    "media": {
        "timeout": Field((int, float), 15, above=0, max=300, doc="seconds for one source, connection to last byte"),
        "max_response_bytes": Field(int, 5_000_000, min=1, max=1_000_000_000, doc="a larger source is not read (MALFORMED)"),
        "user_agent": Field(str, "zwgk/0.1 (government new-media inspection)", doc="ASCII only (HTTP headers)"),
        "workers": Field(int, 4, min=1, max=64, doc="sources read at the same time"),
    },
}

SELECTOR_KEYS = ("item", "date", "contains")


def media_settings(config: Config) -> dict[str, Any]:
    """The [media] table, defaults filled in (also when this module was not loaded with config)."""
    defaults = {k: f.default for k, f in CONFIG_SECTIONS["media"].items()}
    return {**defaults, **config.extra_sections.get("media", {})}


def load_accounts(config: Config) -> tuple[Account, ...]:
    """Every [[accounts]] table as an Account (load_config has checked them: see validate)."""
    accounts, problems = _accounts(config)
    if problems:
        keypath, what, _hint = problems[0]
        raise ConfigError(f"{config.path}: accounts[{keypath[1] + 1}].{keypath[2]}: {what}")
    return accounts


def validate(config: Config, rule_ids: tuple[str, ...] | None) -> Iterator[tuple[Any, ...]]:
    """What needs the whole file: the unit exists, the platform and source are known, an html
    source has selectors that compile, a manual entry has its date.  At load, by every command."""
    yield from _accounts(config)[1]


def _accounts(config: Config) -> tuple[tuple[Account, ...], list[tuple[Any, ...]]]:
    units = [u.name for u in config.units]
    accounts: list[Account] = []
    problems: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for i, raw in enumerate(config.array("accounts")):
        name = (raw["name"] or "").strip()
        mine: list[tuple[Any, ...]] = []

        def bad(key: str, what: str, hint: str = "") -> None:
            mine.append((("accounts", i, key), f"account {name or '?'!r}: {what}", hint))

        if not name:
            bad("name", "name is empty", "write the account's name as shown on the platform")
        elif name in seen:
            bad("name", f"account {name!r} is listed twice", "keep one [[accounts]] table per account")
        seen.add(name)
        if raw["unit"] is not None and raw["unit"] not in units:
            close = [u for u in units if raw["unit"] in u or u in raw["unit"]]
            bad("unit", f"unit {raw['unit']!r} is not defined in [[units]]",
                f"did you mean {close[0]!r}?" if close else "use the name of a [[units]] entry")
        if raw["platform"] is not None and raw["platform"] not in PLATFORMS:
            bad("platform", f"platform {raw['platform']!r} is not one of {', '.join(PLATFORMS)}",
                f'write platform = "{PLATFORMS[0]}" (or another of those)')
        source = raw["source"]
        if source is not None and source not in SOURCE_KINDS:
            bad("source", f"source {source!r} is not one of {', '.join(SOURCE_KINDS)}",
                'write source = "rss" (or atom, jsonfeed, html, manual)')
        url = (raw["url"] or "").strip()
        if source != "manual" or url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                bad("url", f"url: expected an http(s) URL, got {url!r}",
                    'write the feed or list page, e.g. url = "https://www.example.gov.cn/xmt/"')
        selectors = raw["selectors"] or {}
        for key, value in selectors.items():
            if key not in SELECTOR_KEYS:
                bad("selectors", f"selectors.{key}: unknown (expected {', '.join(SELECTOR_KEYS)})")
            elif not isinstance(value, str) or not value.strip():
                bad("selectors", f"selectors.{key}: expected a non-empty string")
        if source == "html":
            if "item" not in selectors:
                bad("selectors", "an html source needs selectors.item (CSS or XPath)",
                    'write selectors = { item = "table.accounts tr", date = "td.last" }')
            for key in ("item", "date"):
                if isinstance(selectors.get(key), str):
                    try:
                        compile_selector(selectors[key])
                    except ValueError as exc:
                        bad("selectors", f"selectors.{key}: {exc}", "write a CSS selector or an XPath")
        elif selectors:
            bad("selectors", 'selectors only apply to source = "html"', "remove selectors, or use source = \"html\"")
        last_post, never = _last_post(raw["last_post"], source, bad)
        problems += mine
        if not mine:
            accounts.append(Account(name, raw["unit"], raw["platform"], source, url,
                                    tuple(sorted(selectors.items())), last_post, never, raw["active"]))
    return tuple(accounts), problems


def _last_post(value: Any, source: str | None, bad: Callable[..., None]) -> tuple[date | None, bool]:
    if source != "manual":
        if value is not None:
            bad("last_post", 'last_post only applies to source = "manual"', "remove last_post")
        return None, False
    if value is None:
        bad("last_post", 'a manual entry needs last_post (a date such as 2026-11-20, or "never")',
            'write last_post = 2026-11-20 or last_post = "never"')
        return None, False
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if value.strip().lower() == "never":
        return None, True
    try:
        return date.fromisoformat(value.strip()), False
    except ValueError:
        bad("last_post", f'last_post: expected YYYY-MM-DD or "never", got {value!r}',
            'write last_post = 2026-11-20 (no quotes) or last_post = "never"')
        return None, False


def compile_selector(selector: str) -> etree.XPath:
    """A CSS selector, or an XPath when it starts with / ./ or ( — ValueError when it is neither."""
    text = selector.strip()
    try:
        if text.startswith(("/", "./", "(")):
            return etree.XPath(text)
        from cssselect import GenericTranslator, SelectorError

        try:
            return etree.XPath(GenericTranslator().css_to_xpath(text, prefix="descendant-or-self::"))
        except SelectorError as exc:
            raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None
    except etree.XPathSyntaxError as exc:
        raise ValueError(f"bad XPath {selector!r}: {exc}") from None
