"""Long texts: limited where they are typed (the limit shown in the field), and what is already
stored, however long, still prints and exports (app/reports/fit.py, docs/formats.md "Bounds")."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.errors import UserError
from app.models import Activity, Attendance, Branch, vocab
from app.services import record_rules as rules
from app.services.attendance import save_attendance
from app.services.branch import BranchSettings, save_branch
from app.services.plan import PlanEntry, validate_entry
from app.services.records import RecordInput, save_record
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.record_helpers import TODAY, build_year
from tests.ui.typing import type_text

LONG = 2000


def _text(pdf: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(pdf)).pages))


def _store_long_fields(activity_id: int) -> None:
    """What a ledger made before the limits (or edited outside the program) may hold."""
    Activity.update(
        theme="主" * LONG,
        place="地" * LONG,
        place_type="型" * LONG,
        partner_org="伴" * LONG,
        held_reason="因" * LONG,
        planned_content="容" * LONG,
        plan_reason="调" * LONG,
    ).where(Activity.id == activity_id).execute()
    Attendance.update(status=vocab.LEAVE, reason="假" * LONG).where(
        Attendance.activity == activity_id
    ).execute()


def test_stored_2000_character_fields_print_and_export(demo, tmp_path, capsys):
    held = Activity.select().where(Activity.held_date.is_null(False)).order_by(Activity.id).first()
    _store_long_fields(held.id)
    Branch.update(name="中共" + "长" * LONG + "支部委员会").execute()

    record, plan = tmp_path / "记录表.pdf", tmp_path / "计划.pdf"
    assert main(["print-record", str(held.id), "--out", str(record)]) == 0
    assert main(["print-plan", "--year", str(DEMO_YEAR), "--out", str(plan)]) == 0
    # Set smaller where it fits, cut with the count where it cannot: never a LayoutError.
    assert "共2000字，余下从略" in _text(record)
    assert "主主主" in _text(record) and "假假假" in _text(record)
    assert "主主主" in _text(plan)

    usb = tmp_path / "U盘"
    usb.mkdir()
    assert main(["export", "--year", str(DEMO_YEAR), "--out", str(usb)]) == 0
    (bundle,) = usb.glob("*.zip")
    assert verify_bundle(bundle).ok
    with zipfile.ZipFile(bundle) as zf:
        assert "主" * LONG in zf.read("data.json").decode()  # carried whole, not cut


def test_a_10000_character_branch_name_exports_under_a_shortened_file_name(demo, tmp_path):
    from app.bundle.write import export_bundle

    name = "中共" + "某" * (10_000 - 7) + "支部委员会"
    assert len(name) == 10_000
    Branch.update(name=name).execute()
    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    assert bundle.name.endswith(f"-{DEMO_YEAR}-党日活动.zip")
    assert len(bundle.name) < 100 and len(bundle.name.encode()) < 255
    assert bundle.name.startswith("中共某某")
    report = verify_bundle(bundle)
    assert report.ok, report.problems


def test_a_bel_stored_in_a_theme_does_not_stop_the_export(demo, tmp_path):
    held = Activity.select().where(Activity.held_date.is_null(False)).first()
    Activity.update(theme="学习\x07党章\n第二行").where(Activity.id == held.id).execute()
    from app.bundle.write import export_bundle

    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    assert verify_bundle(bundle).ok
    with zipfile.ZipFile(bundle) as zf:
        assert "学习党章 第二行" in zf.read("data.json").decode()


# --- where they are typed ----------------------------------------------------------------------


@pytest.fixture
def year(branch):
    return build_year()


def _record(**changes) -> RecordInput:
    rec = RecordInput(
        held_date=dt.date(2026, 3, 5), theme="学习党章", place="党员活动室", categories=["学习教育"]
    )
    for key, value in changes.items():
        setattr(rec, key, value)
    return rec


@pytest.mark.parametrize(
    ("field", "most"),
    [
        ("theme", rules.THEME_MAX),
        ("place", rules.PLACE_MAX),
        ("partner_org", rules.PARTNER_MAX),
        ("held_reason", rules.HELD_REASON_MAX),
        ("content", rules.CONTENT_MAX),
    ],
)
def test_the_ledger_refuses_a_record_text_over_its_limit(year, field, most):
    march, _ = year
    save_record(march.id, _record(**{field: "字" * most}), today=TODAY)
    with pytest.raises(UserError) as refused:
        save_record(march.id, _record(**{field: "字" * (most + 1)}), today=TODAY)
    assert refused.value.field == field and f"最多{most}个字" in refused.value.message


def test_the_leave_reason_branch_and_plan_texts_have_their_limits(year):
    march, _ = year
    member = Attendance.select().where(Attendance.activity == march.id).first().member_id
    with pytest.raises(UserError, match=f"最多{rules.REASON_MAX}个字"):
        save_attendance(march.id, {member: (vocab.LEAVE, "假" * (rules.REASON_MAX + 1))})
    with pytest.raises(UserError, match=f"最多{rules.BRANCH_NAME_MAX}个字"):
        save_branch(BranchSettings(name="中" * (rules.BRANCH_NAME_MAX + 1)))
    entry = PlanEntry(plan_date=dt.date(2026, 5, 5), theme="学习", plan_reason="调" * 101)
    with pytest.raises(UserError, match=f"最多{rules.PLAN_REASON_MAX}个字"):
        validate_entry(2026, entry)


def test_the_dialogs_stop_typing_at_the_limit_and_say_it(qtbot, data_dir):
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QStyleOptionViewItem

    from app.ui.attendance_sheet import AttendanceModel, AttendanceTable
    from app.ui.branch_form import BranchForm

    form = BranchForm()
    qtbot.addWidget(form)
    assert f"最多{rules.BRANCH_NAME_MAX}字" in form.name_edit.placeholderText()
    type_text(qtbot, form.name_edit, "中" * (rules.BRANCH_NAME_MAX + 20))
    assert len(form.name_edit.text()) == rules.BRANCH_NAME_MAX

    table = AttendanceTable()
    qtbot.addWidget(table)
    delegate = table.itemDelegateForColumn(AttendanceModel.COL_REASON)
    model = QStandardItemModel(1, AttendanceModel.COL_REASON + 1)
    model.setItem(0, AttendanceModel.COL_REASON, QStandardItem("外出务工"))
    table.setModel(model)
    index = model.index(0, AttendanceModel.COL_REASON)
    editor = delegate.createEditor(table.viewport(), QStyleOptionViewItem(), index)
    assert editor.maxLength() == rules.REASON_MAX


def test_the_record_editor_limits_each_typed_text(qtbot, data_dir, year):
    from app.ui.record_tab import RecordTab
    from app.ui.state import AppState

    state = AppState(data_dir)
    state.year = 2026
    tab = RecordTab(state, today=lambda: TODAY)
    qtbot.addWidget(tab)
    e = tab.editor
    for edit, most in (
        (e.theme, rules.THEME_MAX),
        (e.place, rules.PLACE_MAX),
        (e.partner, rules.PARTNER_MAX),
        (e.held_reason, rules.HELD_REASON_MAX),
    ):
        assert edit.maxLength() == most and f"最多{most}字" in edit.placeholderText()
    assert f"最多{rules.CONTENT_MAX}字" in e.content.placeholderText()
