"""Scrapy settings for zwgk's crawler.

Only switches components on and orders them; values that an administrator may
want to change come from config.toml (see crawler.run.settings_from_config).
"""
BOT_NAME = "zwgk"
SPIDER_MODULES = ["crawler.spiders"]

# Gentle defaults for fragile county servers; config.toml [crawl] overrides them.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %, so requests do not arrive in lockstep
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20_000_000
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = True
RETRY_TIMES = 2
# 429 and 503 are PolitenessMiddleware's: it waits as asked (Retry-After) before asking again.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
# The resolver answers through config.toml's nameservers, IPv4 and IPv6
# (Scrapy's own resolver is IPv4-only and uses the system's DNS).
TWISTED_DNS_RESOLVER = "crawler.resolver.ZwgkResolver"
DNS_TIMEOUT = 5

DOWNLOADER_MIDDLEWARES = {
    # Before RobotsTxtMiddleware (100): not even robots.txt is fetched from a private address.
    "crawler.middlewares.PrivateHostMiddleware": 90,
    # Just outside RedirectMiddleware (600) and inside RetryMiddleware (550): it sees the final
    # answer after redirects, and slows the host down before RetryMiddleware asks again.
    "crawler.middlewares.PolitenessMiddleware": 560,
}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.progress.Progress": 500}

# Politeness (crawler.middlewares.PolitenessMiddleware).
ZWGK_MAX_RETRY_AFTER = 120     # a longer Retry-After is recorded (BLOCKED), not waited for
ZWGK_BACKOFF_TIMES = 3         # asks again after a 429/503 at most this often
ZWGK_BACKOFF_BASE = 1.0        # seconds; doubles per try when no Retry-After is given
ZWGK_ERROR_WINDOW = 20         # answers per host looked at …
ZWGK_ERROR_SHARE = 0.5         # … of which this share being errors pauses the host …
ZWGK_ERROR_PAUSE = 60          # … for this many seconds

LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
REMOTE_CONTROL_ENABLED = False
