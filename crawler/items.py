"""Items the spider yields: the typed observation records of zwgk.records.

Scrapy handles dataclass items, so the records the checks read are the items
the spider yields; nothing is converted on the way to the store.
"""
from zwgk.records import Capture, DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs
from zwgk.records.content import CONTENT_TYPES

ITEM_TYPES = (PageObs, ListItemObs, DocumentObs, LinkObs, LinkCheck, Capture, *CONTENT_TYPES)

__all__ = ["ITEM_TYPES", "Capture", "DocumentObs", "LinkCheck", "LinkObs", "ListItemObs", "PageObs"]
