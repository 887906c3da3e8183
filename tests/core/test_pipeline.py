"""The observe step of `zwgk run`: one probe round and one poll of the accounts, stored."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tests.conftest import AS_OF
from commands import steps as pipeline
from commands.common import load_config
from zwgk.store import Store


def test_observe_probes_every_site_and_reads_every_account(testbed_config: Path, tmp_path: Path) -> None:
    text = testbed_config.read_text(encoding="utf-8").replace('database = "zwgk.sqlite3"',
                                                               f'database = "{tmp_path / "z.sqlite3"}"')
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    config = load_config(cfg)
    result = pipeline.observe(config, AS_OF, now=datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))
    assert result.status == "complete", result.errors
    assert result.counts["probes"] >= len(config.sites)          # one availability probe per site at least
    assert result.counts["media"] == len([a for a in config.array("accounts") if a.get("active", True)])
    with Store(config.database) as store:
        loaded = pipeline.load_observations(store, config, 0, AS_OF)
    assert len(loaded.media) == result.counts["media"]
    assert {p.site_id for p in loaded.probes} >= {s.id for s in config.sites}


def test_a_failing_component_does_not_stop_the_others(testbed_config: Path, tmp_path: Path, monkeypatch) -> None:
    def boom(config, now):
        raise RuntimeError("feed bridge exploded")

    steps = [("media", boom)] + [s for s in pipeline.observation_steps() if s[0] != "media"]
    monkeypatch.setattr(pipeline, "observation_steps", lambda: steps)
    text = testbed_config.read_text(encoding="utf-8").replace('database = "zwgk.sqlite3"',
                                                               f'database = "{tmp_path / "z.sqlite3"}"')
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    result = pipeline.observe(load_config(cfg), AS_OF)
    assert result.status == "incomplete" and "feed bridge exploded" in result.errors[0]
    assert result.counts["probes"] > 0
