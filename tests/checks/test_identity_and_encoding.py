"""SID001 site identity, SID002 domain name, ENC001 encoding, LAG004 missing publication date."""
from dataclasses import replace

from checks import domain_name, encoding, missing_pub_date, site_identity
from tests.checks.factory import BASE, ctx, doc, obs, page
from zwgk.records import Site, Unit

FOOTER = "主办：积石山县人民政府办公室 网站标识码：6229270001 陇ICP备05000123号-1 甘公网安备 62292702000001号"
CONAC = ("http://bszs.conac.cn/sitename?method=show&id=1",)


def home(footer=FOOTER, badges=CONAC, code="6229270001"):
    return replace(page("/", kind="home"), footer_text=footer, badge_links=badges, site_id_code=code)


def run_sid001(p):
    return list(site_identity.check(obs(pages=(p,)), dict(site_identity.DEFAULTS), ctx()))


def test_sid001_complete_identity_passes():
    assert run_sid001(home()) == []


def test_sid001_missing_icp_and_badge():
    [f] = run_sid001(home(footer=FOOTER.replace("陇ICP备05000123号-1", ""), badges=()))
    assert f.evidence["missing"] == ["ICP备案号", "党政机关网站标识"]


def test_sid001_meta_code_differs_from_footer():
    [f] = run_sid001(home(code="6229270009"))
    assert "不一致" in f.message and f.evidence["footer_code"] == "6229270001"


def run_sid002(*sites, **conf):
    o = replace(obs(), sites=sites, units=(Unit("县政府办公室", "部门"),))
    return list(domain_name.check(o, {**domain_name.DEFAULTS, **conf}, ctx()))


def test_sid002_department_under_the_portal_passes():
    assert run_sid002(Site("portal", "门户", "https://www.jss.gov.cn/", "县政府办公室"),
                      Site("fgj", "发改局", "https://fgj.jss.gov.cn/", "县政府办公室")) == []


def test_sid002_non_gov_and_foreign_domains_fail():
    found = run_sid002(Site("portal", "门户", "https://www.jss.gov.cn/", "县政府办公室"),
                       Site("school", "一中", "https://www.jssyz.com/", "县政府办公室"),
                       Site("other", "他县", "https://fgj.linxia.gov.cn/", "县政府办公室"))
    assert [(f.site, "不以" in f.message) for f in found] == [("school", True), ("other", False)]


def test_enc001_lying_header_is_a_notice_honest_gbk_passes():
    honest = replace(page("/a.html"), encoding="gb18030")
    lying = replace(page("/b.html"), encoding="gb18030", charset_mismatch=True)
    assert list(encoding.check(obs(pages=(honest,)), dict(encoding.DEFAULTS), ctx())) == []
    [f] = encoding.check(obs(pages=(honest, lying)), dict(encoding.DEFAULTS), ctx())
    assert f.rule == "ENC001" and f.url == BASE + "/b.html" and f.severity.value == "notice"


def test_enc001_mojibake_without_a_header_conflict():
    garbled = replace(page("/c.html"), replacement_chars=40)
    assert len(list(encoding.check(obs(pages=(garbled,)), dict(encoding.DEFAULTS), ctx()))) == 1


def test_lag004_no_date_anywhere_fails_list_date_passes():
    undated = doc(pub_date=None, table=False)
    [f] = missing_pub_date.check(obs(documents=(undated,)), {}, ctx())
    assert f.rule == "LAG004"
    from datetime import date
    listed = replace(undated, list_date=date(2026, 10, 8))
    assert list(missing_pub_date.check(obs(documents=(listed,)), {}, ctx())) == []
