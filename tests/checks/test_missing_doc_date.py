from dataclasses import replace
from datetime import date

from checks import missing_doc_date as rule
from tests.checks.factory import BASE, column, ctx, doc, obs


def _news(**kw):
    """A page without the metadata table in a column of the given name."""
    return replace(doc(doc_date=None, table=False), **kw)


def test_table_without_doc_date_is_a_notice():
    [f] = rule.check(obs(documents=(doc(doc_date=None),)), {}, ctx())
    assert f.rule == "LAG002" and f.severity.value == "notice" and f.unit == "大河家镇"


def test_dated_document_and_news_without_table_pass():
    news = _news(doc_no=None, column_url=BASE + "/xwdt/")
    cols = (column("/xwdt/", "工作动态"),)
    assert list(rule.check(obs(documents=(doc(), news), columns=cols), {}, ctx())) == []


def test_document_number_without_any_date_fails_on_any_template():
    """A Hanweb-style page without the table: 文号 in the body, 发布时间 on the info line, no 形成日期."""
    page = _news(doc_no="积政发〔2026〕12号", column_url=BASE + "/tzgg/")
    [f] = rule.check(obs(documents=(page,), columns=(column("/tzgg/", "通知公告"),)), {}, ctx())
    assert f.evidence["why"] == "文号 积政发〔2026〕12号"


def test_document_number_on_a_news_column_page_is_not_judged():
    """A 工作动态 article citing a 文号 (传达学习…（某安委〔2023〕21号）) is no 公文 (review 17 #4)."""
    page = _news(doc_no="某安委〔2023〕21号", column_url=BASE + "/xwdt/")
    assert list(rule.check(obs(documents=(page,), columns=(column("/xwdt/", "工作动态"),)), {}, ctx())) == []


def test_interpretation_title_is_not_judged_even_in_a_policy_column():
    page = _news(doc_no="某政办〔2024〕2号", title="《某县农村人居环境整治实施方案》政策解读")
    cols = (column("/zwgk/dhjz/zcwj/", "政策文件"),)
    assert list(rule.check(obs(documents=(page,), columns=cols), {}, ctx())) == []


def test_policy_column_page_without_date_fails_even_without_number():
    page = _news(doc_no=None)   # in /zwgk/dhjz/zcwj/
    [f] = rule.check(obs(documents=(page,), columns=(column("/zwgk/dhjz/zcwj/", "政策文件"),)), {}, ctx())
    assert "政策文件" in f.evidence["why"]
    cols = (column("/zwgk/dhjz/zcwj/", "规范性文件"),)
    assert len(list(rule.check(obs(documents=(page,), columns=cols), {}, ctx()))) == 1


def test_a_date_from_the_info_line_or_the_signature_passes_without_table():
    for source in ("page:发文日期", "page:生成日期", "signature"):
        page = replace(_news(doc_no="积政发〔2026〕12号"), doc_date=date(2026, 9, 28), doc_date_source=source)
        assert list(rule.check(obs(documents=(page,), columns=(column("/zwgk/dhjz/zcwj/", "政策文件"),)),
                               {}, ctx())) == []


def test_a_policy_column_listing_the_page_counts_when_it_was_reached_from_elsewhere():
    """First reached from the homepage (no column of its own), listed by a 政策文件 column."""
    from zwgk.records import ListItemObs

    page = _news(doc_no=None, column_url=None)
    listed = ListItemObs(1, BASE + "/zwgk/dhjz/zcwj/", BASE + "/zwgk/dhjz/zcwj/", page.url, page.title, None, None)
    cols = (column("/zwgk/dhjz/zcwj/", "政策文件"),)
    assert len(list(rule.check(obs(documents=(page,), columns=cols, list_items=(listed,)), {}, ctx()))) == 1
    assert list(rule.check(obs(documents=(page,), columns=cols), {}, ctx())) == []


def test_news_in_a_notice_column_without_number_or_table_passes():
    page = _news(doc_no=None, column_url=BASE + "/zwgk/dhjz/tzgg/")
    assert list(rule.check(obs(documents=(page,), columns=(column("/zwgk/dhjz/tzgg/", "通知公告"),)),
                           {}, ctx())) == []


def test_a_policy_document_reached_from_the_homepage_is_judged_by_the_column_listing_it():
    """Reached first from a homepage link, the document has no column_url; the 政策文件 list shows it."""
    from zwgk.records import ListItemObs
    page = _news(doc_no=None, column_url=None)
    listed = ListItemObs(1, BASE + "/zwgk/dhjz/zcwj/", BASE + "/zwgk/dhjz/zcwj/index.html", page.url,
                         page.title, None, None)
    cols = (column("/zwgk/dhjz/zcwj/", "政策文件"),)
    on_home = replace(listed, column_url=BASE + "/", page_url=BASE + "/")
    [f] = rule.check(obs(documents=(page,), columns=cols, list_items=(on_home, listed)), {}, ctx())
    assert "政策文件" in f.evidence["why"] and f.column == BASE + "/zwgk/dhjz/zcwj/"
    # not listed anywhere, no 文号, no table: not a 公文 as far as anyone can tell
    assert list(rule.check(obs(documents=(page,), columns=cols), {}, ctx())) == []


def test_a_page_first_reached_from_the_homepage_still_sits_in_the_policy_column_that_lists_it():
    from zwgk.records import ListItemObs

    page = _news(doc_no=None, column_url=None)                   # reached from the homepage's 最新 list
    listed = lambda col: ListItemObs(1, BASE + col, BASE + col, page.url, "t", None, None)  # noqa: E731
    cols = (column("/zwgk/dhjz/zcwj/", "政策文件"), column("/zwgk/dhjz/tzgg/", "通知公告"))
    [f] = rule.check(obs(documents=(page,), columns=cols, list_items=(listed("/"), listed("/zwgk/dhjz/zcwj/"))),
                     {}, ctx())
    assert "政策文件" in f.evidence["why"]
    # listed only by the homepage and a 通知公告 column: not a 公文, not judged
    assert list(rule.check(obs(documents=(page,), columns=cols,
                               list_items=(listed("/"), listed("/zwgk/dhjz/tzgg/"))), {}, ctx())) == []
