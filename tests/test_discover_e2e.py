"""`zwgk discover` against the testbed: from the portal's URL alone (plus a BASE config with the
testbed's nameservers and loopback allowance) it writes a config whose whole inspection gives
exactly the findings of the testbed's hand-written config; --merge keeps edits; --check sees
what changed."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from commands.cli import main
from commands.discover import settings_of
from testbed.score import inspect, inspect_config, match_key
from testbed.server import Testbed
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def written(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("discover")
    hand, _ = testbed.write(root / "hand")
    base = root / "base.toml"
    base.write_text(settings_of(hand.read_text(encoding="utf-8")), encoding="utf-8")
    out = root / "found" / "config.toml"
    code = main(["discover", testbed.base_url + "/", "--config", str(base), "--out", str(out)])
    return {"root": root, "hand": hand, "base": base, "config": out, "code": code}


@pytest.fixture(scope="module")
def inspected(testbed: Testbed, written: dict) -> dict:
    """Two whole inspections of the same testbed: the hand-written config's and the discovered one's."""
    hand_results, hand_findings, _ = inspect(testbed, written["root"] / "hand", AS_OF)
    found_results, found_findings = inspect_config(testbed, written["config"], written["config"].parent, AS_OF)
    assert [r.status for r in hand_results] == ["complete"] * 3, [r.errors for r in hand_results]
    assert [r.status for r in found_results] == ["complete"] * 3, [r.errors for r in found_results]
    return {"hand": hand_findings, "found": found_findings}


def test_discovery_writes_a_config_that_loads(written: dict) -> None:
    assert written["code"] == 0
    data = tomllib.loads(written["config"].read_text(encoding="utf-8"))
    hand = tomllib.loads(written["hand"].read_text(encoding="utf-8"))
    # every site, platform unit and account of the hand-written config, and nothing invented
    assert {s["url"] for s in data["sites"]} == {s["url"] for s in hand["sites"]}
    assert {u["name"] for u in data["units"]} == {u["name"] for u in hand["units"]}
    assert {a["name"] for a in data["accounts"]} == {a["name"] for a in hand["accounts"]}
    types = {u["name"]: u["type"] for u in hand["units"]}
    assert all(types[u["name"]] == u["type"] for u in data["units"])
    # BASE's settings are copied
    assert data["network"] == hand["network"] and data["rules"] == hand["rules"]


def test_what_a_person_still_types_is_marked(written: dict) -> None:
    text = written["config"].read_text(encoding="utf-8")
    assert text.count("# TODO: the e-mail address for 整改通知") == text.count("[[units]]")
    assert re.search(r"# TODO: .*could not be read \(HTTP 403\); jsonfeed guessed from the URL", text)


def test_discovered_config_gives_exactly_the_hand_written_findings(inspected: dict) -> None:
    hand = {match_key(f) for f in inspected["hand"]}
    found = {match_key(f) for f in inspected["found"]}
    assert hand - found == set(), "missed"
    assert found - hand == set(), "false findings"


def test_findings_go_to_the_same_units_hanweb_platform_included(inspected: dict) -> None:
    hand = {match_key(f): f["unit"] for f in inspected["hand"]}
    # The IPv6 sites and the school are assigned to 县政府办公室 / 县教育局 by hand; discovery
    # assigns them by their names (县发改局网站 → 县发改局) or marks them TODO.
    for f in inspected["found"]:
        if f["rule"].startswith("NET") or f["rule"] == "SID002":
            continue
        assert f["unit"] == hand[match_key(f)], f
    hanweb = [f for f in inspected["found"] if f["rule"] == "COL002" and f["unit"] == "县自然资源局"]
    assert [f["column"] for f in hanweb] == ["规划计划"]
    assert not any(f["rule"] == "COL001" and f["unit"] == "县自然资源局" for f in inspected["found"])


def test_the_other_index_layout_gives_the_same_units(testbed: Testbed, written: dict, tmp_path: Path) -> None:
    testbed.county.platform_layout = "table"
    try:
        out = tmp_path / "table.toml"
        assert main(["discover", testbed.base_url + "/", "--config", str(written["base"]), "--out", str(out)]) == 0
    finally:
        testbed.county.platform_layout = "list"
    units = lambda p: {(u["name"], u["type"], u.get("platform")) for u in tomllib.loads(p.read_text())["units"]}  # noqa: E731
    assert units(out) == units(written["config"])


def test_merge_keeps_edits_and_adds_what_is_new(testbed: Testbed, written: dict, tmp_path: Path) -> None:
    text = written["config"].read_text(encoding="utf-8")
    edited = text.replace('name = "刘集乡"\ntype = "乡镇"\nemail = ""', 'name = "刘集乡"\ntype = "乡镇"\nemail = "ljx@example.gov.cn"')
    assert edited != text
    # a person removed an account and a unit (with its platform) — the portal still lists them
    edited = re.sub(r'\[\[accounts\]\]\nname = "积石山发布"\n(?:[^\[\n].*\n)*', "", edited)
    edited = re.sub(r'\[\[units\]\]\nname = "银川乡"\n(?:[^\[\n].*\n)*', "", edited)
    path = tmp_path / "config.toml"
    path.write_text(edited, encoding="utf-8")
    assert main(["discover", testbed.base_url + "/", "--config", str(written["base"]), "--merge", str(path)]) == 0
    merged = path.read_text(encoding="utf-8")
    assert merged.startswith(edited)            # the person's file is kept byte for byte
    data = tomllib.loads(merged)
    assert [u["email"] for u in data["units"] if u["name"] == "刘集乡"] == ["ljx@example.gov.cn"]
    assert [u["name"] for u in data["units"]].count("银川乡") == 1
    assert [a["name"] for a in data["accounts"]].count("积石山发布") == 1
    assert len(data["sites"]) == len(tomllib.loads(text)["sites"])
    # merging again adds nothing
    assert main(["discover", testbed.base_url + "/", "--config", str(written["base"]), "--merge", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == merged


def test_check_reports_nothing_for_an_up_to_date_config(written: dict, capsys: pytest.CaptureFixture) -> None:
    assert main(["discover", "--check", "--config", str(written["config"])]) == 0
    assert "没有变化" in capsys.readouterr().out


def test_check_lists_what_changed(written: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = written["config"].read_text(encoding="utf-8")
    text = re.sub(r'\[\[units\]\]\nname = "银川乡"\n(?:[^\[\n].*\n)*', "", text)            # a new unit
    text = re.sub(r'\[\[accounts\]\]\nname = "健康积石山"\n(?:[^\[\n].*\n)*', "", text)       # a new account
    text = re.sub(r'\[\[sites\]\]\nid = "zrzyj"\n(?:[^\[\n].*\n)*', "", text)               # a new site
    text = text.replace("active = false   # listed as closed (已注销/关停)", "")            # closed on the portal
    text = text.replace('platform = "http://www.jss.gov.cn.test', 'platform = "http://www.jss.gov.cn.test/old', 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "zwgk.sqlite3").touch()
    assert main(["discover", "--check", "--config", str(path), "--json"]) == 1
    import json
    diff = json.loads(capsys.readouterr().out)
    assert [line.split()[0] for line in diff["new_units"]] == ["银川乡"]
    assert [line.split()[0] for line in diff["new_accounts"]] == ["健康积石山"]
    assert [line.split(":")[0] for line in diff["closed_accounts"]] == ["积石山教育旧号"]
    assert len(diff["new_sites"]) == 1 and "zrzyj" in diff["new_sites"][0]
    assert len(diff["vanished_platforms"]) == 1


def test_refuses_to_overwrite_and_rejects_a_non_portal(testbed: Testbed, written: dict,
                                                       capsys: pytest.CaptureFixture) -> None:
    assert main(["discover", testbed.base_url + "/", "--config", str(written["base"]),
                 "--out", str(written["config"])]) == 2
    assert "--merge" in capsys.readouterr().err
    media = testbed.url("media.jss.gov.cn.test", "/feeds/jssfb.xml")
    out = written["root"] / "nope.toml"
    assert main(["discover", media, "--config", str(written["base"]), "--out", str(out)]) == 2
    assert "不像政府门户网站首页" in capsys.readouterr().err and not out.exists()
