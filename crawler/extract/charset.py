"""Decoding page bytes: BOM, UTF-8 validity, the page's meta charset, the HTTP header, GB18030."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html"]


# GB2312 and GBK pages routinely contain characters only GB18030 has (and servers mislabel one
# as the other); GB18030 is a superset of both, so decoding with it never loses text.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

# <meta charset=…>, <meta http-equiv="Content-Type" content="…; charset=…"> and an XML
# declaration. Only the start of the document is sniffed: Word fragments pasted into a body
# carry their own charset=gb2312 meta (misc 020/021), which says nothing about the page.
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
_SNIFF_BYTES = 4096


def content_type_charset(content_type: str | bytes | None) -> str | None:
    """The charset a Content-Type header declares (``text/html; charset="GBK"`` -> ``GBK``), or None."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    return m.group(1) if m else None


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    key = _CHARSET_ALIASES.get(key, key)
    try:
        codec = codecs.lookup(key).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(codec, codec)


def _sniff_meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET_RE.search(body[:_SNIFF_BYTES])
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    return _normalise_charset(raw.decode("ascii", "replace"))


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str, bool]:
    """Decode a page: ``(text, encoding used, header_contradicted)``; never raises.

    Order: a BOM wins; bytes that are valid UTF-8 (and not pure ASCII) are UTF-8 whatever is
    declared, since GBK text essentially never validates as UTF-8 while UTF-8 text often
    "decodes" as GB18030 into mojibake; otherwise the page's own meta charset is tried before a
    contradicting HTTP header, then the header, then GB18030 (the default of Chinese sites); if no
    candidate decodes cleanly, the one giving the fewest U+FFFD is used with ``errors="replace"``.
    ``header_contradicted`` is True when a header charset was sent and the bytes are not in it
    (rule ENC001).
    """
    header = _normalise_charset(header_charset)

    def verdict(text: str, used: str) -> tuple[str, str, bool]:
        return text, used, header is not None and used != header

    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return verdict(body[len(bom) :].decode(encoding, errors="replace"), encoding)

    meta = _sniff_meta_charset(body)
    if body.isascii():
        return body.decode("ascii"), header or meta or "utf-8", False

    text = _strict(body, "utf-8")
    if text is not None:
        return verdict(text, "utf-8")

    candidates: list[str] = []
    for declared in (meta, header, "gb18030"):
        if declared and declared != "utf-8" and declared not in candidates:
            candidates.append(declared)
    for encoding in candidates:
        text = _strict(body, encoding)
        if text is not None:
            return verdict(text, encoding)

    best: tuple[int, str, str] | None = None
    for encoding in [*candidates, "utf-8"]:
        try:
            text = body.decode(encoding, errors="replace")
        except LookupError:
            continue
        score = text.count("\ufffd")
        if best is None or score < best[0]:
            best = (score, encoding, text)
    assert best is not None  # utf-8 and gb18030 are always available
    return verdict(best[2], best[1])
