"""Every test runs against a real SQLite file in a temp folder; Qt runs offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import datetime as dt  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.models import close_database, open_database  # noqa: E402
from app.paths import database_path  # noqa: E402
from app.services.branch import BranchSettings, save_branch  # noqa: E402
from tests.windows import windows  # noqa: E402,F401  (the Windows-semantics fixture)

DEMO_YEAR = 2026
# The demo fills months before "today"; tests pin today so the demo is the same on any day.
DEMO_TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty data dir with its database open."""
    d = tmp_path / "data"
    monkeypatch.setenv("DANGRI_DATA_DIR", str(d))
    open_database(database_path(d))
    yield d
    close_database()


@pytest.fixture
def branch(data_dir: Path):
    return save_branch(
        BranchSettings(
            name="中共青山村支部委员会",
            superior_org="中共青山镇委员会",
            secretary="王建国",
            form_title_prefix="池州市",
        )
    )


@pytest.fixture
def demo(data_dir: Path):
    """The demo branch for DEMO_YEAR, with activities held up to DEMO_TODAY."""
    from app.services.demo import create_demo

    create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
    return data_dir
