from checks import empty_columns as rule
from tests.checks.factory import column, ctx, obs


def run(*cols):
    c = ctx()
    return list(rule.check(obs(columns=cols), {}, c)), c


def test_column_saying_zanwu_is_blank():
    [f], _ = run(column("/zwgk/dhjz/tzgg/", "通知公告", empty=True))
    assert f.rule == "UPD005" and f.unit == "大河家镇"


def test_parent_with_subcolumns_and_column_with_items_pass():
    parent = column("/zwgk/dhjz/fdzdgknr/", "法定主动公开内容")
    child = column("/zwgk/dhjz/fdzdgknr/zcwj/", "政策文件", items=3, parent="/zwgk/dhjz/fdzdgknr/")
    assert run(parent, child)[0] == []


def test_no_items_without_marker_is_unverified_not_blank():
    findings, c = run(column("/zwgk/dhjz/js/", "由脚本加载的栏目"))
    assert findings == [] and "UPD005" in c.unverified_by_rule()
