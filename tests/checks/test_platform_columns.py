from checks import platform_columns as rule
from tests.checks.factory import column, ctx, obs, page

P = "/zwgk/dhjz/"
FOUR = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"]


def run(names, fetched=True):
    cols = tuple(column(f"{P}c{i}/", n) for i, n in enumerate(names))
    pages = (page(P, kind="other"),) if fetched else (page(P, status=404, kind="other"),)
    c = ctx()
    return list(rule.check(obs(columns=cols, pages=pages), dict(rule.DEFAULTS), c)), c


def test_all_four_present():
    assert run(FOUR)[0] == []


def test_alias_and_spaces_accepted():
    assert run(FOUR[:3] + ["政府信息公开工作 年度报告"])[0] == []


def test_missing_annual_report_column():
    [f], _ = run(FOUR[:3])
    assert f.rule == "COL001" and f.unit == "大河家镇" and f.column == "政府信息公开年报"


def test_unreachable_platform_is_not_a_finding():
    findings, c = run([], fetched=False)
    assert findings == [] and "COL001" in c.unverified_by_rule()


def test_unit_without_prefixes_is_listed_as_unverified():
    from tests.checks.factory import UNITS
    c = ctx()
    assert list(rule.check(obs(), dict(rule.DEFAULTS), c)) == []
    assert any(UNITS[0].name in w for w in c.unverified_by_rule()["COL001"])
