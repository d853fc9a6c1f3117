"""Rules 2-4 and 7: one activity's record, its 报送 state, its computed counts, its attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from app.errors import UserError
from app.models import Activity, Attachment
from app.paths import attachments_dir
from app.services.ledger import AttendanceRow, MemberRow
from app.services.records import (
    activity_state,
    add_attachment,
    attachment_file,
    attachments_of,
    attendance_summary,
    load_record,
    record_input,
    record_state,
    record_warnings,
    remove_attachment,
    save_record,
    sign_sheet_note,
    verify_attachment,
)
from tests.record_helpers import (
    EXPECTED_IN_MARCH,
    JOINS_IN_APRIL,
    LEFT_IN_FEBRUARY,
    MARCH,
    NON_MEMBER,
    TODAY,
    TOOK_PART_IN_MARCH,
    build_year,
    full_record,
)


@pytest.fixture
def year(branch):
    return build_year()


@pytest.mark.parametrize(
    ("held", "submitted", "today", "state"),
    [
        (None, None, TODAY, "待开展"),
        (MARCH, None, MARCH, "已开展未报送"),
        (MARCH, None, dt.date(2026, 3, 8), "已开展未报送"),  # 3rd day after: still in time
        (MARCH, None, dt.date(2026, 3, 9), "逾期未报送"),
        (MARCH, dt.date(2026, 3, 20), TODAY, "已报送"),
    ],
)
def test_record_is_due_upward_within_three_days_after_the_activity(held, submitted, today, state):
    activity = Activity(plan_date=MARCH, held_date=held, submitted_date=submitted)
    assert record_state(activity, today) == state


@pytest.mark.parametrize(
    ("held", "submitted", "today", "word"),
    [
        (None, None, dt.date(2026, 3, 5), "待开展"),  # the planned day itself: still to come
        (None, None, dt.date(2026, 3, 6), "未开展"),  # the day has passed, nothing recorded
        (MARCH, None, dt.date(2026, 3, 6), "已开展未报送"),
        (MARCH, None, dt.date(2026, 3, 9), "逾期未报送"),
        (MARCH, dt.date(2026, 3, 7), TODAY, "已报送"),
    ],
)
def test_a_list_says_not_held_once_the_planned_day_passed_without_a_record(
    held, submitted, today, word
):
    activity = Activity(plan_date=MARCH, held_date=held, submitted_date=submitted)
    assert activity_state(activity, today) == word


def test_expected_are_members_on_the_roll_that_day_and_non_members_are_never_counted(year):
    march, april = year
    data, row = load_record(march.id)
    summary = attendance_summary(data, row)
    names = [m.name for m in summary.expected]
    assert len(names) == EXPECTED_IN_MARCH
    assert LEFT_IN_FEBRUARY not in names and JOINS_IN_APRIL not in names
    assert summary.took_part == TOOK_PART_IN_MARCH
    assert summary.entered and summary.complete
    assert [(a.name, a.kind) for a in summary.non_members] == [NON_MEMBER]

    data, row = load_record(april.id)
    april_summary = attendance_summary(data, row)
    assert JOINS_IN_APRIL in [m.name for m in april_summary.expected]
    assert LEFT_IN_FEBRUARY not in [m.name for m in april_summary.expected]
    assert not april_summary.entered and len(april_summary.missing) == EXPECTED_IN_MARCH + 1
    assert april_summary.took_part == 0


def test_saved_record_reads_back_field_for_field(year):
    march, _ = year
    save_record(march.id, full_record(), today=TODAY)
    stored = Activity.get_by_id(march.id)
    back = record_input(stored)
    assert back == full_record(
        cost="120.50",
        categories=["学习教育", "党员管理", "通报"],  # kept in the seed's order
        content="一、集中学习党章。\n\n二、交纳党费。\n三、通报春耕工作安排。",
    )
    assert stored.cost == Decimal("120.50")
    assert record_state(stored, TODAY) == "已报送"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cost": "一百元"}, "cost", "经费"),
        ({"cost": "-5"}, "cost", "经费"),
        ({"end_time": dt.time(8, 0)}, "end_time", "结束时间"),
        ({"submitted_date": dt.date(2026, 3, 1)}, "submitted_date", "早于开展日期"),
        ({"held_date": None}, "submitted_date", "尚未开展"),
        ({"held_date": dt.date(2026, 12, 1)}, "held_date", "晚于今天"),
        ({"held_date": dt.date(2025, 12, 30)}, "held_date", "2026 年"),
        ({"theme": "  "}, "theme", "活动主题"),
        ({"place": ""}, "place", "活动地点"),
        ({"categories": ["打扫卫生"]}, "categories", "打扫卫生"),
    ],
)
def test_a_bad_record_is_refused_in_chinese_and_nothing_is_written(year, changes, field, words):
    march, _ = year
    with pytest.raises(UserError) as caught:
        save_record(march.id, full_record(**changes), today=TODAY)
    assert caught.value.field == field and words in caught.value.message
    stored = Activity.get_by_id(march.id)
    assert stored.held_date is None and stored.place == "" and stored.cost is None


def test_warnings_name_thin_content_a_moved_day_without_reason_and_an_overdue_record(year):
    march, _ = year
    moved = dt.date(2026, 3, 6)
    save_record(
        march.id,
        full_record(held_date=moved, categories=["学习教育"], submitted_date=None),
        today=TODAY,
    )
    _, row = load_record(march.id)
    text = "\n".join(record_warnings(row, TODAY))
    assert "学习日" in text
    assert "改期原因" in text
    assert "逾期未报送" in text and "2026-03-09" in text
    assert record_warnings(row, dt.date(2026, 3, 8)) != record_warnings(row, TODAY)

    save_record(
        march.id,
        full_record(held_date=moved, held_reason="5日停电", submitted_date=dt.date(2026, 3, 8)),
        today=TODAY,
    )
    _, row = load_record(march.id)
    assert record_warnings(row, TODAY) == []


def test_late_submission_is_shown_even_though_the_record_was_sent(year):
    march, _ = year
    save_record(march.id, full_record(submitted_date=dt.date(2026, 3, 12)), today=TODAY)
    _, row = load_record(march.id)
    assert record_state(row, TODAY) == "已报送"
    assert any("晚于规定" in w for w in record_warnings(row, TODAY))


def test_sign_sheet_notes_prefill_leave_remote_inflow_and_suitable_means():
    mobile = MemberRow(1, "郑小龙", "正式党员", is_mobile=True, inflow_org="浦东某社区党委")
    plain = MemberRow(2, "张堃", "正式党员")
    assert sign_sheet_note(plain, AttendanceRow(2, "请假", "外出务工")) == "请假：外出务工"
    assert sign_sheet_note(plain, AttendanceRow(2, "线上参加")) == "线上参加"
    assert sign_sheet_note(mobile, AttendanceRow(1, "流入地参加")) == "流入地参加（浦东某社区党委）"
    assert sign_sheet_note(plain, AttendanceRow(2, "适当方式参加", "送学上门")) == (
        "适当方式参加（送学上门）"
    )
    assert sign_sheet_note(plain, AttendanceRow(2, "出席")) == ""
    assert sign_sheet_note(plain, None) == ""


def test_attachment_is_copied_into_the_data_dir_with_its_sha256(year, data_dir, tmp_path):
    march, _ = year
    photo = tmp_path / "活动照片.JPG"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 100)
    attachment = add_attachment(data_dir, march.id, photo, "照片")
    stored = attachment_file(data_dir, attachment)
    assert stored.is_file() and stored.parent.parent == attachments_dir(data_dir)
    assert stored.suffix == ".jpg" and stored.read_bytes() == photo.read_bytes()
    assert attachment.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (attachment.original_name, attachment.bytes) == ("活动照片.JPG", 25603)
    assert verify_attachment(data_dir, attachment)
    photo.unlink()  # the original may go; the ledger keeps its copy
    assert verify_attachment(data_dir, attachments_of(march.id)[0])


def test_a_refused_attachment_leaves_no_file_behind(year, data_dir, tmp_path):
    march, _ = year
    scan = tmp_path / "签名表.pdf"
    scan.write_bytes(b"%PDF-1.4 signed sheet")
    add_attachment(data_dir, march.id, scan, "签名表扫描件")
    with pytest.raises(UserError, match="已经添加过"):
        add_attachment(data_dir, march.id, scan, "签名表扫描件")
    files = [p for p in attachments_dir(data_dir).rglob("*") if p.is_file()]
    assert len(files) == 1 and Attachment.select().count() == 1
    with pytest.raises(UserError, match="找不到文件"):
        add_attachment(data_dir, march.id, tmp_path / "没有这个.jpg", "照片")

    remove_attachment(data_dir, Attachment.get().id)
    assert Attachment.select().count() == 0
    assert not [p for p in attachments_dir(data_dir).rglob("*") if p.is_file()]
