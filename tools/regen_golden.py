"""Regenerate the golden files of the report tests: `.venv/bin/python tools/regen_golden.py`.

Each test module under tests/reports that has golden files exposes
``golden_outputs() -> {file name: text or bytes}``; this writes them to
tests/reports/golden/.  Review the diff before committing it.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("tests.reports.test_notify", "tests.reports.test_export", "tests.reports.test_report")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    golden = ROOT / "tests" / "reports" / "golden"
    golden.mkdir(parents=True, exist_ok=True)
    for name in MODULES:
        for file_name, content in importlib.import_module(name).golden_outputs().items():
            path = golden / file_name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
