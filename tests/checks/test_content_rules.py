"""PRV001 personal data, LNK005 hidden links, CNT001 serious errors: passing and failing records."""
from __future__ import annotations

from checks import hidden_links, personal_data, serious_errors
from tests.checks.factory import BASE, T0, ctx, obs
from zwgk.records import Severity
from zwgk.records.content import (AttachmentOutcome, AttachmentScan, HiddenLinkObs, PersonalDataObs,
                                  PersonalKind, PhraseObs)


def pd(kind=PersonalKind.ID_CARD, masked="622927********0411", url="/gsgg/dbgs.html", site_contact=False,
       attachment=False):
    return PersonalDataObs(1, "portal", BASE + url, kind, masked, "表格1 第2行 第3列", attachment,
                           BASE + "/gsgg/zzmd.html" if attachment else None, "表头“身份证号”", site_contact, T0)


def run_prv(*records, scans=(), **conf):
    c = ctx()
    return list(personal_data.check(obs(personal_data=records, attachment_scans=scans),
                                    {**personal_data.DEFAULTS, **conf}, c)), c


def test_prv001_unmasked_id_is_one_finding_per_page_with_masked_evidence_only():
    [f], _ = run_prv(pd(), pd(PersonalKind.MOBILE, "139****6789"))
    assert f.rule == "PRV001" and f.url == BASE + "/gsgg/dbgs.html" and f.severity is Severity.DEDUCTION
    assert f.evidence["counts"] == {"身份证号": 1, "手机号": 1, "银行卡号": 0}
    assert "622927********0411" in f.message and "表格1 第2行 第3列" in f.message


def test_prv001_nothing_recorded_passes():
    assert run_prv()[0] == []


def test_prv001_site_contact_and_configured_own_numbers_pass():
    findings, _ = run_prv(pd(PersonalKind.MOBILE, "139****2345", site_contact=True),
                          pd(PersonalKind.MOBILE, "139****8888", url="/lxfs.html"),
                          own_numbers=["139-9308-8888"])
    assert findings == []


def test_prv001_kinds_switch_off():
    assert run_prv(pd(PersonalKind.BANK_CARD, "6217***********5677"), kinds=["id_card", "mobile"])[0] == []


def test_prv001_attachment_finding_names_the_attachment_and_its_page():
    [f], _ = run_prv(pd(url="/uploads/名单.xlsx", attachment=True))
    assert f.url == BASE + "/uploads/名单.xlsx" and f.message.startswith("附件")
    assert f.evidence["source_page"] == BASE + "/gsgg/zzmd.html"


def test_prv001_unread_attachment_is_could_not_verify_not_a_finding():
    scan = AttachmentScan(1, "portal", BASE + "/u/big.pdf", None, None, "pdf", None, AttachmentOutcome.TOO_LARGE,
                          "over the cap", 0.0, T0)
    findings, c = run_prv(scans=(scan,))
    assert findings == [] and "big.pdf" in c.unverified_by_rule()["PRV001"][0]


def hl(target="http://bet.example.com/", text="澳门葡京赌场", how="display:none", url="/about.html"):
    return HiddenLinkObs(1, "portal", BASE + url, target, text, how, T0)


def run_lnk(*records, **conf):
    return list(hidden_links.check(obs(hidden_links=records), {**hidden_links.DEFAULTS, **conf}, ctx()))


def test_lnk005_hidden_gambling_link_is_a_veto():
    [f] = run_lnk(hl())
    assert f.severity is Severity.VETO and f.evidence["classes"] == ["gambling"]


def test_lnk005_other_hidden_external_link_is_a_deduction():
    [f] = run_lnk(hl(target="http://www.some-shop.com/", text="特价"))
    assert f.severity is Severity.DEDUCTION


def test_lnk005_hidden_menus_to_government_sites_and_central_media_pass():
    assert run_lnk(hl(target="http://www.gansu.gov.cn/", text="甘肃省人民政府"),
                   hl(target="http://www.hanweb.com", text="Produced By 大汉网络"),                # CMS credit
                   hl(target="http://121.43.68.40/exposure/jiucuo.html?url=http%3A%2F%2Fwww.x.gov.cn%2F"),  # 纠错
                   hl(target=f"http://sns.share.example/?url={BASE}/a.html", text="分享"),     # share button
                   hl(target="http://www.news.cn/politics/", text="新华网"),
                   hl(target=BASE + "/gsgg/", text="公示公告")) == []


def ph(phrase="社会主意核心价值观", url="/xwdt/n2.html"):
    return PhraseObs(1, "portal", BASE + url, "serious_errors", phrase, "正文第12字", "践行社会主意核心价值观", T0)


def run_cnt(*records, **conf):
    return list(serious_errors.check(obs(phrases=records), {**serious_errors.DEFAULTS, **conf}, ctx()))


def test_cnt001_listed_error_is_a_veto_with_the_correct_form_and_source():
    [f] = run_cnt(ph())
    assert f.severity is Severity.VETO
    assert f.evidence["errors"][0]["correct"] == "社会主义核心价值观" and f.evidence["errors"][0]["source"]


def test_cnt001_county_extra_entry_and_ignore():
    assert len(run_cnt(ph("积石山县人民政俯"), extra=["积石山县人民政俯"])) == 1
    assert run_cnt(ph("积石山县人民政俯")) == []            # not on any list
    assert run_cnt(ph(), ignore=["社会主意核心价值观"]) == []


def ext(url="http://bet.example.com/", classes=("gambling",), status=200):
    from zwgk.records.content import ExternalPageObs
    return ExternalPageObs(1, "portal", url, status, classes, ("百家乐",) if classes else (), "娱乐", T0)


def run_ext(*pages, links=(), **conf):
    from checks import external_content
    return list(external_content.check(obs(external_pages=pages, links=links),
                                       {**external_content.DEFAULTS, **conf}, ctx()))


def test_lnk006_external_target_with_gambling_is_a_finding_naming_the_linking_page():
    from zwgk.records import LinkObs
    link = LinkObs(1, "portal", BASE + "/yqlj.html", "http://bet.example.com/", "a", "旅游网", False)
    [f] = run_ext(ext(), links=(link,))
    assert f.url == "http://bet.example.com/" and f.evidence["linked_from"] == [BASE + "/yqlj.html"]


def test_lnk006_clean_unreachable_or_government_targets_pass():
    assert run_ext(ext(classes=()), ext("http://x.example/", status=None),
                   ext("http://www.gansu.gov.cn/")) == []


def home_text(text, classes=(), run=2, day=20):
    from datetime import datetime, timezone
    from zwgk.records.content import HomepageTextObs
    return HomepageTextObs(run, "portal", BASE + "/", text, classes, ("百家乐",) if classes else (),
                           datetime(2026, 11, day, tzinfo=timezone.utc))


NEWS = "积石山县人民政府首页工作动态我县召开农村人居环境整治推进会县政府召开常务会议政府信息公开" * 3


def run_sec(current, baseline=None, **conf):
    from checks import homepage_tampering
    c = ctx()
    o = obs(homepage_texts=(current,), homepage_baselines=(baseline,) if baseline else ())
    return list(homepage_tampering.check(o, {**homepage_tampering.DEFAULTS, **conf}, c)), c


def test_sec001_tampered_homepage_is_a_notice():
    [f], _ = run_sec(home_text("澳门葡京百家乐真人娱乐在线开户送彩金" * 5, ("gambling",)), home_text(NEWS, run=1, day=13))
    assert f.severity is Severity.NOTICE and f.evidence["change"] > 0.9


def test_sec001_small_change_or_no_such_words_pass_and_no_baseline_is_could_not_verify():
    assert run_sec(home_text(NEWS + "百家乐", ("gambling",)), home_text(NEWS, run=1))[0] == []
    assert run_sec(home_text("全新改版的门户网站" * 9), home_text(NEWS, run=1))[0] == []
    findings, c = run_sec(home_text("百家乐", ("gambling",)))
    assert findings == [] and c.unverified_by_rule()["SEC001"]


def test_a_degraded_check_judges_no_hidden_link_external_content_or_tampering():
    """Our network down (a degraded run): LNK005, LNK006 and SEC001 say 无法核验, like every link rule."""
    from dataclasses import replace as _replace

    from checks import external_content, hidden_links, homepage_tampering
    from checks.base import CheckContext, Observations
    from zwgk.workdays import WorkdayCalendar

    obs = _replace(Observations(run_id=1, sites=(), units=()), degraded=True)
    for module in (hidden_links, external_content, homepage_tampering):
        ctx = CheckContext(as_of=T0.date(), calendar=WorkdayCalendar())
        assert list(module.check(obs, dict(module.DEFAULTS), ctx)) == []
        assert module.ID in ctx.unverified_by_rule()
