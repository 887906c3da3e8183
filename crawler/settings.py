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
# The resolver answers through config.toml's nameservers, IPv4 and IPv6
# (Scrapy's own resolver is IPv4-only and uses the system's DNS).
TWISTED_DNS_RESOLVER = "crawler.resolver.ZwgkResolver"
DNS_TIMEOUT = 5

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.progress.Progress": 500}

LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
REMOTE_CONTROL_ENABLED = False
