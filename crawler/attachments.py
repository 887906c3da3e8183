"""Reading an attachment's text for the personal-data scanner, within a size cap and a time limit.

Formats and readers:
- ``.xlsx`` — openpyxl (read-only mode): every sheet is a table, cells named ``Sheet1!C4``;
- ``.docx`` — zipfile + lxml on ``word/document.xml`` (no extra dependency): paragraphs
  (``第N段``) and tables (``表格N 第r行 第c列``);
- ``.pdf`` — the text layer through pypdf, one text block per page (``第N页``);
- ``.xls`` — xlrd (reads the legacy BIFF format only, which is what it is kept for);
- ``.doc``, ``.wps``, ``.et`` and scanned images — no well-kept pure-Python reader:
  NOT_SUPPORTED, listed as 无法核验.

The time limit is cooperative: it is checked between rows, paragraphs and pages, so one
huge PDF page can overrun it by that page's time.  Archives are guarded against zip bombs
(the uncompressed size counts against the cap, ×20).
"""
from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.personal_data import TableBlock, TextBlock, table_cells
from zwgk.records.content import AttachmentOutcome

READERS = ("xlsx", "docx", "pdf", "xls")
NOT_READ = ("doc", "wps", "et", "dps", "ofd", "jpg", "jpeg", "png", "tif", "tiff")
ZIP_RATIO = 20          # uncompressed bytes allowed per byte of the cap (a 10 MB xlsx may hold 200 MB of XML)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _TimeUp(Exception):
    pass


@dataclass
class Extracted:
    outcome: AttachmentOutcome
    tables: list[TableBlock] = field(default_factory=list)
    texts: list[TextBlock] = field(default_factory=list)
    detail: str | None = None


def file_type(url: str) -> str | None:
    """The attachment type by the URL's file name (``…/名单.xlsx`` → ``xlsx``), or None."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1].lower()
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[1]
    return ext if ext in READERS or ext in NOT_READ else None


def read(data: bytes, ftype: str, max_bytes: int, time_limit_s: float) -> Extracted:
    if ftype not in READERS:
        return Extracted(AttachmentOutcome.NOT_SUPPORTED, detail=f".{ftype}: no reader for this format")
    if len(data) > max_bytes:
        return Extracted(AttachmentOutcome.TOO_LARGE, detail=f"{len(data)} bytes > {max_bytes}")
    deadline = time.monotonic() + time_limit_s
    out = Extracted(AttachmentOutcome.READ)
    try:
        {"xlsx": _xlsx, "docx": _docx, "pdf": _pdf, "xls": _xls}[ftype](data, out, deadline, max_bytes)
    except _TimeUp:
        out.outcome, out.detail = AttachmentOutcome.TIME_LIMIT, f"stopped after {time_limit_s:g} s (read up to there)"
    except Exception as exc:  # noqa: BLE001 - a damaged remote file is data, not our bug
        return Extracted(AttachmentOutcome.UNREADABLE, detail=f"{type(exc).__name__}: {str(exc)[:200]}")
    return out


def _tick(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _TimeUp


def _zip(data: bytes, max_bytes: int) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    total = sum(i.file_size for i in archive.infolist())
    if total > max_bytes * ZIP_RATIO:
        raise ValueError(f"uncompressed size {total} bytes is over {ZIP_RATIO} × the cap")
    return archive


def _column(n: int) -> str:
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def _sheet_table(title: str, rows: list[list[str]]) -> TableBlock:
    def cell(r: int, c: int) -> str:
        return f"{title}!{_column(c)}{r}"
    return TableBlock(rows, cell)


def _xlsx(data: bytes, out: Extracted, deadline: float, max_bytes: int) -> None:
    from openpyxl import load_workbook

    _zip(data, max_bytes)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows: list[list[str]] = []
            for i, row in enumerate(sheet.iter_rows(values_only=True)):
                if i % 200 == 0:
                    _tick(deadline)
                rows.append(["" if v is None else _cell(v) for v in row])
            out.tables.append(_sheet_table(sheet.title, rows))
    finally:
        book.close()


def _cell(value: Any) -> str:
    # A number typed into Excel loses nothing up to 15 digits; longer ones arrive as floats
    # (6.22927e17) that are no longer the number: only text cells can hold a full ID.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xls(data: bytes, out: Extracted, deadline: float, max_bytes: int) -> None:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            if r % 200 == 0:
                _tick(deadline)
            rows.append([_cell(v) if v != "" else "" for v in sheet.row_values(r)])
        out.tables.append(_sheet_table(sheet.name, rows))


def _docx(data: bytes, out: Extracted, deadline: float, max_bytes: int) -> None:
    from lxml import etree

    archive = _zip(data, max_bytes)
    root = etree.fromstring(archive.read("word/document.xml"),
                            parser=etree.XMLParser(resolve_entities=False, huge_tree=False, no_network=True))
    body = root.find(f"{W}body")
    if body is None:
        return
    paragraphs: list[str] = []
    n_tables = 0

    def text_of(el: Any) -> str:
        return "".join(t.text or "" for t in el.iter(f"{W}t"))

    for i, el in enumerate(body):
        if i % 100 == 0:
            _tick(deadline)
        if el.tag == f"{W}p":
            paragraphs.append(text_of(el))
        elif el.tag == f"{W}tbl":
            n_tables += 1
            rows = [[" ".join(text_of(tc).split()) for tc in tr.iter(f"{W}tc")] for tr in el.iter(f"{W}tr")]
            out.tables.append(TableBlock(rows, table_cells(n_tables)))
    # One text block: a 姓名 … 电话 header paragraph gives the paragraphs after it their context.
    out.texts.append(TextBlock("\n".join(paragraphs), "正文"))


def _pdf(data: bytes, out: Extracted, deadline: float, max_bytes: int) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    for n, page in enumerate(reader.pages, 1):
        _tick(deadline)
        out.texts.append(TextBlock(page.extract_text() or "", f"第{n}页"))
