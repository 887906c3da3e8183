"""crawler.discover on pages served from a dict: names, both platform-index layouts, the
部门网站 block, the 政务新媒体 table, sniffing sources, and the bad inputs (not a portal, a WAF
page, an unreadable index, a spent request budget)."""
from __future__ import annotations

from datetime import date

import pytest

from crawler.discover import (NotAPortal, PoliteFetcher, account_rows, discover, match_unit,
                              normalize_platform, site_blocks, sniff_source, unit_links, unit_type)
from crawler.media.readers import Fetched
from lxml import html as lxml_html
from zwgk.records.media import MediaOutcome

P = "http://www.county.gov.cn"


def fetched(url: str, body: str | bytes, status: int = 200, outcome: MediaOutcome | None = None,
            charset: str | None = "utf-8") -> Fetched:
    return Fetched(url, outcome, status, charset, body.encode() if isinstance(body, str) else body)


class Site:
    """A fake web: {url: body or Fetched}; anything else is a 404."""

    def __init__(self, pages: dict[str, object]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def __call__(self, url: str, **kw: object) -> Fetched:
        self.asked.append(url)
        page = self.pages.get(url)
        if isinstance(page, Fetched):
            return page
        if page is None:
            return fetched(url, "<h1>404</h1>", 404, MediaOutcome.HTTP_ERROR)
        return fetched(url, page)


def fetcher(site: Site, **kw: object) -> PoliteFetcher:
    return PoliteFetcher(delay=0, allow_private=True, fetch_fn=site, **kw)


def root(body: str, base: str = P + "/"):
    r = lxml_html.fromstring(body)
    r.make_links_absolute(base)
    return r


HOME = """<html><head><meta name="SiteName" content="某某县人民政府"/><title>首页_某某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政府信息公开</a> <a href="/xmt/">政务新媒体</a></div>
<div class="links"><h3>部门网站</h3><ul><li><a href="http://fgj.county.gov.cn/">县发改局</a></li>
<li><a href="http://www.school.edu.cn/">某某县第一中学</a></li><li><a href="http://www.shop.com/">网上商城</a></li></ul></div>
<div class="footer"><p>主办：某某县人民政府办公室</p><p>网站标识码：1234</p></div></body></html>"""
INDEX_LIST = """<html><body><a href="/">首页</a><ul class="units"><li><a href="/zwgk/xzf/">某某县人民政府</a></li>
<li><a href="/zwgk/a/">甲镇</a></li><li><a href="/zwgk/b/">乙乡</a></li><li><a href="/zwgk/c/">县教育局</a></li>
<li><a href="/zwgk/d/">县工业园区管委会</a></li>
<li><a href="http://zrj.county.gov.cn/col/col30/index.html">县自然资源局</a></li></ul></body></html>"""
INDEX_TABLE = """<html><body><a href="/">首页</a><table class="gk"><tr><th>县政府信息公开</th>
<td><a href="/zwgk/xzf/">某某县人民政府</a></td></tr><tr><th>乡镇信息公开</th><td><a href="/zwgk/a/">甲镇</a>
<a href="/zwgk/b/">乙乡</a></td></tr><tr><th>部门信息公开</th><td><a href="/zwgk/c/">县教育局</a>
<a href="/zwgk/d/">县工业园区管委会</a> <a href="http://zrj.county.gov.cn/col/col30/index.html">县自然资源局</a></td></tr>
</table></body></html>"""
MEDIA = """<html><body><table><tr><th>账号名称</th><th>平台</th><th>开办主体</th><th>状态</th><th>最近更新</th></tr>
<tr><td><a href="http://feeds.county.gov.cn/a.xml">某某发布</a></td><td>微信</td><td>县政府办公室</td><td>正常</td><td></td></tr>
<tr><td><a href="http://feeds.county.gov.cn/b.json">某某教育</a></td><td>头条号</td><td>县教育局</td><td>正常</td><td></td></tr>
<tr><td><a href="http://feeds.county.gov.cn/list.html#c">甲镇发布</a></td><td>视频号</td><td>甲镇</td><td>正常</td><td></td></tr>
<tr><td>乙乡快手</td><td>快手号</td><td>乙乡</td><td>正常</td><td>2026-11-02</td></tr>
<tr><td>乙乡抖音</td><td>抖音</td><td>乙乡</td><td>正常</td><td></td></tr>
<tr><td>旧号</td><td>微博</td><td>县教育局</td><td>已注销</td><td></td></tr>
<tr><td><a href="http://feeds.county.gov.cn/x.xml">某某论坛</a></td><td>论坛</td><td>县政府办公室</td><td>正常</td><td></td></tr>
<tr><td><a href="http://feeds.county.gov.cn/waf.xml">甲镇头条</a></td><td>今日头条</td><td>甲镇</td><td>正常</td><td></td></tr>
</table></body></html>"""
RSS = '<?xml version="1.0"?><rss version="2.0"><channel><item><pubDate>Mon, 23 Nov 2026 10:00:00 +0800</pubDate></item></channel></rss>'
JSONFEED = '{"version": "https://jsonfeed.org/version/1.1", "items": []}'
LIST = "<html><body><table><tr><td>甲镇发布</td><td>视频号</td><td>2026年11月20日</td></tr></table></body></html>"
CAPTCHA = "<html><body><p>访问过于频繁，请输入验证码后继续访问</p></body></html>"


def county(index: str = INDEX_LIST, **extra: object) -> Site:
    return Site({P + "/": HOME, P + "/zwgk/": index, P + "/xmt/": MEDIA,
                 "http://fgj.county.gov.cn/": "<html><head><title>首页_某某县发展和改革局</title></head><body>"
                                               "<a href='/xxgk/'>信息公开</a><p>主办：某某县发展和改革局</p></body></html>",
                 "http://www.school.edu.cn/": "<html><body><p>主办：某某县第一中学</p></body></html>",
                 "http://zrj.county.gov.cn/": "<html><body><p>主办：某某县自然资源局</p></body></html>",
                 "http://feeds.county.gov.cn/a.xml": RSS, "http://feeds.county.gov.cn/b.json": JSONFEED,
                 "http://feeds.county.gov.cn/list.html": LIST,
                 "http://feeds.county.gov.cn/waf.xml": CAPTCHA, **extra})


# -- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("大河家镇", "乡镇"), ("刘集乡", "乡镇"), ("甲镇人民政府", "乡镇"), ("积石山县人民政府", "县政府"),
    ("县发改局", "部门"), ("县政府办公室", "部门"), ("县乡村振兴办", "部门"), ("县卫健委", "部门"),
    ("县融媒体中心", "部门"), ("县工业园区管委会", None), ("政策文件", None), ("首页", None)])
def test_unit_type_from_the_name(name: str, expected: str | None) -> None:
    assert unit_type(name) == expected


@pytest.mark.parametrize("listed, expected", [
    ("微信", "微信公众号"), ("公众号", "微信公众号"), ("视频号", "微信视频号"), ("微信视频号", "微信视频号"),
    ("微博", "新浪微博"), ("头条号", "今日头条"), ("抖音号", "抖音"), ("快手", "快手"), ("APP", "移动客户端"),
    ("app", "移动客户端"), ("论坛", None), ("", None)])
def test_platform_normalized_to_the_seven(listed: str, expected: str | None) -> None:
    assert normalize_platform(listed) == expected


def test_units_match_by_name_without_the_county() -> None:
    units = ["县政府办公室", "积石山县人民政府", "县发改局"]
    assert match_unit("积石山保安族东乡族撒拉族自治县人民政府办公室", units) == "县政府办公室"
    assert match_unit("积石山县发改局", units) == "县发改局"
    assert match_unit("积石山县发展和改革局", units) is None    # a different name: no guess
    assert match_unit("", units) is None


# -- pages ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [INDEX_LIST, INDEX_TABLE], ids=["list", "table"])
def test_platform_index_in_both_layouts(index: str) -> None:
    found = unit_links(root(index, P + "/zwgk/"), P + "/zwgk/")
    assert [n for n, _ in found] == ["某某县人民政府", "甲镇", "乙乡", "县教育局", "县工业园区管委会", "县自然资源局"]
    assert dict(found)["甲镇"] == P + "/zwgk/a/"
    assert dict(found)["县自然资源局"] == "http://zrj.county.gov.cn/col/col30/index.html"


def test_a_page_without_unit_links_is_no_index() -> None:
    assert unit_links(root("<html><body><a href='/a'>政策文件</a><a href='/b'>首页</a></body></html>"), P) == []


def test_site_block_links() -> None:
    assert [t for t, _ in site_blocks(root(HOME))] == ["县发改局", "某某县第一中学", "网上商城"]
    select = "<html><body><select><option>部门网站</option><option value='http://a.county.gov.cn/'>县民政局</option></select></body></html>"
    assert site_blocks(root(select)) == [("县民政局", "http://a.county.gov.cn/")]


def test_account_rows_with_and_without_links() -> None:
    rows = {r["name"]: r for r in account_rows(root(MEDIA))}
    assert rows["某某发布"]["link"] == "http://feeds.county.gov.cn/a.xml" and rows["某某发布"]["unit"] == "县政府办公室"
    assert rows["乙乡快手"]["link"] == "" and rows["乙乡快手"]["date"] == "2026-11-02"
    assert rows["旧号"]["status"] == "已注销"


@pytest.mark.parametrize("body, kind", [(RSS, "rss"), ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', "atom"),
                                        (JSONFEED, "jsonfeed"), (LIST, "html"), ("plain text", None),
                                        ('<?xml version="1.0" encoding="gb2312"?>\n<rss version="2.0"><channel>', "rss")])
def test_sniff_source(body: str, kind: str | None) -> None:
    assert sniff_source(fetched("http://x/", body)) == kind


# -- the whole reading ---------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [INDEX_LIST, INDEX_TABLE], ids=["list", "table"])
def test_discover_a_portal(index: str) -> None:
    d = discover(P + "/", fetcher(county(index)))
    assert d.problems == []
    units = {u.name: u for u in d.units}
    assert units["甲镇"].type == "乡镇" and units["甲镇"].platform == P + "/zwgk/a/"
    assert units["县工业园区管委会"].type is None and units["县工业园区管委会"].todo
    assert units["县政府办公室"].source.startswith("开办主体")     # from the account table
    sites = {s.id: s for s in d.sites}
    assert sites["portal"].unit == "县政府办公室" and sites["portal"].start_urls == [P + "/zwgk/"]
    assert sites["fgj"].start_urls == ["http://fgj.county.gov.cn/xxgk/"]
    assert "shop" not in sites                          # neither under the domain nor named like a unit
    assert sites["school"].todo                         # off the domain: kept, with a TODO
    # a platform on a host of its own: a site for it, the entry as a start URL
    assert sites["zrj"].unit == "县自然资源局"
    assert sites["zrj"].start_urls == ["http://zrj.county.gov.cn/col/col30/index.html"]
    accounts = {a.name: a for a in d.accounts}
    assert (accounts["某某发布"].source, accounts["某某发布"].platform) == ("rss", "微信公众号")
    assert accounts["某某教育"].source == "jsonfeed" and accounts["某某教育"].platform == "今日头条"
    assert accounts["甲镇发布"].source == "html"
    assert accounts["甲镇发布"].selectors == {"item": "//tr", "contains": "甲镇发布", "date": "./td[3]"}
    assert accounts["甲镇发布"].url.endswith("#c")
    assert accounts["乙乡快手"].source == "manual" and accounts["乙乡快手"].last_post == date(2026, 11, 2)
    assert not accounts["乙乡抖音"].usable              # no link, no date: commented out
    assert not accounts["旧号"].active
    assert not accounts["某某论坛"].usable and accounts["某某论坛"].platform is None
    assert accounts["甲镇头条"].source == "rss" and "captcha" in accounts["甲镇头条"].todo[0]


def test_not_a_portal() -> None:
    site = Site({"http://www.shop.com/": "<html><head><title>网上商城</title></head><body><a href='/a'>购物车</a></body></html>"})
    with pytest.raises(NotAPortal, match="不像政府门户网站首页"):
        discover("http://www.shop.com/", fetcher(site))


def test_unreachable_url_is_not_a_portal() -> None:
    site = Site({P + "/": fetched(P + "/", b"", None, MediaOutcome.UNREACHABLE)})
    with pytest.raises(NotAPortal, match="无法访问"):
        discover(P + "/", fetcher(site))


def test_homepage_behind_a_waf_says_so_and_keeps_what_is_known() -> None:
    site = Site({P + "/": fetched(P + "/", "<h1>访问被拒绝</h1>", 403, MediaOutcome.BLOCKED)})
    d = discover(P + "/", fetcher(site))
    assert any("防火墙" in p for p in d.problems)
    assert [s.url for s in d.sites] == [P + "/"] and d.sites[0].todo


def test_captcha_homepage_is_a_waf_page() -> None:
    d = discover(P + "/", fetcher(Site({P + "/": CAPTCHA})))
    assert any("WAF" in p for p in d.problems)


def test_unreadable_platform_index_is_reported_and_the_rest_kept() -> None:
    d = discover(P + "/", fetcher(county(index="<html><body><p>系统维护中</p></body></html>")))
    assert any("平台索引无法读取" in p for p in d.problems)
    assert d.sites and any(a.name == "某某发布" for a in d.accounts)


def test_index_behind_a_waf() -> None:
    blocked = fetched(P + "/zwgk/", "<h1>403</h1>", 403, MediaOutcome.BLOCKED)
    d = discover(P + "/", fetcher(county(**{P + "/zwgk/": blocked})))
    assert any("平台索引无法读取" in p and "防火墙" in p for p in d.problems)


def test_request_budget_bounds_the_reading() -> None:
    site = county()
    d = discover(P + "/", fetcher(site, max_requests=3))
    assert d.requests == 3 and len(site.asked) == 3


def test_private_addresses_refused_unless_allowed() -> None:
    site = county()
    f = PoliteFetcher(delay=0, allow_private=False, fetch_fn=site)
    with pytest.raises(NotAPortal):
        discover("http://127.0.0.1/", f)
    assert site.asked == []


@pytest.mark.parametrize("pages", ["waf", "county"])
def test_what_is_written_loads_as_config(pages: str, tmp_path) -> None:
    from commands.common import load_config
    from commands.discover import render_config

    site = (Site({P + "/": fetched(P + "/", "<h1>拦截</h1>", 403, MediaOutcome.BLOCKED)}) if pages == "waf"
            else county())
    text = render_config(discover(P + "/", fetcher(site)), "", date(2026, 12, 1))
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.sites and all(config.unit(s.unit) for s in config.sites)
    assert "# TODO" in text
    if pages == "county":
        assert "# [[accounts]]" in text          # the account without a source, commented out
        assert config.unit("甲镇").platform == P + "/zwgk/a/"


def test_robots_txt_is_obeyed() -> None:
    site = county(**{P + "/robots.txt": "User-agent: *\nDisallow: /xmt/\n"})
    d = discover(P + "/", fetcher(site, obey_robots=True))
    assert P + "/xmt/" not in site.asked and any("政务新媒体" in p for p in d.problems)
    assert site.asked.count(P + "/robots.txt") == 1


@pytest.mark.parametrize("body", [
    b"", b"\x00\xff\xfe garbage \x89PNG", "<html><body><a href='http://[::1'>县发改局</a>".encode(),
    ("<html><body><h3>部门网站</h3><a href='http://[x/'>县民政局</a><a href='/zwgk/'>政府信息公开</a>"
     "<table><tr></tr><tr><td></td></tr></table></body></html>").encode(),
    ("<div>" * 2000 + "<a href='/zwgk/'>政府信息公开</a>").encode(), "<?xml version='1.0'?><rss/>".encode()])
def test_bad_pages_never_crash(body: bytes) -> None:
    site = Site({P + "/": fetched(P + "/", body), P + "/zwgk/": fetched(P + "/zwgk/", body),
                 P + "/xmt/": fetched(P + "/xmt/", body)})
    try:
        d = discover(P + "/", fetcher(site))
    except NotAPortal:
        return
    assert d.sites
