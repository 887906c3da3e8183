"""Layers import only downward (README, Development): every module's imports, read from
its source, are checked against the layer order; nothing is loaded by a name string.

    zwgk (core: records, config, store, workdays, resolve)
      < crawler (everything that observes the outside world; Scrapy only in its spider modules)
      < checks < reports
      < commands (the subcommands and their steps)
      < testbed (a product feature: it runs inspections through commands.steps)
      < commands.cli, commands.testbed, scheduler (the roof: the entry point, the testbed's own
        commands, the unattended loop)
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("zwgk", "crawler", "checks", "reports", "commands", "scheduler", "testbed")
RANK = {"zwgk": 0, "crawler": 1, "checks": 2, "reports": 3, "commands": 4, "testbed": 5}
# The roof may import everything: the entry point, the testbed's own commands, and the
# scheduler (it checks its job lines against the whole parser).
ROOF = {"commands.cli", "commands.testbed", "scheduler"}
SCRAPY_MODULES = ("crawler.spiders", "crawler.middlewares", "crawler.pipelines", "crawler.settings",
                  "crawler.run", "crawler.items", "crawler.resolver", "crawler.progress")


def product_modules() -> list[tuple[str, Path]]:
    out = [("scheduler", ROOT / "scheduler.py")]
    for pkg in PACKAGES:
        base = ROOT / pkg
        if base.is_dir():
            for path in sorted(base.rglob("*.py")):
                rel = path.relative_to(ROOT).with_suffix("")
                parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
                out.append((".".join(parts), path))
    return out


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def rank(module: str) -> int | None:
    if module in ROOF:
        return 9
    return RANK.get(module.split(".")[0])


def test_every_import_points_downward_or_sideways() -> None:
    bad = []
    for name, path in product_modules():
        mine = rank(name)
        assert mine is not None, name
        for line, target in imports_of(path):
            theirs = rank(target)
            if theirs is None or target.split(".")[0] == name.split(".")[0] and theirs != 9:
                continue
            if theirs > mine:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {target} (a layer above)")
    assert not bad, "\n".join(bad)


def test_nothing_is_loaded_by_name() -> None:
    bad = []
    for _name, path in product_modules():
        text = path.read_text(encoding="utf-8")
        for needle in ("import_module(", "__import__(", "importlib"):
            if needle in text:
                bad.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not bad, bad


@pytest.mark.parametrize("needle", ["scrapy", "twisted"])
def test_scrapy_stays_in_the_spider_modules(needle: str) -> None:
    bad = []
    for name, path in product_modules():
        if name.startswith(SCRAPY_MODULES):
            continue
        for line, target in imports_of(path):
            if target.split(".")[0] == needle:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert not bad, bad


PROGRAM = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("scrapy", "twisted", "jinja2", "dns", "checks", "reports", "crawler",
                                  "commands", "testbed", "scheduler"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
import zwgk.config, zwgk.store, zwgk.records, zwgk.records.probes, zwgk.records.media, zwgk.workdays
from zwgk.config import load_config
load_config(sys.argv[1])
print("ok")
"""


def test_the_core_and_load_config_stand_alone() -> None:
    """load_config() pulls in no rule, template, prober or resolver: the core is the ground floor."""
    out = subprocess.run([sys.executable, "-c", PROGRAM, str(ROOT / "config.toml")], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


CHECKS_WITHOUT_SCRAPY = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("scrapy", "twisted"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
import checks, reports, reports.notify, reports.export, reports.lifecycle, reports.assessment
import commands.steps, commands.common, crawler.probes, crawler.media.readers, crawler.extract, crawler.profiles
from checks import REGISTRY, ALL_RULE_IDS
assert set(REGISTRY) == set(ALL_RULE_IDS)
print("ok")
"""


def test_checks_reports_and_probes_import_without_scrapy_or_twisted() -> None:
    out = subprocess.run([sys.executable, "-c", CHECKS_WITHOUT_SCRAPY], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
