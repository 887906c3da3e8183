"""SEC001 end to end: the testbed's 县卫健局 homepage replaced by gambling spam between two crawls."""
from __future__ import annotations

import pytest

from commands import steps
from commands.common import load_config
from testbed import content
from testbed.server import Testbed
from tests.conftest import AS_OF
from zwgk.store import Store


def test_a_homepage_tampered_after_a_clean_crawl_is_a_notice(testbed: Testbed,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("sec001")
    config = load_config(testbed.write(out)[0])
    site = next(c.site for c in testbed.components if isinstance(c, content.Component))
    assert steps.crawl(config, AS_OF, quiet=True).status == "complete"
    first = steps.check(config, AS_OF)
    try:
        site.tampered = True
        assert steps.crawl(config, AS_OF, quiet=True).status == "complete"
    finally:
        site.tampered = False
    second = steps.check(config, AS_OF)
    with Store(config.database) as store:
        before = [f for f in store.findings(first.run_id) if f.rule == "SEC001"]
        after = [f for f in store.findings(second.run_id) if f.rule == "SEC001"]
    assert before == []
    [f] = after
    assert f.url == testbed.url(content.HOST, "/") and f.evidence["classes"] == ["gambling"]
    assert f.evidence["change"] >= 0.2
