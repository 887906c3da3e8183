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


# --- [assessment] in config.toml -----------------------------------------------------------------
ASSESSED = """
[[sites]]
id = "portal"
name = "门户"
url = "https://www.example.gov.cn/"
unit = "大河家镇"

[[units]]
name = "大河家镇"
type = "乡镇"
"""


def config_with(tmp_path, assessment=""):
    path = tmp_path / "config.toml"
    path.write_text(ASSESSED + assessment, encoding="utf-8")
    return load_config(path)


def test_without_assessment_the_scoring_is_the_default(tmp_path):
    from reports.assessment import DEFAULT_SCORING, scoring

    assert scoring(config_with(tmp_path)) == DEFAULT_SCORING
    assert DEFAULT_SCORING.pass_score == 60 and DEFAULT_SCORING.upd_veto["UPD004"] == 10


def test_a_changed_pass_mark_changes_the_verdict(tmp_path):
    from reports.assessment import assess

    findings = [f("LAG001", url=f"http://l/{i}") for i in range(15)]       # 公开时效 capped at 15 → 85
    assert [v.passed for v in assess(config_with(tmp_path), findings)] == [True]
    strict = assess(config_with(tmp_path, "\n[assessment]\npass_score = 90\n"), findings)
    assert strict[0].score == 85 and not strict[0].passed


def test_changed_points_and_caps_change_the_score(tmp_path):
    from reports.assessment import assess

    findings = [f("LNK001", url=f"http://x/{i}") for i in range(10)]
    assert assess(config_with(tmp_path), findings)[0].score == 90
    conf = config_with(tmp_path, '\n[assessment.points]\nLNK001 = 5\n\n[assessment.caps]\n"可用性" = 45\n')
    v = assess(conf, findings)[0]
    assert v.deductions == {"可用性": 45} and v.score == 55 and not v.passed


def test_a_changed_veto_count_changes_the_verdict(tmp_path):
    from reports.assessment import assess

    three_blank = [f("UPD005", url=f"http://b/{i}") for i in range(3)]
    assert assess(config_with(tmp_path), three_blank)[0].passed
    v = assess(config_with(tmp_path, "\n[assessment]\nveto_blank_columns = 3\n"), three_blank)[0]
    assert not v.passed and "≥3个即单项否决" in v.vetoes[0]


def test_the_export_scores_with_the_configured_assessment(tmp_path):
    from reports.export import load_assessor

    findings = [f("LAG001", url=f"http://l/{i}") for i in range(15)]
    assert load_assessor(config_with(tmp_path))("portal", "门户", findings).passed
    assert not load_assessor(config_with(tmp_path, "\n[assessment]\npass_score = 90\n"))("portal", "门户", findings).passed
