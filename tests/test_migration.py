"""Opening a version-1 ledger steps it to the current schema, after writing a backup copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import UserError
from app.models import SCHEMA_VERSION, Activity, Branch, Member, close_database, open_database
from app.models.db import schema_version

FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.sql"


def make_v1_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(FIXTURE.read_text(encoding="utf-8"))
    con.execute(
        "INSERT INTO branch (name, superior_org, secretary, activity_day_mode, custom_day,"
        " leave_counts_as_absent, form_title_prefix, created_at)"
        " VALUES ('中共老村支部委员会', '', '', '10', NULL, 0, '池州市', '2025-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO member (name, category, phone, is_mobile, mobile_location, inflow_org, is_frail,"
        " is_leader, left_note, note, created_at) VALUES ('老党员', '正式党员', '', 0, '', '', 1, 0, '', '', '2025-01-01')"
    )
    con.execute("INSERT INTO annual_plan (year, status, note) VALUES (2025, '草稿', '')")
    con.execute(
        "INSERT INTO activity (plan_id, plan_date, planned_content, theme, place, place_type, mode,"
        " partner_org, categories, content, created_at, updated_at)"
        " VALUES (1, '2025-01-10', '', '学习', '', '', '线下', '', '[\"学习教育\"]', '', '2025', '2025')"
    )
    con.commit()
    con.close()


def test_version_1_file_migrates_to_current_keeping_data_with_backup_first(tmp_path):
    db_file = tmp_path / "dangri.sqlite3"
    make_v1_database(db_file)
    backups = tmp_path / "backups"

    open_database(db_file, backup_dir=backups)
    try:
        assert schema_version() == SCHEMA_VERSION >= 2
        branch = Branch.get()
        assert (branch.name, branch.activity_day_mode, branch.leave_counts_as_absent) == (
            "中共老村支部委员会",
            "10",
            False,
        )
        assert branch.plan_deadline == "03-25"  # the column added by step 2, with its default
        activity = Activity.get()
        assert activity.holidays_unverified is False and activity.categories == ["学习教育"]
        assert Member.get().is_frail is True
    finally:
        close_database()

    (copy,) = list(backups.glob("*.sqlite3"))
    assert "v1" in copy.name
    con = sqlite3.connect(copy)
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
        assert con.execute("SELECT name FROM branch").fetchone()[0] == "中共老村支部委员会"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()

    # Opening again does not migrate (nor back up) a second time.
    open_database(db_file, backup_dir=backups)
    close_database()
    assert len(list(backups.glob("*.sqlite3"))) == 1


def test_a_file_from_a_newer_program_is_refused_not_touched(tmp_path):
    db_file = tmp_path / "dangri.sqlite3"
    open_database(db_file)
    close_database()
    con = sqlite3.connect(db_file)
    con.execute("INSERT INTO schema_version (version, changed_at) VALUES (99, '2030-01-01')")
    con.commit()
    con.close()
    with pytest.raises(UserError, match="更新版本"):
        open_database(db_file)
