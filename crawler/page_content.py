"""What a page's parsed tree holds for the content rules (lxml only, no second parse: the
spider hands over the tree it parsed for its links).

- :func:`blocks` — the page's data tables and its running text for the personal-data
  scanner, and the footer / contact block (the site's own published numbers);
- :func:`visible_text` — all text a visitor can read, whitespace removed, for the watched
  phrase lists (CNT001 …);
- :func:`hidden_links` — anchors hidden by style (inline, the ``hidden`` attribute, or a
  ``<style>`` rule on a class or id) that point outside the crawled sites (LNK005).
  Hiding by script (``document.write`` of a hidden block) is not seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urldefrag, urljoin, urlsplit

from crawler.personal_data import TableBlock, TextBlock, table_cells

SKIP = {"script", "style", "noscript", "template", "head", "select", "option", "textarea", "title"}
# Footer / contact blocks by their class or id tokens (foot, bottom, copyright, 联系我们 = lxwm).
FOOTER_TOKEN = re.compile(r"(?:^|[-_ ])(?:foot\w*|bottom\w*|copyright|copy|lxwm|contact\w*|dibu|ft)(?:$|[-_ ])",
                          re.I)
WS = re.compile(r"[\s\u3000\xa0]+")


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _is_footer(el: Any) -> bool:
    if _tag(el) == "footer":
        return True
    hint = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(hint.strip()) and bool(FOOTER_TOKEN.search(hint))


def _cell_text(el: Any) -> str:
    return " ".join("".join(_texts(el)).split())


def _texts(el: Any) -> Iterator[str]:
    """Text of a subtree, without scripts and styles."""
    if _tag(el) in SKIP:
        return
    if el.text and isinstance(el.tag, str):
        yield el.text
    for child in el:
        yield from _texts(child)
        if child.tail:
            yield child.tail


def _leaf_table(el: Any) -> bool:
    return _tag(el) == "table" and not any(True for _ in el.iterdescendants("table"))


@dataclass(frozen=True)
class PageBlocks:
    tables: tuple[TableBlock, ...]
    text: TextBlock
    footer_text: str


def blocks(root: Any) -> PageBlocks:
    tables: list[TableBlock] = []
    text: list[str] = []
    footer: list[str] = []

    def walk(el: Any, into: list[str]) -> None:
        tag = _tag(el)
        if tag in SKIP or not isinstance(el.tag, str):
            return
        if into is text and _is_footer(el):
            into = footer
        if _leaf_table(el) and into is text:
            rows = [[_cell_text(c) for c in tr if _tag(c) in ("td", "th")] for tr in el.iter("tr")]
            n = len(tables) + 1
            tables.append(TableBlock(rows, table_cells(n)))
            return
        if el.text:
            into.append(el.text)
        for child in el:
            walk(child, into)
            if child.tail:
                into.append(child.tail)
        if tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4"):
            into.append("\n")

    body = root.find("body") if _tag(root) == "html" else root
    walk(body if body is not None else root, text)
    running = re.sub(r"[ \t\u3000\xa0]+", " ", "".join(text))
    running = re.sub(r"\s*\n\s*", "\n", running).strip()
    return PageBlocks(tuple(tables), TextBlock(running, "正文"), " ".join("".join(footer).split()))


VISIBLE_TEXT = "//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::head " \
               "or ancestor::template or ancestor::textarea)]"


def visible_text(root: Any) -> str:
    return WS.sub("", "".join(root.xpath(VISIBLE_TEXT)))


# -- hidden links ------------------------------------------------------------------------------
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
SIMPLE_SELECTOR = re.compile(r"^(?:[a-z0-9]*)([#.])([\w-]+)$", re.I)
LENGTH = re.compile(r"(-?\d+(?:\.\d+)?)\s*(px|em|rem|pt|%)?")
NAMED = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "#fff": "#ffffff", "#000": "#000000"}


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def _stylesheet(root: Any) -> dict[tuple[str, str], dict[str, str]]:
    """Declarations of ``<style>`` rules whose selector (or its last part) is one class or id."""
    rules: dict[tuple[str, str], dict[str, str]] = {}
    for style in root.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", style.text or "", flags=re.S)
        for selectors, body in RULE.findall(css):
            decls = _declarations(body)
            for selector in selectors.split(","):
                selector = selector.strip()
                if ":" in selector:      # :hover and friends show what the rule hides
                    continue
                m = SIMPLE_SELECTOR.match(selector.split()[-1]) if selector else None
                if m:
                    rules.setdefault((m.group(1), m.group(2)), {}).update(decls)
    return rules


def _px(value: str) -> float | None:
    m = LENGTH.match(value.strip())
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2) or "px"
    return number * 16 if unit in ("em", "rem") else number


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.split()[0] if value.split() else value
    value = NAMED.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    m = re.fullmatch(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)", value)
    if m:
        value = "#" + "".join(f"{int(x):02x}" for x in m.groups())
    return value if value.startswith("#") else None


def _hiding(decls: dict[str, str]) -> str | None:
    if decls.get("display") == "none":
        return "display:none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    size = decls.get("font-size")
    if size is not None and _px(size) == 0:
        return "font-size:0"
    for key in ("left", "top", "right", "margin-left", "margin-top", "text-indent"):
        if key in decls and (_px(decls[key]) or 0) <= -500:
            if key == "text-indent" or decls.get("position") in ("absolute", "fixed") or key.startswith("margin"):
                return f"off-screen ({key}:{decls[key]})"
    width, height = decls.get("width"), decls.get("height")
    zero_w = width is not None and _px(width) == 0
    zero_h = height is not None and _px(height) == 0
    if (zero_w and zero_h) or ((zero_w or zero_h) and decls.get("overflow") == "hidden"):
        return "zero size"
    return None


def _element_decls(el: Any, sheet: dict[tuple[str, str], dict[str, str]]) -> dict[str, str]:
    decls: dict[str, str] = {}
    for cls in (el.get("class") or "").split():
        decls.update(sheet.get((".", cls), {}))
    if el.get("id"):
        decls.update(sheet.get(("#", el.get("id")), {}))
    decls.update(_declarations(el.get("style") or ""))
    return decls


RELEVANT = ("display", "visibility", "font-size", "left", "top", "right", "margin-left", "margin-top",
            "text-indent", "width", "height", "color", "background", "background-color")


def hidden_links(root: Any, base_url: str, outside: Callable[[str], bool]) -> list[tuple[str, str, str]]:
    """(target URL, anchor text, how it is hidden) of hidden anchors pointing ``outside``.

    Top-down: the elements that hide their subtree are found first (inline style, the hidden
    attribute, a <style> rule on a class or id), then only the anchors inside them are resolved.
    """
    sheet = {k: v for k, v in _stylesheet(root).items() if any(key in v for key in RELEVANT)}
    query = ["@style", "@hidden"]
    query += [f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for kind, name in sheet
              if kind == "." and "'" not in name]
    query += [f"@id='{name}'" for kind, name in sheet if kind == "#" and "'" not in name]
    decls_of: dict[Any, dict[str, str]] = {}
    for el in root.xpath(f"//*[{' or '.join(query)}]"):
        decls_of[el] = {"hidden": "hidden"} if el.get("hidden") is not None else _element_decls(el, sheet)
    candidates: dict[Any, str] = {}
    for el, decls in decls_of.items():
        how = "hidden attribute" if decls.get("hidden") == "hidden" and len(decls) == 1 else _hiding(decls)
        if not how:
            colour = _colour(decls.get("color"))
            if colour is None:
                continue
            holder = el
            while holder is not None:   # the nearest background, from the element itself up
                background = decls_of.get(holder, {})
                back = _colour(background.get("background-color") or background.get("background"))
                if back is not None:
                    how = "文字颜色与背景相同" if back == colour else None
                    break
                holder = holder.getparent()
            if not how:
                continue
        for a in el.iter("a"):
            candidates.setdefault(a, how)
    out = []
    for a, how in candidates.items():
        raw = (a.get("href") or "").strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            target = urldefrag(urljoin(base_url, raw))[0]
        except ValueError:
            continue
        if urlsplit(target).scheme in ("http", "https") and outside(target):
            out.append((target, " ".join(_cell_text(a).split())[:100], how))
    return out
