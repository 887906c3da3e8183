"""Item pipeline: stores what the spider saw, in batches, under the crawl's run id."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from crawler.items import DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs
from zwgk.store import Store

BATCH = 200


class StorePipeline:
    def __init__(self, database: str) -> None:
        self.database = database
        self.store: Store | None = None
        self.pending: dict[type, list[Any]] = defaultdict(list)
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler.settings.get("ZWGK_DATABASE"))

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.database)

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
        if self.store:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        self.pending[type(item)].append(item)
        self.count += 1
        if self.count % BATCH == 0:
            self.flush()
        return item

    def flush(self) -> None:
        assert self.store is not None
        writers = {
            PageObs: self.store.add_pages,
            ListItemObs: self.store.add_list_items,
            DocumentObs: self.store.add_documents,
            LinkObs: self.store.add_links,
            LinkCheck: self.store.add_link_checks,
        }
        for kind, items in self.pending.items():
            if items:
                writers[kind](items)
        self.pending.clear()
