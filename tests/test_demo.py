"""`demo` makes the believable branch the foundation issue promises, and only in an empty dir."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter

import pytest

from app import models
from app.errors import UserError
from app.models import vocab
from app.services.attendance import counts_as_not_taking_part, is_on_roll
from app.services.demo import create_demo
from tests.conftest import DEMO_TODAY, DEMO_YEAR


def test_demo_has_about_thirty_members_covering_every_special_case(demo):
    members = list(models.Member.select())
    assert 28 <= len(members) <= 35
    assert {m.category for m in members} == {"正式党员", "预备党员"}
    assert any(m.is_mobile and m.inflow_org for m in members)  # may attend at the 流入地党组织
    assert any(m.is_mobile and not m.inflow_org for m in members)  # remote only
    assert sum(m.is_frail for m in members) >= 2
    assert sum(m.is_leader for m in members) >= 1
    left = [m for m in members if m.left_date]
    assert len(left) == 2 and all(m.left_date.year == DEMO_YEAR for m in left)
    assert {m.left_reason for m in left} <= set(vocab.LEAVE_REASONS)
    assert any(m.roll_start and m.roll_start.year == DEMO_YEAR for m in members)
    assert {a.kind for a in models.Attendee.select()} == set(vocab.ATTENDEE_KINDS)


def test_demo_plan_and_past_records_with_all_six_statuses(demo):
    plan = models.AnnualPlan.get(models.AnnualPlan.year == DEMO_YEAR)
    activities = list(plan.activities.order_by(models.Activity.plan_date))
    assert len(activities) == 12
    assert (plan.status, plan.filed_date) == ("已报送", dt.date(DEMO_YEAR, 3, 16))
    assert sorted({a.plan_date.month for a in activities}) == list(range(1, 13))
    held = [a for a in activities if a.held_date]
    assert held == [a for a in activities if a.plan_date < DEMO_TODAY]
    assert len(held) == 11
    for a in held:
        assert a.theme and a.place and a.content and a.categories
        rows = list(a.attendance)
        # Exactly the members on the roll that day have a status (rule 4).
        expected = {
            m.id
            for m in models.Member.select()
            if is_on_roll(m.roll_start, m.left_date, a.held_date)
        }
        assert {r.member_id for r in rows} == expected
    assert models.AttendeePresence.select().count() > 0
    statuses = Counter(r.status for r in models.Attendance.select())
    assert set(statuses) == set(vocab.ATTENDANCE_STATUSES)
    assert any(a.submitted_date is None for a in held)  # one still to be sent (overdue)
    photos = list(models.Attachment.select())
    assert len(photos) == 3 and all(p.kind == "照片" and p.activity.held_date for p in photos)
    assert all((demo / "attachments" / p.stored_path).stat().st_size == p.bytes for p in photos)


def test_demo_has_members_at_three_and_at_six_times_not_taking_part(demo):
    missed = Counter(
        r.member_id for r in models.Attendance.select() if counts_as_not_taking_part(r.status)
    )
    assert any(n >= 6 for n in missed.values())
    assert any(3 <= n < 6 for n in missed.values())


def test_demo_refuses_a_data_dir_that_has_data(demo):
    with pytest.raises(UserError, match="已有数据"):
        create_demo(demo, year=DEMO_YEAR)
    assert models.Member.select().count() < 40


def test_demo_and_refusal_through_the_command_line(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "demo", "--year", "2025"]
    first = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert "演示党支部" in first.stdout and "2025 年计划 12 次活动" in first.stdout
    second = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120
    )
    assert second.returncode == 2
    assert "已有数据" in second.stderr and "Traceback" not in second.stderr
    # A reader that stops early (`stats --json | more`, then q) gets no traceback from us.
    reader = subprocess.Popen(
        [*cmd[:5], "stats", "--year", "2025", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    reader.stdout.close()
    err = reader.stderr.read().decode("utf-8")
    assert reader.wait(timeout=120) == 141 and "Traceback" not in err
