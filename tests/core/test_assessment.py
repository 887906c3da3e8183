from datetime import date

from reports.assessment import assess_accounts, assess_site, by_unit
from commands.common import load_config
from zwgk.records import Finding, Severity


def f(rule, severity=Severity.DEDUCTION, site="portal", unit="大河家镇", url=None):
    return Finding(rule, severity, site, unit, None, url or f"http://x/{rule}", "问题", {}, date(2026, 11, 26))


def test_clean_site_scores_100():
    v = assess_site("portal", "门户", [])
    assert v.passed and v.score == 100 and v.label == "合格"


def test_veto_decides_without_score():
    v = assess_site("portal", "门户", [f("UPD001", Severity.VETO)])
    assert not v.passed and v.score is None and v.vetoes


def test_five_stale_columns_are_a_veto_four_are_not():
    four = [f("UPD002", url=f"http://x/{i}") for i in range(2)] + [f("UPD003", url=f"http://y/{i}") for i in range(2)]
    assert assess_site("portal", "门户", four).passed
    v = assess_site("portal", "门户", four + [f("UPD003", url="http://y/9")])
    assert not v.passed and "栏目不更新" in v.vetoes[0]


def test_deductions_are_capped_per_indicator_and_below_60_fails():
    many = [f("LNK001", url=f"http://x/{i}") for i in range(50)]
    v = assess_site("portal", "门户", many)
    assert v.deductions["可用性"] == 20 and v.score == 80 and v.passed
    worse = many + [f("COL001", url=f"http://c/{i}") for i in range(4)] + [f("LAG001", url=f"http://l/{i}") for i in range(30)]
    v = assess_site("portal", "门户", worse)
    assert v.deductions == {"可用性": 20, "信息公开平台": 20, "公开时效": 15} and v.score == 45 and not v.passed


def test_other_sites_findings_do_not_count():
    assert assess_site("portal", "门户", [f("UPD001", Severity.VETO, site="fgj")]).passed


def test_stale_account_fails_unverifiable_does_not():
    vs = assess_accounts([f("MED001", Severity.VETO, url="a"), f("MED002", Severity.NOTICE, url="b")])
    # an account that could not be read is 无法核验: not 不合格, and never a green 合格
    assert [(v.subject, v.passed, v.label) for v in vs] == [("a", False, "不合格"), ("b", False, "无法核验")]


def test_every_configured_account_is_in_the_verdict_table_once():
    vs = assess_accounts([f("MED001", Severity.VETO, url="a")], {"a": "甲", "c": "丙"}, ["c", "a", "c"])
    assert [(v.subject, v.label) for v in vs] == [("c", "合格"), ("a", "不合格")]


def test_task_findings_also_go_to_the_lead_unit(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("""
[[units]]
name = "县政府办公室"
type = "部门"
[[units]]
name = "大河家镇"
type = "乡镇"
[[tasks]]
name = "第26项"
rules = ["LAG001"]
lead_units = ["县政府办公室"]
""", encoding="utf-8")
    config = load_config(cfg)
    units = {u.unit: u for u in by_unit(config, [f("LAG001"), f("COL001")])}
    assert len(units["大河家镇"].own) == 2
    assert [(t, x.rule) for t, x in units["县政府办公室"].as_lead] == [("第26项", "LAG001")]
