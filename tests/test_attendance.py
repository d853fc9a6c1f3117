"""Rule 4 at one activity: who is expected on its date, six statuses, saved in one transaction;
and a member's year with their running count of not taking part (rule 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import UserError
from app.models import Activity, AnnualPlan, Attendance, AttendeePresence, Member, vocab
from app.services.attendance import (
    expected_members_for,
    load_sheet,
    mark_all_present,
    member_year,
    save_attendance,
)
from app.services.branch import BranchSettings, save_branch
from app.services.roster import AttendeeInput, save_attendee


def _activity(day: dt.date, held: bool = True) -> Activity:
    plan, _ = AnnualPlan.get_or_create(year=day.year)
    return Activity.create(plan=plan, plan_date=day, held_date=day if held else None, theme="学习")


@pytest.fixture
def roll(branch):
    return {
        "old": Member.create(name="老党员"),
        "left": Member.create(name="转出者", left_date=dt.date(2026, 3, 1), left_reason="转出"),
        "new": Member.create(name="新转入", roll_start=dt.date(2026, 3, 1)),
        "late": Member.create(name="晚转入", roll_start=dt.date(2026, 3, 6)),
        "dies_that_day": Member.create(
            name="当日去世", left_date=dt.date(2026, 3, 5), left_reason="去世"
        ),
    }


def test_expected_excludes_who_left_before_and_includes_who_joined_before(roll):
    march = _activity(dt.date(2026, 3, 5))
    names = [m.name for m in expected_members_for(march.id)]
    assert names == ["老党员", "新转入"]
    # an activity not yet held: the plan date decides
    feb = _activity(dt.date(2026, 2, 5), held=False)
    assert [m.name for m in expected_members_for(feb.id)] == ["老党员", "转出者", "当日去世"]


def test_six_statuses_are_saved_together_and_only_four_count_as_taking_part(branch):
    members = [Member.create(name=f"党员{i}") for i in range(6)]
    act = _activity(dt.date(2026, 4, 8))
    guest = save_attendee(AttendeeInput(name="小王", kind="团员青年"))
    statuses = {
        m.id: (status, "外出务工" if status == vocab.LEAVE else "")
        for m, status in zip(members, vocab.ATTENDANCE_STATUSES, strict=True)
    }
    save_attendance(act.id, statuses, [guest.id])
    sheet = load_sheet(act.id)
    assert (sheet.expected, sheet.took_part) == (6, 4)
    assert [m.status for m in sheet.members] == list(vocab.ATTENDANCE_STATUSES)
    assert Attendance.get(Attendance.status == vocab.LEAVE).reason == "外出务工"
    assert [a.name for a in sheet.attendees if a.present] == ["小王"]

    # the guest is listed apart and never counted; un-ticking removes the presence
    save_attendance(act.id, {members[0].id: vocab.ABSENT}, [])
    assert Attendance.select().where(Attendance.activity == act).count() == 1
    assert AttendeePresence.select().count() == 0


def test_a_member_not_on_the_roll_that_day_cannot_be_marked_and_nothing_is_written(roll):
    act = _activity(dt.date(2026, 3, 5))
    with pytest.raises(UserError) as err:
        save_attendance(act.id, {roll["old"].id: vocab.PRESENT, roll["left"].id: vocab.PRESENT}, [])
    assert "转出者" in err.value.message and "不在花名册上" in err.value.message
    assert Attendance.select().count() == 0
    with pytest.raises(UserError):
        save_attendance(act.id, {roll["old"].id: ("到了", "")})


def test_mark_all_present_keeps_exceptions_already_marked(roll):
    act = _activity(dt.date(2026, 3, 5))
    save_attendance(act.id, {roll["new"].id: (vocab.LEAVE, "住院")})
    assert mark_all_present(act.id) == 1
    got = {r.member.name: (r.status, r.reason) for r in Attendance.select()}
    assert got == {"老党员": (vocab.PRESENT, ""), "新转入": (vocab.LEAVE, "住院")}


def test_member_year_runs_the_count_of_not_taking_part(branch):
    m = Member.create(name="李明", roll_start=dt.date(2026, 2, 1))
    days = [dt.date(2026, month, 5) for month in range(1, 8)]
    acts = [_activity(d, held=d.month < 7) for d in days]
    marks = [None, vocab.ABSENT, vocab.LEAVE, vocab.PRESENT, vocab.ABSENT, vocab.ONLINE]
    for act, status in zip(acts[1:6], marks[1:], strict=True):
        save_attendance(act.id, {m.id: (status, "")})
    year = member_year(m.id, 2026)
    assert [r.shown_status for r in year.rows] == [
        "不在册",
        "缺席",
        "请假",
        "出席",
        "缺席",
        "线上参加",
        "未开展",
    ]
    assert [r.running_count for r in year.rows] == [0, 1, 2, 2, 3, 3, 3]
    assert (year.expected, year.took_part, year.absent, year.leave) == (5, 2, 2, 1)

    save_branch(BranchSettings(name="中共青山村支部委员会", leave_counts_as_absent=False))
    assert member_year(m.id, 2026).not_taking_part == 2  # 请假 excused by the branch setting
