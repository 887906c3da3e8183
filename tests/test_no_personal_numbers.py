"""No output of an inspection holds a full personal number of the testbed's seeds (PRV001).

Runs the commands an administrator runs — crawl (twice: the second one carries pages and
attachments forward), check, report, notify --dry-run, export in every format — and
scans everything they leave: the SQLite store (every table, the page cache decompressed),
the report and unit pages, findings.json, the notices' .eml files (MIME parts decoded), the
exports (XLSX unzipped) and every command's stdout and stderr.
"""
from __future__ import annotations

import email
import json
import sqlite3
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from testbed.content import SEEDED_NUMBERS
from testbed.server import Testbed
from tests.conftest import AS_OF

ZWGK = str(Path(sys.executable).parent / "zwgk")


@pytest.fixture(scope="module")
def outputs(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("leak")
    config, _ = testbed.write(out)
    logs: list[str] = []

    def zwgk(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([ZWGK, *args, "--config", str(config)], capture_output=True, text=True)
        logs.append(proc.stdout + proc.stderr)
        return proc

    as_of = AS_OF.isoformat()
    assert zwgk("crawl", "--as-of", as_of, "--json").returncode == 0, logs[-1]
    assert zwgk("crawl", "--as-of", as_of, "--json").returncode == 0, logs[-1]   # incremental: carried forward
    zwgk("check", "--as-of", as_of, "--json")
    zwgk("report", "--as-of", as_of, "--out", str(out / "report"))
    zwgk("notify", "--as-of", as_of, "--dry-run", "--out", str(out / "notices"))
    for fmt in ("csv", "xlsx", "json"):
        zwgk("export", "--format", fmt, "--out", str(out / f"export.{fmt}"))
    return {"dir": out, "logs": logs, "db": out / "zwgk.sqlite3"}


def texts_of(directory: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in directory.rglob("*"):
        if not path.is_file() or path.name.startswith("zwgk.sqlite3"):
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                found[str(path)] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        elif path.suffix == ".eml":
            message = email.message_from_bytes(data)
            parts = [p.get_payload(decode=True) or b"" for p in message.walk() if not p.is_multipart()]
            found[str(path)] = "".join(p.decode("utf-8", "replace") for p in parts) + str(message)
        else:
            found[str(path)] = data.decode("utf-8", "replace")
    return found


def store_text(db: Path) -> str:
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    bodies = [zlib.decompress(r[0]).decode("utf-8", "replace") for r in con.execute("SELECT body FROM crawl_page_cache")]
    return dump + "\n".join(bodies)


def test_the_seeded_leaks_were_found_and_shown_masked(outputs: dict) -> None:
    findings = json.loads((outputs["dir"] / "report" / "findings.json").read_text(encoding="utf-8"))["findings"]
    prv = [f for f in findings if f["rule"] == "PRV001"]
    assert len(prv) == 4, prv                       # the 公示 page and three attachments, after a re-crawl
    assert "622927********" in json.dumps(prv, ensure_ascii=False)
    assert list((outputs["dir"] / "notices").glob("*.eml")), "notify --dry-run wrote no notice"


def test_no_output_holds_a_full_seeded_number(outputs: dict) -> None:
    places = {"store": store_text(outputs["db"]), "logs": "\n".join(outputs["logs"]), **texts_of(outputs["dir"])}
    leaks = [(where, n) for where, text in places.items() for n in SEEDED_NUMBERS if n in text]
    assert leaks == []
    assert any(p.endswith(".eml") for p in places) and any(p.endswith("export.xlsx") for p in places)
