"""Date parsing moved to :mod:`crawler.extract.dates`; this name stays for existing imports."""

from crawler.extract.dates import *  # noqa: F401,F403
from crawler.extract.dates import __all__  # noqa: F401
