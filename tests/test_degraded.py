"""Our own network down: no NET, LNK or AVL finding, the runs are marked degraded, nothing resolved."""
from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest

from tests.conftest import AS_OF
from commands import steps as pipeline
from commands.common import load_config
from zwgk.store import Store
from testbed.server import Testbed


def fast_config(tb: Testbed, directory: Path) -> Path:
    """The testbed's config with a short DNS timeout: a silent resolver is what is tested."""
    config_file, _ = tb.write(directory)
    text = config_file.read_text(encoding="utf-8").replace("dns_timeout = 2", "dns_timeout = 0.3")
    config_file.write_text(text.replace("[probes]\ntimeout = 15", "[probes]\ntimeout = 3"), encoding="utf-8")
    return config_file


def test_dns_server_stopped(tmp_path: Path) -> None:
    with Testbed(seed=11, as_of=AS_OF) as tb:
        config = load_config(fast_config(tb, tmp_path))
        good = pipeline.crawl(config, AS_OF, quiet=True)
        assert good.status == "complete"
        first = pipeline.check(config, AS_OF)
        assert first.status == "complete"
        with Store(config.database) as store:
            before = {f.key() for f in store.findings(first.run_id)}
        assert any(k[0].startswith("LNK") for k in before)

        tb.dns.stop()                      # our resolver is gone: every name fails to resolve
        bad = pipeline.crawl(config, AS_OF, quiet=True, fresh=True)
        assert bad.status == "degraded" and "our own network" in bad.errors[0]
        observed = pipeline.observe(config, AS_OF, now=datetime.combine(AS_OF, time(13), timezone.utc))
        assert observed.counts.get("probes", 0) > 0
        second = pipeline.check(config, AS_OF)
        report = pipeline.report(config, AS_OF, tmp_path / "report")

    assert second.status == "degraded" and second.errors
    with Store(config.database) as store:
        findings = store.findings(second.run_id)
        assert store.run(bad.run_id).status == "degraded"
        assert store.run(second.run_id).summary["degraded"]
        assert store.latest_run("check").id == first.run_id     # the degraded check is not the latest complete
    assert not [f for f in findings if f.rule[:3] in ("NET", "LNK", "AVL")]
    html = Path(report.outputs["html"]).read_text(encoding="utf-8")
    assert "因监测端网络异常被标记为降级" in html
    # The report is still the last complete inspection: nothing looks resolved.
    assert report.run_id == first.run_id and "已整改" not in html


def test_first_ever_crawl_degraded_says_why(tmp_path: Path) -> None:
    with Testbed(seed=12, as_of=AS_OF) as tb:
        config = load_config(fast_config(tb, tmp_path))
        tb.dns.stop()
        bad = pipeline.crawl(config, AS_OF, quiet=True)
    assert bad.status == "degraded"
    with pytest.raises(pipeline.PipelineError, match="was degraded"):
        pipeline.check(config, AS_OF)
