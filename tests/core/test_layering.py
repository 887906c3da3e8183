"""Scrapy (and Twisted) stay inside crawler/: checks, reports and the probes import without them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("scrapy", "twisted"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
import checks, reports, reports.notify, reports.export, reports.lifecycle
import zwgk.assessment, zwgk.pipeline, zwgk.probes, zwgk.media.readers, zwgk.config, zwgk.store
from checks import REGISTRY, ALL_RULE_IDS
assert set(REGISTRY) == set(ALL_RULE_IDS), sorted(set(ALL_RULE_IDS) - set(REGISTRY))
print("ok")
"""


def test_checks_reports_and_probes_import_without_scrapy_or_twisted() -> None:
    out = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
