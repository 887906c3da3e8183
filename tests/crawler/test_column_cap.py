"""The per-column cap on list pages, and the full mode that lifts it."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import AS_OF
from commands import steps as pipeline
from commands.common import load_config
from zwgk.store import Store
from testbed.server import Testbed

BIG = "/zwgk/xzf/fdzdgknr/zcwj/"     # 27 documents: 3 list pages of 10


def test_cap_limits_list_pages_and_full_reads_them_all(tmp_path: Path) -> None:
    with Testbed(seed=5, as_of=AS_OF, components=False) as tb:
        config_file, _ = tb.write(tmp_path)
        text = config_file.read_text(encoding="utf-8").replace("[crawl]\n", "[crawl]\nmax_list_pages_per_column = 2\n")
        config_file.write_text(text, encoding="utf-8")
        config = load_config(config_file)
        column = tb.base_url + BIG
        capped = pipeline.crawl(config, AS_OF, quiet=True, fresh=True)
        full = pipeline.crawl(config, AS_OF, quiet=True, fresh=True, full=True)
        expected = len(tb.county.pages[BIG].docs)
    assert capped.status == full.status == "complete"
    with Store(config.database) as store:
        capped_col = next(c for c in store.columns(capped.run_id) if c.url == column)
        full_col = next(c for c in store.columns(full.run_id) if c.url == column)
        summary = store.run(capped.run_id).summary
        # The third list page was not crawled as a column of its own.
        assert not [c for c in store.columns(capped.run_id) if c.url.startswith(column + "index_")]
    assert (capped_col.pages_seen, capped_col.item_count) == (2, 20)
    assert column in summary["columns_capped"]
    assert (full_col.pages_seen, full_col.item_count) == (3, expected)
