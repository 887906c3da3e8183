"""The cost of reading attachments for PRV001: seconds per MB and peak memory, per format.

    .venv/bin/python tools/bench_attachments.py [--mb 1 5]

Builds 名单 attachments of about the given sizes (an .xlsx of rows with names, ID numbers and
mobiles; a .docx with the same rows as a table; a text-layer PDF of many pages), then reads
each in a fresh child process through crawler.attachments.read and crawler.personal_data.scan
(what the crawler does) and prints size, seconds, MB/s, peak RSS growth and numbers found.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(kind: str, mb: float) -> bytes:
    from testbed.content import IDS, MOBILES, docx, xlsx

    if kind == "xlsx":
        rows = int(mb * 14_000)
        return xlsx([["序号", "姓名", "身份证号码", "手机号码", "住址"]] +
                    [[str(i), "马某某", IDS[i % 6], MOBILES[i % 3], "积石山县吹麻滩镇某某村"] for i in range(rows)])
    if kind == "docx":
        rows = int(mb * 9_000)
        return docx(["名单"], [["姓名", "身份证号", "手机号码"]] + [["马某某", IDS[i % 6], MOBILES[i % 3]] for i in range(rows)])
    lines = [f"{i} Ma {IDS[i % 6]} {MOBILES[i % 3]} Jishishan county" for i in range(50)]
    from testbed.content import pdf

    return _multi_page_pdf(lines, max(1, int(mb * 1_000_000 / len(pdf(lines)))))


def _multi_page_pdf(lines: list[str], pages: int) -> bytes:
    text = "BT /F1 9 Tf 40 800 Td 11 TL " + " ".join(f"({l}) Tj T*" for l in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(pages)) + f"] /Count {pages} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        objects.append(f"<< /Length {len(text)} >>\nstream\n{text}\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def child(path: str, kind: str) -> None:
    from datetime import date

    from crawler import attachments
    from crawler.personal_data import scan

    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")   # reset the peak RSS (VmHWM) to the current RSS
    before = _status("VmRSS")
    started = time.monotonic()
    got = attachments.read(data, kind, 100_000_000, 600)
    found = scan(got.tables, got.texts, date(2026, 11, 26))
    seconds = time.monotonic() - started
    peak = _status("VmHWM")
    rows = sum(len(t.rows) for t in got.tables) or sum(t.text.count("\n") + 1 for t in got.texts)
    print(json.dumps({"kind": kind, "bytes": len(data), "seconds": round(seconds, 2), "outcome": got.outcome.value,
                      "found": len(found), "rows": rows, "rss_growth_mb": round((peak - before) / 1024, 1),
                      "peak_rss_mb": round(peak / 1024, 1)}))


def _status(key: str) -> int:
    """kB of a /proc/self/status field (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    print(f"{'kind':5} {'MB':>6} {'rows':>7} {'s':>7} {'s/MB':>6} {'rows/s':>7} {'peak RSS':>9} {'growth':>7} {'found':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("xlsx", "docx", "pdf"):
            for mb in args.mb:
                path = Path(tmp) / f"bench.{kind}"
                path.write_bytes(build(kind, mb))
                out = subprocess.run([sys.executable, __file__, "--child", str(path), kind], capture_output=True,
                                     text=True, check=True).stdout
                r = json.loads(out)
                size = r["bytes"] / 1e6
                print(f"{kind:5} {size:6.2f} {r['rows']:7d} {r['seconds']:7.2f} {r['seconds'] / size:6.2f} "
                      f"{r['rows'] / max(r['seconds'], 0.01):7.0f} {r['peak_rss_mb']:8.1f}M "
                      f"{r['rss_growth_mb']:6.1f}M {r['found']:7d}  {r['outcome']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
