from checks import missing_doc_date as rule
from tests.checks.factory import ctx, doc, obs


def test_table_without_doc_date_is_a_notice():
    [f] = rule.check(obs(documents=(doc(doc_date=None),)), {}, ctx())
    assert f.rule == "LAG002" and f.severity.value == "notice" and f.unit == "大河家镇"


def test_dated_document_and_news_without_table_pass():
    assert list(rule.check(obs(documents=(doc(), doc(doc_date=None, table=False))), {}, ctx())) == []
