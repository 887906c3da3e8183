"""A stand-in crawler child that stores part of a crawl and then dies (for test_store)."""
import argparse
import sys
from datetime import datetime, timezone

from commands.common import load_config
from zwgk.records import PageObs
from zwgk.store import Store

parser = argparse.ArgumentParser()
parser.add_argument("--config")
parser.add_argument("--run-id", type=int)
args = parser.parse_args()
config = load_config(args.config)
with Store(config.database) as store:
    store.add_pages([PageObs(args.run_id, "portal", "http://half.test/", "home", None, 200, "utf-8", False,
                             None, None, None, 0, False, None, 0, datetime.now(timezone.utc))])
sys.exit(9)
