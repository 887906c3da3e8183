"""Child-process entry of a crawl: ``python -m crawler.run --config C --run-id N``.

A crawl always runs in its own process: Twisted's reactor cannot be restarted
in one process, and a crash of the crawl must not take the caller with it.
The caller (commands.steps) owns the run row; this process only fills it.

Started again with the id of a run it did not finish (killed, even with SIGKILL), it
resumes that run: what the run already stored is replayed, not fetched again, and
nothing is stored twice (crawler.pipelines).  ``--fresh`` ignores the previous
crawl (no carried-forward documents, no conditional requests, no link cache).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import logging
import sys
from typing import Any
from urllib.parse import urlsplit

from zwgk.config import Config, ConfigError, load_config
from zwgk.http import bounded_max_bytes
from zwgk.store import Store


MAX_DOWNLOAD_DELAY = 60.0
MAX_TIMEOUT = 300.0
DEFAULT_MAX_BYTES = 20_000_000


def settings_from_config(config: Config) -> dict[str, Any]:
    from crawler import settings as base

    crawl = config.crawl
    out = {k: getattr(base, k) for k in dir(base) if k.isupper()}
    out.update({
        # Guarded at use (the config's own ranges may not catch all): concurrency 0 or a huge
        # delay hangs Scrapy, and DOWNLOAD_MAXSIZE = 0 means *no* limit to Scrapy.
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, int(crawl["concurrency_per_host"] or 1)),
        "DOWNLOAD_DELAY": min(max(float(crawl["download_delay"] or 0), 0.0), MAX_DOWNLOAD_DELAY),
        "DOWNLOAD_TIMEOUT": min(max(float(crawl["timeout"] or 0), 1.0), MAX_TIMEOUT),
        "DOWNLOAD_MAXSIZE": bounded_max_bytes(crawl["max_response_bytes"], DEFAULT_MAX_BYTES),
        "DOWNLOAD_WARNSIZE": 0,
        "USER_AGENT": crawl["user_agent"],
        # Scrapy's robots.txt middleware is all or nothing: on when any site obeys; the
        # spider exempts the sites that do not (config [[sites]] obey_robots_txt = false).
        "ROBOTSTXT_OBEY": crawl["obey_robots_txt"] or any(s.obey_robots_txt for s in config.sites),
        "ZWGK_OBEY_ROBOTS_DEFAULT": crawl["obey_robots_txt"],
        "ZWGK_NAMESERVERS": list(config.network["nameservers"]),
        "DNS_TIMEOUT": config.network["dns_timeout"],
        "ZWGK_DATABASE": str(config.database),
        "ZWGK_ALLOW_PRIVATE_HOSTS": crawl["allow_private_hosts"],
        "ZWGK_CONTROL_URL": config.network.get("control_url", ""),
        "ZWGK_CONTROL_INTERVAL": config.network.get("control_interval", 30),
        "ZWGK_CONTROL_HOSTS": [urlsplit(s.url).hostname or "" for s in config.sites],
    })
    out["EXTENSIONS"] = {**out.get("EXTENSIONS", {}), "crawler.progress.ConnectivityExtension": 510}
    return out


# Hours a link's OK outcome is trusted before it is checked again; [crawl] link_cache_hours
# once zwgk.config declares it.
DEFAULT_LINK_CACHE_HOURS = 24.0


def crawl(config: Config, run_id: int, incremental: bool = True, full: bool = False) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    from crawler.content import ContentObserver
    from crawler.pipelines import load_memory
    from crawler.progress import Progress
    from crawler.spiders.disclosure import DisclosureSpider, now

    link_cache_hours = float(config.crawl.get("link_cache_hours", DEFAULT_LINK_CACHE_HOURS))
    memory = load_memory(str(config.database), run_id, now(), link_cache_hours if incremental else 0.0,
                         incremental=incremental)
    process = CrawlerProcess(settings_from_config(config))
    # "Gave up retrying …" is logged at ERROR for every unreachable link; its outcome is
    # recorded (and reported, or listed as 无法核验) anyway, so the terminal stays readable.
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    # pypdf warns about damaged PDFs with pieces of their content: keep page text out of logs.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    content = ContentObserver(run_id, settings=dict(config.section("attachments")),
                              extra_errors=tuple(config.rules.get("CNT001", {}).get("extra", ())),
                              known_hashes=dict(memory.read_hashes))
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(crawler, sites=list(config.sites), run_id=run_id,
                  max_pages=config.crawl["max_pages_per_site"], max_depth=config.crawl["max_depth"],
                  check_external=config.crawl["check_external_links"],
                  recheck_failed=config.crawl["recheck_failed_links"], memory=memory,
                  max_list_pages=0 if full else config.crawl["max_list_pages_per_column"], content=content)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    progress: Progress | None = getattr(crawler, "zwgk_progress", None)
    politeness = getattr(crawler, "zwgk_politeness", None)
    write_errors = int(stats.get("zwgk/write_errors", 0))
    columns = 0
    if not write_errors:
        try:
            with Store(config.database) as store:
                columns = store.build_columns(run_id)
        except sqlite3.Error as exc:
            write_errors, stats["zwgk/write_error"] = 1, f"{config.database}: {type(exc).__name__}: {exc}"
    watch = getattr(crawler, "zwgk_connectivity", None)
    spider: Any = crawler.spider   # our DisclosureSpider (typed as Scrapy's Spider)
    return {
        "write_errors": write_errors,
        "write_error": stats.get("zwgk/write_error"),
        "connectivity": watch.summary() if watch else {},
        "finish_reason": stats.get("finish_reason"),
        "responses": stats.get("response_received_count", 0),
        "network_errors": stats.get("downloader/exception_count", 0),
        "records": stats.get("item_scraped_count", 0),
        "columns": columns,
        "log_errors": stats.get("log_count/ERROR", 0),
        "resumed": memory.resumed,
        "previous_run_id": memory.previous_run_id,
        "progress": progress.numbers() if progress else {},
        "paused_hosts": dict(politeness.paused) if politeness else {},
        "retry_after_waits": [[u, w] for u, w in politeness.waits] if politeness else [],
        "columns_capped": sorted(getattr(spider, "capped_columns", ())),
        # Distinct pages each cap (max_depth, max_pages_per_site, max_list_pages_per_column) left unfetched.
        "unfetched_by_cap": spider.unfetched_by_cap() if spider else {},
        # Per site, the CMS profile the crawl read it with: named in config or detected (and why).
        "cms": spider.cms_summary() if spider else {},
        "attachments": {k: round(v, 3) for k, v in content.stats.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--config", required=True)
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--fresh", action="store_true",
                        help="fetch everything again (ignore the previous crawl and the link cache)")
    parser.add_argument("--full", action="store_true",
                        help="read every list page of every column ([crawl] max_list_pages_per_column ignored)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"zwgk: {exc}", file=sys.stderr)
        return 2
    summary = crawl(config, args.run_id, incremental=not args.fresh, full=args.full)
    # The last line of stdout is the summary the parent process reads.
    print(json.dumps(summary, ensure_ascii=False))
    # A crawl that lost a write is never complete (a full disk must not look like a small site).
    return 0 if summary.get("finish_reason") == "finished" and not summary.get("write_errors") else 1


if __name__ == "__main__":
    sys.exit(main())
