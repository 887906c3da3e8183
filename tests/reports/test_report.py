"""The inspection report: golden file, escaping, verdicts, and what a browser shows."""
from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.reports.report_fixture import EVIL, render, view

GOLDEN = Path(__file__).parent / "golden" / "report.html"


def golden_outputs() -> dict[str, str]:
    """For tools/regen_golden.py."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        return {GOLDEN.name: render(Path(tmp))}


def test_report_matches_golden(tmp_path: Path) -> None:
    """Regenerate with: python tools/regen_golden.py."""
    assert render(tmp_path) == GOLDEN.read_text(encoding="utf-8")


def test_untrusted_title_is_escaped(tmp_path: Path) -> None:
    html = render(tmp_path)
    assert "<script>" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html


def test_veto_site_fails_and_lifecycle_and_deadline_show(tmp_path: Path) -> None:
    v = view(tmp_path)
    [portal] = v.verdicts
    assert not portal.passed and portal.score is None and "UPD001" in portal.vetoes[0]
    assert v.changes == {"new": 2, "still_open": 1, "unverifiable": 0, "resolved": 0, "exempt": 0, "appeal": 0}
    rows = {r.finding.rule: r for s in v.units for r in s.rows}
    assert rows["UPD001"].first_seen.isoformat() == "2026-11-19" and rows["UPD001"].days_open == 7
    assert rows["LAG001"].deadline is None                          # not notified yet: no deadline
    assert (rows["UPD001"].deadline.isoformat(), rows["UPD001"].overdue_days) == ("2026-11-24", 2)
    assert [r.finding.rule for r in v.overdue] == ["UPD001"]
    assert rows["LAG003"].deadline is None                          # a notice has no deadline


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Rows of RGB(A) pixels of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    pos, idat, width, height, channels = 8, b"", 0, 0, 4
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[color]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


def _screenshot(tmp_path: Path, html_file: Path, name: str, size: str = "900,700") -> Path:
    shot = tmp_path / f"{name}.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / ('profile-' + name)}",
                    f"--window-size={size}", f"--screenshot={shot}", html_file.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.exists(), "chromium wrote no screenshot"
    return shot


def _ink(path: Path) -> int:
    width, channels, rows = _png_pixels(path)
    return sum(1 for row in rows for x in range(0, width * channels, channels) if row[x] < 128)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_report_renders_chinese_in_a_browser_and_the_script_stays_inert(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(render(tmp_path), encoding="utf-8")
    shot = _screenshot(tmp_path, report, "report")
    assert _ink(shot) > 5000, "the page is blank"

    # Chinese glyphs must not be tofu: the same text in the report's fonts differs from
    # characters no font has (which render as identical boxes).
    probe = '<html><head><meta charset="utf-8">{}</head><body style="font-family:{}"><p style="font-size:40px">{}</p></body></html>'
    fonts = '"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif'
    (tmp_path / "cn.html").write_text(probe.format("", fonts, "检查报告政务公开"), encoding="utf-8")
    (tmp_path / "tofu.html").write_text(probe.format("", fonts, "\U000f0001" * 8), encoding="utf-8")
    cn, tofu = _screenshot(tmp_path, tmp_path / "cn.html", "cn", "600,200"), _screenshot(tmp_path, tmp_path / "tofu.html", "tofu", "600,200")
    assert _png_pixels(cn)[2] != _png_pixels(tofu)[2], "Chinese renders as missing-glyph boxes: no CJK font"
    assert _ink(cn) > 500

    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom",
                          report.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "<title>积石山县政府网站与政务公开检查报告" in dom     # the title was not rewritten by the script
    assert "pwned</title>" not in dom and EVIL not in dom


def test_columns_under_no_unit_are_listed_not_dropped(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from reports import unowned
    from tests.reports.report_fixture import CONFIG
    from commands.common import load_config
    from zwgk.records import ColumnObs

    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    config = load_config(cfg)
    t = datetime(2026, 11, 26, tzinfo=timezone.utc)
    cols = [ColumnObs(1, "portal", "https://www.jishishan.gov.cn/xwdt/", "工作动态", None, None, 5, None, None, 1, False, t),
            ColumnObs(1, "portal", "https://www.jishishan.gov.cn/zwgk/dhjz/tzgg/", "通知公告", None, None, 3, None, None, 1,
                      False, t)]
    assert unowned(config, cols) == (("积石山县人民政府门户网站", "工作动态", "动态要闻", "https://www.jishishan.gov.cn/xwdt/"),)


def test_pdf_without_weasyprint_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from reports import PdfUnavailable, write_pdf

    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(PdfUnavailable, match=r"pip install 'zwgk\[pdf\]'.*fonts-noto-cjk"):
        write_pdf("<html></html>", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_pdf_is_written_when_weasyprint_is_there(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="the optional [pdf] extra is not installed")
    from reports import write_pdf

    pdf = write_pdf(render(tmp_path), tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
