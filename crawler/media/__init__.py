"""政务新媒体: the county's new-media accounts, read once per poll, judged by MED001–MED004.

No platform offers an open API for an account's last post, so an account's source is a feed a
feed bridge publishes (RSS, Atom, JSON Feed), the account list page of the portal's 政务新媒体
column read with selectors, or a manual entry.  ``readers`` fetches and parses and records one
``MediaObs`` per account and poll; ``observations`` stores them and hands the latest of each
account to the checks (checks/media_*.py).  A source that cannot be read is "无法核验" (MED002),
never "stale".
"""
