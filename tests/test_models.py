"""The database refuses what a township tool would reject: every model constraint, for real."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from app import models
from tests.record_helpers import attachment_row

D = dt.date


@pytest.fixture
def activity(branch):
    plan = models.AnnualPlan.create(year=2026)
    return models.Activity.create(plan=plan, plan_date=D(2026, 3, 5), theme="学习党章")


def rejected(fn) -> None:
    """The write fails with an integrity error and leaves nothing behind."""
    with pytest.raises(pw.IntegrityError):
        with models.DB.atomic():
            fn()


def test_database_is_durable_and_checks_foreign_keys(data_dir):
    assert models.DB.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert models.DB.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert models.DB.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_branch_needs_a_name_and_a_known_activity_day(data_dir):
    rejected(lambda: models.Branch.create(name="  "))
    rejected(lambda: models.Branch.create(name="支部", activity_day_mode="15"))
    rejected(lambda: models.Branch.create(name="支部", activity_day_mode="custom", custom_day=32))
    b = models.Branch.create(name="支部", activity_day_mode="custom", custom_day=31)
    assert b.leave_counts_as_absent is True  # rule 8: the seed does not excuse leave
    assert b.plan_deadline == "03-25"  # rule 6


def test_member_words_and_dates_are_checked(data_dir):
    rejected(lambda: models.Member.create(name=""))
    rejected(lambda: models.Member.create(name="张三", category="党员"))
    rejected(lambda: models.Member.create(name="张三", gender="M"))
    rejected(
        lambda: models.Member.create(
            name="张三", birth_date=D(2000, 1, 1), joined_party_date=D(1999, 1, 1)
        )
    )
    ok = models.Member.create(
        name="张三", category="预备党员", birth_date=D(2000, 1, 1), joined_party_date=D(2024, 7, 1)
    )
    assert ok.category == "预备党员"


def test_leaving_the_roll_needs_both_date_and_one_of_the_three_reasons(data_dir):
    m = models.Member.create(name="李四", roll_start=D(2020, 1, 1))
    m.left_date = D(2026, 5, 1)
    rejected(m.save)  # a date without a reason
    m.left_reason = "退休"
    rejected(m.save)  # not one of 转出/去世/其他
    m.left_reason = "转出"
    m.save()
    m.left_date = D(2019, 1, 1)
    rejected(m.save)  # left before joining the roll
    for reason in ("去世", "其他"):
        m2 = models.Member.create(name="王五" + reason, left_date=D(2026, 1, 1), left_reason=reason)
        assert m2.left_reason == reason


def test_invited_non_members_have_one_of_the_four_kinds(data_dir):
    for kind in ("入党积极分子", "发展对象", "团员青年", "群众代表"):
        models.Attendee.create(name="甲" + kind, kind=kind)
    rejected(lambda: models.Attendee.create(name="乙", kind="预备党员"))


def test_plan_is_unique_per_year_and_filed_needs_a_date(data_dir):
    models.AnnualPlan.create(year=2026)
    rejected(lambda: models.AnnualPlan.create(year=2026))
    rejected(lambda: models.AnnualPlan.create(year=2027, status="已报送"))
    rejected(lambda: models.AnnualPlan.create(year=2028, status="已审核", filed_date=D(2028, 3, 1)))
    models.AnnualPlan.create(year=2027, status="已报送", filed_date=D(2027, 3, 1))


def test_activity_mode_times_cost_and_submission_are_checked(activity):
    activity.mode = "电话"
    rejected(activity.save)
    activity.mode = "线上线下"
    activity.start_time, activity.end_time = dt.time(11, 0), dt.time(9, 0)
    rejected(activity.save)
    activity.start_time = dt.time(8, 30)
    activity.cost = -1
    rejected(activity.save)
    activity.cost = 0
    activity.submitted_date = D(2026, 3, 6)
    rejected(activity.save)  # 报送 before it was held makes no sense
    activity.held_date = D(2026, 3, 5)
    activity.categories = ["学习教育", "联系服务群众"]
    activity.save()
    again = models.Activity.get_by_id(activity.id)
    assert again.categories == ["学习教育", "联系服务群众"]
    assert (again.start_time, again.end_time) == (dt.time(8, 30), dt.time(9, 0))


def test_attendance_is_one_of_six_statuses_once_per_member(activity):
    m = models.Member.create(name="赵六")
    for status in ("出席", "线上参加", "流入地参加", "适当方式参加", "请假", "缺席"):
        with models.DB.atomic() as tx:
            models.Attendance.create(activity=activity, member=m, status=status)
            tx.rollback()
    rejected(lambda: models.Attendance.create(activity=activity, member=m, status="迟到"))
    models.Attendance.create(activity=activity, member=m, status="出席")
    rejected(lambda: models.Attendance.create(activity=activity, member=m, status="缺席"))


def test_member_with_attendance_cannot_be_deleted_history_is_kept(activity):
    m = models.Member.create(name="钱七")
    models.Attendance.create(activity=activity, member=m, status="出席")
    rejected(lambda: m.delete_instance())
    rejected(lambda: models.AnnualPlan.get().delete_instance())  # a plan with activities stays too
    assert models.Attendance.select().count() == 1


def test_deleting_an_activity_takes_its_attendance_presence_and_attachments(activity):
    m = models.Member.create(name="孙八")
    a = models.Attendee.create(name="周九", kind="群众代表")
    models.Attendance.create(activity=activity, member=m, status="缺席")
    models.AttendeePresence.create(activity=activity, attendee=a)
    attachment_row(activity)
    rejected(
        lambda: attachment_row(activity, kind="视频", stored_path="x/2", original_name="2", bytes=1)
    )
    rejected(
        lambda: attachment_row(
            activity, stored_path="x/3", sha256="abc", original_name="3", bytes=1
        )
    )
    rejected(lambda: models.AttendeePresence.create(activity=activity, attendee=a))
    activity.delete_instance()
    assert (
        models.Attendance.select().count(),
        models.AttendeePresence.select().count(),
        models.Attachment.select().count(),
    ) == (0, 0, 0)
    assert models.Member.select().count() == 1


def test_talk_reminder_state_is_pending_or_corrected(branch):
    m = models.Member.create(name="吴十")
    t = models.TalkReminder.create(
        member=m, year=2026, talk_date=D(2026, 6, 1), deadline=D(2026, 7, 1)
    )
    assert t.state == "待整改"
    rejected(
        lambda: models.TalkReminder.create(
            member=m, year=2026, talk_date=D(2026, 6, 1), state="已谈话"
        )
    )
