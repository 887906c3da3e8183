"""COL002 required sub-columns and COL003 the previous year's 年报."""
from datetime import date

from checks import annual_report, subcolumns
from tests.checks.factory import BASE, T0, ctx, obs
from zwgk.records import ColumnObs, ListItemObs

P = BASE + "/zwgk/dhjz/"


def col(name, sub):
    return ColumnObs(1, "portal", P + sub, name, None, None, 1, None, None, 1, False, T0)


PARENT = col("法定主动公开内容", "fdzdgknr/")
CORE = [col("机构信息", "fdzdgknr/jg/"), col("规范性文件", "fdzdgknr/zc/"), col("发展规划", "fdzdgknr/gh/"),
        col("财政预决算", "fdzdgknr/cz/")]


def run_col002(*cols):
    return list(subcolumns.check(obs(columns=cols), dict(subcolumns.DEFAULTS), ctx()))


def test_col002_aliases_accepted():
    assert run_col002(PARENT, *CORE) == []


def test_col002_missing_jigou_zhineng():
    [f] = run_col002(PARENT, *CORE[1:])
    assert f.rule == "COL002" and f.column == "机构职能" and f.unit == "大河家镇"


def test_col002_leaves_a_missing_parent_to_col001():
    assert run_col002(*CORE[1:]) == []


def report_item(title):
    return ListItemObs(1, P + "gknb/", P + "gknb/", P + "gknb/t1.html", title, date(2026, 1, 20), None)


def run_col003(items, as_of=date(2026, 11, 26), cols=(col("政府信息公开年报", "gknb/"),)):  # noqa: B008 (a frozen record)
    return list(annual_report.check(obs(columns=cols, list_items=tuple(items)), dict(annual_report.DEFAULTS),
                                    ctx(as_of)))


def test_col003_last_years_report_online_passes():
    assert run_col003([report_item("大河家镇2025年政府信息公开工作年度报告")]) == []


def test_col003_missing_last_years_report_after_the_deadline():
    [f] = run_col003([report_item("大河家镇2024年政府信息公开工作年度报告")])
    assert f.rule == "COL003" and f.evidence["year"] == 2025


def test_col003_before_the_deadline_nothing_is_judged():
    assert run_col003([], as_of=date(2026, 1, 20)) == []


def test_col003_without_a_report_column_is_col001s_business():
    assert run_col003([], cols=()) == []
