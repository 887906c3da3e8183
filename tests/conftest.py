from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from testbed.server import Testbed

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    """The simulated county on loopback (HTTP + DNS), fixed seed and date."""
    with Testbed(seed=7, as_of=AS_OF) as tb:
        yield tb


@pytest.fixture(scope="session")
def testbed_config(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config, _ = testbed.write(tmp_path_factory.mktemp("testbed"))
    return config
