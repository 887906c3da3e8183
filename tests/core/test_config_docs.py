"""config.toml documents every key of the schema (lychee's example-config test): each section and
array appears, and each of its keys, commented out where it is optional."""
from __future__ import annotations

import re
from pathlib import Path

from zwgk.config import ARRAY_NAMES, SECTIONS, SITE_FIELDS, UNIT_FIELDS, component_schemas

ROOT = Path(__file__).resolve().parents[2]
HEADER = re.compile(r"^\s*#?\s*(\[\[?)\s*([^\]\s]+)\s*\]\]?")


def blocks(text: str) -> dict[str, str]:
    """Header name ([x] or [[x]], commented or not) → the text under all its headers."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        m = HEADER.match(line)
        if m and not re.match(r"^\s*#?\s*\[\[?\s*[^\]]+\]\]?\s*=", line):
            current = m.group(2).strip('"')
        out.setdefault(current, []).append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def schema() -> dict[str, dict[str, object]]:
    sections, arrays = component_schemas()
    everything: dict[str, dict[str, object]] = {**SECTIONS, **sections, **arrays}
    everything.update({"sites": SITE_FIELDS, "units": UNIT_FIELDS})
    return everything


def test_config_toml_documents_every_section_and_key() -> None:
    found = blocks((ROOT / "config.toml").read_text(encoding="utf-8"))
    missing = []
    for name, fields in schema().items():
        if name not in found and not any(k.startswith(name + ".") for k in found):
            missing.append(f"[{name}]")
            continue
        for key in fields:
            # a plain key, or a sub-table of the section ([calendar.years], [assessment.caps])
            if not re.search(rf"^\s*#?\s*{re.escape(key)}\s*=", found.get(name, ""), re.M) \
                    and f"{name}.{key}" not in found:
                missing.append(f"{name}.{key}")
    assert not missing, f"config.toml does not document: {', '.join(missing)}"


def test_config_toml_has_account_and_media_examples() -> None:
    found = blocks((ROOT / "config.toml").read_text(encoding="utf-8"))
    for source in ("rss", "html", "manual"):
        assert re.search(rf'^\s*#?\s*source\s*=\s*"{source}"', found["accounts"], re.M), source
    assert "[[accounts]]" in found["accounts"] and "[media]" in found["media"]
    assert set(ARRAY_NAMES) <= set(found)


def uncommented(text: str, start: str, end: str | None) -> str:
    """The commented-out example between two markers, as TOML."""
    block = text[text.index(start): text.index(end) if end else None]
    return "\n".join(re.sub(r"^# ?", "", line) for line in block.splitlines() if line.startswith("#"))


def test_the_commented_examples_are_valid_and_the_assessment_defaults_are_todays(tmp_path: Path) -> None:
    from commands.common import load_config
    from reports.assessment import DEFAULT_SCORING, scoring
    from zwgk.config.media import load_accounts

    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    accounts = uncommented(text, "# [[accounts]]", "# How the accounts")
    assessment = uncommented(text, "# [assessment]", None)
    path = tmp_path / "config.toml"
    path.write_text(text + "\n" + accounts + "\n" + assessment + "\n", encoding="utf-8")
    config = load_config(path)
    assert {a.source for a in load_accounts(config)} == {"rss", "html", "manual"}
    assert scoring(config) == DEFAULT_SCORING
