"""zwgk.store.content: the content observations round-trip; hashes of complete reads; weekly targets."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from zwgk.records.content import (AttachmentOutcome, AttachmentScan, ExternalPageObs, HiddenLinkObs,
                                  PersonalDataObs, PersonalKind, PhraseObs)
from zwgk.store import Store
from zwgk.store import content

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def test_round_trip_and_reuse_queries(tmp_path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        run = store.start_run("crawl", date(2026, 11, 20))
        pd = PersonalDataObs(run, "s", "http://h/a.xlsx", PersonalKind.ID_CARD, "622927********0411", "名单!C2", True,
                             "http://h/p.html", "表头“身份证号”", False, T0)
        scan = AttachmentScan(run, "s", "http://h/a.xlsx", "http://h/p.html", "ab" * 32, "xlsx", 5000,
                              AttachmentOutcome.READ, None, 0.1, T0)
        items = [pd, scan, HiddenLinkObs(run, "s", "http://h/", "http://x/", "x", "display:none", T0),
                 PhraseObs(run, "s", "http://h/n.html", "serious_errors", "中华人名共和国", "正文第3字", "…", T0),
                 ExternalPageObs(run, "s", "http://x/", 200, ("gambling",), ("百家乐",), "娱乐", T0),
                 ExternalPageObs(run, "s", "http://old/", 200, (), (), None, T0 - timedelta(days=9))]
        content.add(store, items)
        loaded = content.load(store, run)
        assert loaded["personal_data"] == (pd,) and loaded["attachment_scans"] == (scan,)
        assert len(loaded["hidden_links"]) == len(loaded["phrases"]) == 1 and len(loaded["external_pages"]) == 2
        assert content.read_hashes(store) == {}                 # the run is not complete yet
        store.finish_run(run, "complete")
        assert content.read_hashes(store) == {"ab" * 32: (run, "http://h/a.xlsx")}
        recent = content.recent_external_pages(store, T0 - timedelta(days=7), run + 1)
        assert set(recent) == {"http://x/"}                     # the 9-day-old one is fetched again
        assert content.by_url(store, run)["http://h/a.xlsx"] == [pd, scan]
