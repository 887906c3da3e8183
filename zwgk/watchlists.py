"""The watched phrase lists shipped with zwgk (zwgk/data/*.toml): CNT001's serious errors
and the keyword classes (gambling, pornography, advertising) of LNK005, LNK006 and SEC001.

Core data: the crawler matches them (it observes which listed phrase a page carries) and
the checks read them again for the correct form and the source of each entry.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CLASSES = ("gambling", "pornography", "advertising")


@dataclass(frozen=True)
class SeriousError:
    wrong: str
    correct: str
    source: str


@lru_cache(maxsize=1)
def serious_errors() -> tuple[SeriousError, ...]:
    data = tomllib.loads((DATA / "serious_errors.toml").read_text(encoding="utf-8"))
    return tuple(SeriousError(e["wrong"], e["correct"], e["source"]) for e in data["errors"])


@lru_cache(maxsize=1)
def keyword_classes() -> dict[str, tuple[str, ...]]:
    data = tomllib.loads((DATA / "keyword_classes.toml").read_text(encoding="utf-8"))
    return {name: tuple(data.get(name, ())) for name in CLASSES}


def classes_of(text: str) -> list[str]:
    """The keyword classes whose words occur in ``text`` (case-insensitive for Latin)."""
    low = text.lower()
    return [name for name, words in keyword_classes().items() if any(w.lower() in low for w in words)]


def words_of(text: str) -> dict[str, list[str]]:
    """Per keyword class, the words of it that occur in ``text``."""
    low = text.lower()
    found = {name: [w for w in words if w.lower() in low] for name, words in keyword_classes().items()}
    return {name: words for name, words in found.items() if words}
