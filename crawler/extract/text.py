"""Visible text of parsed pages: collapsed strings, rendered lines, metas, hidden elements.

No control character leaves this module: the block sentinel of ``_text_of`` is private to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString


# Zero-width characters appear inside titles (misc 022: U+200B) and between digits of dates.
# Control characters (C0 except the whitespace ones, DEL, C1) never belong in a stored field:
# pages carry stray \x00/\x0b from Word pastes, and _text_of uses \x00 as its block sentinel.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SPACE_RE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    """Whitespace runs (incl. &nbsp; &ensp; U+3000) to one space, zero-width characters removed."""
    return _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()


def _squeeze(text: str) -> str:
    """All whitespace removed: Word bodies split one word or date over many spans and spaces."""
    return _SPACE_RE.sub("", _INVISIBLE_RE.sub("", text))


_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
# Never rendered as text, or form controls whose option lists (文号 filters, year pickers) would
# read as page content.
_SKIP_TAGS = frozenset(
    "script style noscript template select option textarea button input iframe object embed "
    "svg canvas map title".split()
)
_HIDDEN_CLASSES = frozenset({"ng-hide", "hide", "hidden"})
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _is_text(node: object) -> bool:
    # Comments, CDATA, <?xml:namespace …?> processing instructions of Word HTML and doctypes
    # are all PreformattedString: not text a reader sees.
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    classes: list[str] = list(tag.get("class") or [])
    if any(c in _HIDDEN_CLASSES for c in classes):
        return True
    style = tag.get("style")
    return bool(style and _DISPLAY_NONE_RE.search(str(style)))


_BREAK = "\x00"
# A line break inside CJK text (a title over two lines) joins without a space; between Latin
# words it is a space.
# The neighbours are any visible character but the sentinel itself: with a plain \S an empty
# cell (two sentinels in a row) kept one and leaked "\x00" as a 文号.
_BREAK_RE = re.compile(rf"(?P<a>[^\s{_BREAK}]?)\s*{_BREAK}[\s{_BREAK}]*(?P<b>[^\s{_BREAK}]?)")


def _join_break(m: re.Match[str]) -> str:
    a, b = m["a"], m["b"]
    if a and b and (a.isascii() or b.isascii()):
        return f"{a} {b}"
    return a + b


def _text_of(node: Tag) -> str:
    """Visible text of an element, inline pieces joined without separators, collapsed."""
    parts: list[str] = []
    stack: list[object] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Tag):
            if current.name in _SKIP_TAGS:
                continue
            if current.name in _BLOCK_TAGS:
                parts.append(_BREAK)
                stack.append(_BREAK)
            stack.extend(reversed(current.contents))
        elif current == _BREAK:
            parts.append(_BREAK)
        elif _is_text(current):
            parts.append(str(current))
    return _collapse(_BREAK_RE.sub(_join_break, "".join(parts)))


@dataclass(frozen=True)
class _Line:
    """One rendered line: the text between two block boundaries, and the block it sits in."""

    idx: int
    text: str
    el: Tag
    in_body: bool = False


def _render_lines(root: Tag, forced_blocks: frozenset[int] = frozenset()) -> list[_Line]:
    """Lines of text as a browser would break them (inline spans joined, blocks split).

    Iterative on purpose: legacy Word HTML nests unclosed <font>/<span> deeply enough to hit
    Python's recursion limit.
    """
    lines: list[tuple[str, Tag]] = []
    buffer: list[str] = []
    blocks: list[Tag] = [root]

    def flush() -> None:
        text = _collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append((text, blocks[-1]))

    stack: list[tuple[bool, object]] = [(False, root)]
    while stack:
        leaving, node = stack.pop()
        if leaving:
            flush()
            blocks.pop()
            continue
        if isinstance(node, Tag):
            if node.name in _SKIP_TAGS:
                continue
            if node.name == "br":
                flush()
                continue
            if node.name in _BLOCK_TAGS or id(node) in forced_blocks:
                flush()
                blocks.append(node)
                stack.append((True, node))
            stack.extend((False, child) for child in reversed(node.contents))
        elif _is_text(node):
            buffer.append(str(node))
    flush()
    return [_Line(i, text, el) for i, (text, el) in enumerate(lines)]


def _parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _meta_map(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta name|property=… content=…>`` by lower-cased name; the first occurrence wins."""
    metas: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        name = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if not name or content is None:
            continue
        key = str(name).strip().lower()
        if key not in metas:
            metas[key] = _collapse(str(content))
    return metas


def _meta(metas: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = metas.get(name.lower())
        if value:
            return value
    return None


def _drop_invisible(soup: BeautifulSoup) -> None:
    """Remove what a reader never sees, so hidden duplicates cannot answer for the page.

    AngularJS pages keep a hidden copy of the article and an empty hidden metadata block
    (``ng-hide``, misc 020/021); browser saves keep ``display:none`` share widgets.
    """
    doomed = [t for t in soup.find_all(True) if (t.name in _SKIP_TAGS and t.name != "title") or _is_hidden(t)]
    doomed_ids = {id(t) for t in doomed}
    # Only the outermost ones: their descendants go with them. Decided before removing anything,
    # because a decomposed element can no longer be asked about its parents.
    outermost = [t for t in doomed if not any(id(p) in doomed_ids for p in t.parents)]
    for tag in outermost:
        tag.decompose()


# hrefs that are not links to another document.
_NON_LINK_RE = re.compile(r"^(?:javascript:|mailto:|tel:|#)", re.I)
