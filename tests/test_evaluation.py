"""Rule 8 [四.2]: the 3- and 6-time thresholds and the 谈话提醒 with its deadline and follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import UserError
from app.models import Branch, Member, TalkReminder
from app.services.evaluation import (
    is_unqualified_basis,
    needs_talk_reminder,
    record_talk,
    set_leave_counts_as_absent,
    set_talk_state,
    talks_for_year,
)


def test_talk_reminder_from_three_and_unqualified_basis_from_six_times():
    assert [n for n in range(10) if needs_talk_reminder(n)] == [3, 4, 5, 6, 7, 8, 9]
    assert [n for n in range(10) if is_unqualified_basis(n)] == [6, 7, 8, 9]


def test_a_talk_is_recorded_with_its_deadline_and_followed_up_to_corrected(branch):
    member = Member.create(name="谢长顺")
    talk = record_talk(
        member.id,
        2026,
        dt.date(2026, 7, 10),
        "  王建国（支部书记）  ",
        "累计3次未参加党日活动，要求按时参加。",
        dt.date(2026, 8, 10),
    )
    row = TalkReminder.get_by_id(talk.talk_id)
    assert (row.member_id, row.year, row.talker, row.deadline, row.state) == (
        member.id,
        2026,
        "王建国（支部书记）",
        dt.date(2026, 8, 10),
        "待整改",
    )
    assert talk.is_past_deadline(dt.date(2026, 8, 11))
    assert not talk.is_past_deadline(dt.date(2026, 8, 10))

    done = set_talk_state(talk.talk_id, "已整改")
    assert TalkReminder.get_by_id(talk.talk_id).state == "已整改"
    assert done.corrected and not done.is_past_deadline(dt.date(2026, 12, 31))

    second = record_talk(member.id, 2026, dt.date(2026, 11, 2), "李秀英")
    record_talk(member.id, 2025, dt.date(2025, 12, 1), "王建国")
    talks = talks_for_year(2026)
    assert [t.talk_id for t in talks[member.id]] == [talk.talk_id, second.talk_id]


@pytest.mark.parametrize(
    ("talker", "talk_date", "deadline", "field"),
    [
        ("  ", dt.date(2026, 7, 10), None, "talker"),
        ("王建国", dt.date(2025, 12, 30), None, "talk_date"),
        ("王建国", dt.date(2026, 7, 10), dt.date(2026, 7, 9), "deadline"),
    ],
)
def test_a_talk_without_talker_or_with_impossible_dates_is_refused(
    branch, talker, talk_date, deadline, field
):
    member = Member.create(name="马俊杰")
    with pytest.raises(UserError) as err:
        record_talk(member.id, 2026, talk_date, talker, "", deadline)
    assert err.value.field == field
    assert TalkReminder.select().count() == 0


def test_unknown_talk_state_or_member_is_refused(branch):
    with pytest.raises(UserError):
        record_talk(999, 2026, dt.date(2026, 7, 1), "王建国")
    member = Member.create(name="罗红霞")
    talk = record_talk(member.id, 2026, dt.date(2026, 7, 1), "王建国")
    with pytest.raises(UserError):
        set_talk_state(talk.talk_id, "已处分")
    assert TalkReminder.get_by_id(talk.talk_id).state == "待整改"


def test_leave_setting_is_stored_on_the_branch(branch):
    assert Branch.get().leave_counts_as_absent is True
    set_leave_counts_as_absent(False)
    assert Branch.get().leave_counts_as_absent is False
