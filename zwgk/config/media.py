"""config.toml for 政务新媒体: one [[accounts]] table per account, and the [media] fetch limits.

Types are checked with the rest of config.toml at start-up; ``load_accounts`` checks what
needs the whole file (the unit exists in [[units]], the platform and source are known, an html
source has selectors, a manual entry has its date) and names the account in its message.

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
from typing import Any
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
        "timeout": Field((int, float), 15, doc="seconds for one source, connection to last byte"),
        "max_response_bytes": Field(int, 5_000_000, doc="a larger source is not read (MALFORMED)"),
        "user_agent": Field(str, "zwgk/0.1 (government new-media inspection)", doc="ASCII only (HTTP headers)"),
        "workers": Field(int, 4, doc="sources read at the same time"),
    },
}

SELECTOR_KEYS = ("item", "date", "contains")


def media_settings(config: Config) -> dict[str, Any]:
    """The [media] table, defaults filled in (also when this module was not loaded with config)."""
    defaults = {k: f.default for k, f in CONFIG_SECTIONS["media"].items()}
    return {**defaults, **config.extra_sections.get("media", {})}


def load_accounts(config: Config) -> tuple[Account, ...]:
    """Every [[accounts]] table as an Account; ConfigError naming the account for a bad one."""
    units = {u.name for u in config.units}
    accounts: list[Account] = []
    seen: set[str] = set()
    for i, raw in enumerate(config.array("accounts")):
        name = raw["name"].strip()
        where = f"{config.path}: [[accounts]] #{i + 1} ({name or '?'!s})"
        if not name:
            raise ConfigError(f"{where}: name is empty")
        if name in seen:
            raise ConfigError(f"{where}: account {name!r} is listed twice")
        seen.add(name)
        if raw["unit"] not in units:
            raise ConfigError(f"{where}: unit {raw['unit']!r} is not defined in [[units]]")
        if raw["platform"] not in PLATFORMS:
            raise ConfigError(f"{where}: platform {raw['platform']!r} is not one of {', '.join(PLATFORMS)}")
        source = raw["source"]
        if source not in SOURCE_KINDS:
            raise ConfigError(f"{where}: source {source!r} is not one of {', '.join(SOURCE_KINDS)}")
        url = raw["url"].strip()
        if source != "manual" or url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"{where}: url: expected an http(s) URL, got {url!r}")
        selectors = raw["selectors"] or {}
        for key, value in selectors.items():
            if key not in SELECTOR_KEYS:
                raise ConfigError(f"{where}: selectors.{key}: unknown (expected {', '.join(SELECTOR_KEYS)})")
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: selectors.{key}: expected a non-empty string")
        if source == "html":
            if "item" not in selectors:
                raise ConfigError(f"{where}: an html source needs selectors.item (CSS or XPath)")
            for key in ("item", "date"):
                if key in selectors:
                    try:
                        compile_selector(selectors[key])
                    except ValueError as exc:
                        raise ConfigError(f"{where}: selectors.{key}: {exc}") from None
        elif selectors:
            raise ConfigError(f"{where}: selectors only apply to source = \"html\"")
        last_post, never = _last_post(raw["last_post"], source, where)
        accounts.append(Account(name, raw["unit"], raw["platform"], source, url,
                                tuple(sorted(selectors.items())), last_post, never, raw["active"]))
    return tuple(accounts)


def _last_post(value: Any, source: str, where: str) -> tuple[date | None, bool]:
    if source != "manual":
        if value is not None:
            raise ConfigError(f"{where}: last_post only applies to source = \"manual\"")
        return None, False
    if value is None:
        raise ConfigError(f'{where}: a manual entry needs last_post (a date such as 2026-11-20, or "never")')
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if value.strip().lower() == "never":
        return None, True
    try:
        return date.fromisoformat(value.strip()), False
    except ValueError:
        raise ConfigError(f'{where}: last_post: expected YYYY-MM-DD or "never", got {value!r}') from None


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
