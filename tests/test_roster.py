"""The 花名册 (rule 3): members with their flags, validation in Chinese, leaving the roll."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import UserError
from app.models import Activity, AnnualPlan, Attendance, Member, TrashItem, vocab
from app.services.attendance import expected_members_for
from app.services.roster import (
    ROLL_LEFT,
    ROLL_ON,
    AttendeeInput,
    MemberInput,
    RosterFilter,
    create_member,
    delete_attendee,
    delete_member,
    duplicate_warning,
    leave_roll,
    list_members,
    parse_date,
    return_to_roll,
    roster_counts,
    save_attendee,
    update_member,
)

TODAY = dt.date(2026, 11, 25)


def test_dates_are_read_as_rosters_write_them():
    assert parse_date("2019-07-01") == dt.date(2019, 7, 1)
    assert parse_date("2019/7/1") == dt.date(2019, 7, 1)
    assert parse_date("2019.07") == dt.date(2019, 7, 1)
    assert parse_date("2019年7月1日") == dt.date(2019, 7, 1)
    assert parse_date("20190701") == dt.date(2019, 7, 1)
    assert parse_date(43647) == dt.date(2019, 7, 1)  # an Excel serial
    assert parse_date(dt.datetime(2019, 7, 1, 0, 0)) == dt.date(2019, 7, 1)
    assert parse_date("  ") is None
    for bad in ("2019-13-01", "去年", "19.7.1"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_member_needs_a_name_and_dates_in_the_past_and_in_order(branch):
    with pytest.raises(UserError) as err:
        create_member(MemberInput(name="  "), today=TODAY)
    assert err.value.field == "name" and "姓名" in err.value.message
    with pytest.raises(UserError) as err:
        create_member(MemberInput(name="李四", birth_date=dt.date(2027, 1, 1)), today=TODAY)
    assert err.value.field == "birth_date" and "不能晚于今天" in err.value.message
    with pytest.raises(UserError) as err:
        create_member(
            MemberInput(
                name="李四", birth_date=dt.date(1980, 1, 1), joined_party_date=dt.date(1979, 1, 1)
            ),
            today=TODAY,
        )
    assert err.value.field == "joined_party_date" and "晚于出生日期" in err.value.message
    assert Member.select().count() == 0

    m = create_member(
        MemberInput(
            name="张 三",
            gender="男",
            birth_date=dt.date(1950, 3, 2),
            joined_party_date=dt.date(1975, 7, 1),
            is_mobile=True,
            mobile_location="江苏省苏州市",
            inflow_org="苏州工业园区某某社区党委",
            is_frail=True,
        ),
        today=TODAY,
    )
    stored = Member.get_by_id(m.id)
    assert stored.name == "张三"  # inner space of a copied name removed
    assert stored.is_mobile and stored.is_frail and not stored.is_leader
    assert stored.inflow_org == "苏州工业园区某某社区党委"


def test_same_name_and_birth_date_is_warned_not_refused(branch):
    first = create_member(MemberInput(name="王芳", birth_date=dt.date(1990, 5, 1)), today=TODAY)
    warning = duplicate_warning("王芳", dt.date(1990, 5, 1))
    assert "已有“王芳”" in warning and "再次点击" in warning
    assert duplicate_warning("王芳", dt.date(1991, 5, 1)) == ""
    assert duplicate_warning("王芳", dt.date(1990, 5, 1), exclude_id=first.id) == ""
    create_member(MemberInput(name="王芳", birth_date=dt.date(1990, 5, 1)), today=TODAY)
    assert Member.select().where(Member.name == "王芳").count() == 2


def _activity(day: dt.date, held: bool = True) -> Activity:
    plan, _ = AnnualPlan.get_or_create(year=day.year)
    return Activity.create(plan=plan, plan_date=day, held_date=day if held else None, theme="主题")


def test_leaving_keeps_history_and_ends_expectation_after_that_date(branch):
    m = create_member(MemberInput(name="赵六"), today=TODAY)
    march, may = _activity(dt.date(2026, 3, 5)), _activity(dt.date(2026, 5, 8))
    Attendance.create(activity=march, member=m, status=vocab.PRESENT)
    Attendance.create(activity=may, member=m, status=vocab.ABSENT)

    with pytest.raises(UserError) as err:
        leave_roll(m.id, dt.date(2026, 4, 20), "转出", today=TODAY)
    assert "2026-05-08" in err.value.message and err.value.field == "later_attendance"
    assert Member.get_by_id(m.id).left_date is None  # nothing changed

    leave_roll(
        m.id, dt.date(2026, 4, 20), "转出", "转往城关社区", drop_later_attendance=True, today=TODAY
    )
    stored = Member.get_by_id(m.id)
    assert (stored.left_date, stored.left_reason) == (dt.date(2026, 4, 20), "转出")
    assert [a.activity_id for a in stored.attendance] == [march.id]  # March history kept
    assert m.id in [x.id for x in expected_members_for(march.id)]
    assert m.id not in [x.id for x in expected_members_for(may.id)]

    assert [x.id for x in list_members(RosterFilter(roll=ROLL_LEFT, today=TODAY))] == [m.id]
    assert list_members(RosterFilter(roll=ROLL_ON, today=TODAY)) == []
    assert roster_counts(TODAY).left == 1

    with pytest.raises(UserError) as err:
        leave_roll(m.id, dt.date(2026, 4, 20), "退休", today=TODAY)
    assert err.value.field == "left_reason"
    return_to_roll(m.id)
    assert m.id in [x.id for x in expected_members_for(may.id)]


def test_member_with_attendance_cannot_be_deleted_one_without_goes_to_trash(branch):
    kept = create_member(MemberInput(name="孙七"), today=TODAY)
    mistake = create_member(MemberInput(name="孙七七"), today=TODAY)
    Attendance.create(activity=_activity(dt.date(2026, 3, 5)), member=kept, status=vocab.PRESENT)
    with pytest.raises(UserError) as err:
        delete_member(kept.id)
    assert "离开花名册" in err.value.message
    delete_member(mistake.id)
    assert Member.get_or_none(Member.id == mistake.id) is None
    assert Member.get_or_none(Member.id == kept.id) is not None
    assert TrashItem.select().where(TrashItem.label.contains("孙七七")).exists()


def test_filters_find_flags_categories_and_names(branch):
    create_member(MemberInput(name="周一", is_mobile=True), today=TODAY)
    create_member(MemberInput(name="周二", category=vocab.PROBATIONARY_MEMBER), today=TODAY)
    create_member(MemberInput(name="吴三", is_leader=True, is_frail=True), today=TODAY)
    names = lambda f: [m.name for m in list_members(f)]  # noqa: E731
    assert names(RosterFilter(mobile=True, today=TODAY)) == ["周一"]
    assert names(RosterFilter(category=vocab.PROBATIONARY_MEMBER, today=TODAY)) == ["周二"]
    assert names(RosterFilter(frail=True, leader=True, today=TODAY)) == ["吴三"]
    assert names(RosterFilter(search="周", today=TODAY)) == ["周一", "周二"]
    counts = roster_counts(TODAY)
    assert (counts.on_roll, counts.full, counts.probationary, counts.mobile) == (3, 2, 1, 1)


def test_invited_non_member_who_came_is_deactivated_not_deleted(branch):
    with pytest.raises(UserError) as err:
        save_attendee(AttendeeInput(name="", kind="团员青年"))
    assert err.value.field == "name"
    with pytest.raises(UserError) as err:
        save_attendee(AttendeeInput(name="小刘", kind="党员"))
    assert err.value.field == "kind"
    a = save_attendee(AttendeeInput(name="小刘", kind="入党积极分子"))
    b = save_attendee(AttendeeInput(name="小陈", kind="群众代表"))
    save_attendee(AttendeeInput(name="小刘", kind="发展对象"), attendee_id=a.id)
    from app.models import Attendee, AttendeePresence

    assert Attendee.get_by_id(a.id).kind == "发展对象"
    AttendeePresence.create(activity=_activity(dt.date(2026, 3, 5)), attendee=a)
    assert delete_attendee(a.id) is False and Attendee.get_by_id(a.id).active is False
    assert delete_attendee(b.id) is True and Attendee.get_or_none(Attendee.id == b.id) is None


def test_update_member_validates_like_create(branch):
    m = create_member(MemberInput(name="郑八"), today=TODAY)
    with pytest.raises(UserError) as err:
        update_member(m.id, MemberInput(name="郑八", roll_start=dt.date(2030, 1, 1)), today=TODAY)
    assert err.value.field == "roll_start"
    update_member(
        m.id, MemberInput(name="郑八", is_leader=True, phone=" 13800000000 "), today=TODAY
    )
    assert Member.get_by_id(m.id).is_leader and Member.get_by_id(m.id).phone == "13800000000"
