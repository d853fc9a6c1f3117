"""回收站: deleting asks first in the window; here, that what was deleted can come back whole."""

from __future__ import annotations

import datetime as dt

import pytest

from app import models
from app.errors import UserError
from app.models import vocab
from app.paths import attachments_dir
from app.services.trash import (
    empty_trash,
    list_trash,
    restore_item,
    trash_activity,
    trash_member,
)
from tests.record_helpers import attachment_row


@pytest.fixture
def ledger(branch, data_dir):
    """Three members, one held activity with attendance, an invited guest and a photo file."""
    zhang = models.Member.create(
        name="张秀英", gender="女", birth_date=dt.date(1950, 3, 2), is_frail=True
    )
    li = models.Member.create(
        name="李建华", category=vocab.PROBATIONARY_MEMBER, phone="13800000000"
    )
    new = models.Member.create(name="误录入", joined_party_date=dt.date(2020, 7, 1))
    models.TalkReminder.create(member=new, year=2026, talk_date=dt.date(2026, 6, 1), note="测试")
    plan = models.AnnualPlan.create(year=2026)
    activity = models.Activity.create(
        plan=plan,
        plan_date=dt.date(2026, 5, 6),
        plan_reason="5月5日为劳动节假期，顺延至下一个工作日",
        held_date=dt.date(2026, 5, 6),
        theme="学习党章党规",
        categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_CARE],
        content="集中学习党章，走访慰问老党员。",
    )
    models.Attendance.create(
        activity=activity, member=zhang, status=vocab.SUITABLE_MEANS, reason="送学上门"
    )
    models.Attendance.create(activity=activity, member=li, status=vocab.LEAVE, reason="外出务工")
    guest = models.Attendee.create(name="赵小军", kind="入党积极分子")
    models.AttendeePresence.create(activity=activity, attendee=guest)
    photo = attachments_dir(data_dir) / "2026" / "photo1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8jpeg")
    attachment_row(
        activity, stored_path="2026/photo1.jpg", sha256="a" * 64, original_name="合影.jpg", bytes=6
    )
    return {"zhang": zhang, "li": li, "new": new, "activity": activity, "photo": photo}


def test_member_with_attendance_cannot_be_deleted_only_leave_the_roll(ledger):
    with pytest.raises(UserError) as err:
        trash_member(ledger["zhang"].id)
    assert "离开花名册" in err.value.message
    assert models.Member.get_by_id(ledger["zhang"].id).name == "张秀英"
    assert models.TrashItem.select().count() == 0


def test_member_entered_by_mistake_goes_to_trash_and_comes_back_with_same_id(ledger):
    member = ledger["new"]
    item = trash_member(member.id)
    assert item.label == "党员 误录入"
    assert models.Member.get_or_none(models.Member.id == member.id) is None
    assert models.TalkReminder.select().count() == 0
    assert [i.label for i in list_trash()] == ["党员 误录入"]

    assert restore_item(item.id) == "党员 误录入"
    back = models.Member.get_by_id(member.id)
    assert (back.name, back.joined_party_date) == ("误录入", dt.date(2020, 7, 1))
    assert models.TalkReminder.get().member_id == member.id
    assert list_trash() == []


def test_activity_goes_to_trash_with_its_attendance_and_comes_back_whole(ledger):
    activity = ledger["activity"]
    item = trash_activity(activity.id)
    assert item.label == "党日活动 2026-05-06 学习党章党规"
    assert models.Activity.select().count() == 0
    assert models.Attendance.select().count() == models.AttendeePresence.select().count() == 0
    assert models.Attachment.select().count() == 0
    assert ledger["photo"].exists()  # files wait until the trash is emptied

    restore_item(item.id)
    back = models.Activity.get_by_id(activity.id)
    assert back.plan_reason == "5月5日为劳动节假期，顺延至下一个工作日"
    assert back.categories == [vocab.CATEGORY_STUDY, vocab.CATEGORY_CARE]
    assert back.held_date == dt.date(2026, 5, 6)
    statuses = {(a.member.name, a.status, a.reason) for a in back.attendance}
    assert statuses == {("张秀英", "适当方式参加", "送学上门"), ("李建华", "请假", "外出务工")}
    assert [p.attendee.name for p in back.attendee_presence] == ["赵小军"]
    assert [a.original_name for a in back.attachments] == ["合影.jpg"]


def test_restored_activity_takes_a_new_id_when_its_old_one_was_reused(ledger):
    activity = ledger["activity"]
    item = trash_activity(activity.id)
    # SQLite hands out the freed id again to the next row.
    other = models.Activity.create(
        plan=activity.plan, plan_date=dt.date(2026, 6, 5), theme="新活动"
    )
    assert other.id == activity.id
    restore_item(item.id)
    assert models.Activity.select().count() == 2
    restored = models.Activity.get(models.Activity.theme == "学习党章党规")
    assert restored.id != other.id
    assert restored.attendance.count() == 2
    assert other.attendance.count() == 0


def test_activity_cannot_come_back_before_its_deleted_members(ledger):
    item = trash_activity(ledger["activity"].id)
    member_item = trash_member(ledger["li"].id)  # no attendance any more, so deletable
    with pytest.raises(UserError) as err:
        restore_item(item.id)
    assert "先在回收站中恢复这些党员" in err.value.message
    assert models.Activity.select().count() == 0  # nothing half-restored
    restore_item(member_item.id)
    restore_item(item.id)
    assert models.Attendance.select().count() == 2


def test_emptying_the_trash_removes_rows_and_attachment_files_for_good(ledger):
    trash_activity(ledger["activity"].id)
    trash_member(ledger["new"].id)
    assert empty_trash().items == 2
    assert list_trash() == []
    assert not ledger["photo"].exists()
    assert models.Member.select().count() == 2
