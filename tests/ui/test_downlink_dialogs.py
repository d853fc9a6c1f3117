"""The way back down in the window: the branch's 导入上级下发包… and 导入回执… dialogs (and the
line on its 记录 and 统计 tabs), the township's 生成下发包 dialog and the receipt step of its
汇总下级报送包 dialog. Real data dirs and zips; clicks, then the database read back."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.models import AnnualPlan, Branch, close_database
from app.models.entities import SuperiorKey
from app.services.export_receipts import receipt_status
from app.ui.package_dialog import ImportPackageDialog
from app.ui.receipt_dialog import ImportReceiptDialog
from app.ui.record_tab import RecordTab
from app.ui.state import AppState
from app.ui.stats_tab import StatsTab
from app.ui.township.aggregate_dialog import AggregateDialog
from app.ui.township.issue_dialog import IssuePackageDialog
from tests import test_downlink as downlink
from tests.test_downlink import QINGSHAN, TOWNSHIP
from tests.ui.shots import cjk_font, shot


def test_branch_takes_in_the_package_then_its_receipt(qtbot, qapp, tmp_path, capsys):
    cjk_font(qapp)
    town = downlink.township_with_notice(tmp_path)
    package = downlink.issue(capsys, town, tmp_path, "--deadline", "03-20")
    branch = downlink.branch_with_plan(tmp_path, QINGSHAN)

    downlink.use(branch)
    state = AppState(branch)
    state.year = 2027
    dialog = ImportPackageDialog(state, path=package)
    qtbot.addWidget(dialog)
    dialog.show()
    shown = dialog.contents.toPlainText()
    assert "第一次导入" in shown and "劳动节：5月1日至5月5日，共5天" in shown
    assert dialog.import_button.isEnabled() and not dialog.key_check.isVisible()
    shot(dialog, "branch_import_package.png")
    with qtbot.waitSignal(state.changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "5月5日为劳动节假期，顺延至5月6日" in dialog.result.text()
    assert not dialog.import_button.isEnabled()  # taken in once
    shot(dialog, "branch_import_package_done.png")
    months = {a.plan_date.month: a.plan_date for a in AnnualPlan.get(year=2027).activities}
    assert months[5] == dt.date(2027, 5, 6) and Branch.get().plan_deadline == "03-20"

    # Another key signs the next one: the secretary must confirm the change before 导入.
    other = downlink.township_with_notice(tmp_path / "new-pc")
    second = downlink.issue(capsys, other, tmp_path / "new-pc")
    downlink.use(branch)
    dialog = ImportPackageDialog(state, path=second)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "签名密钥变了" in dialog.contents.toPlainText()
    assert dialog.key_check.isVisible() and not dialog.import_button.isEnabled()
    assert "请先打电话向乡镇党委核实" in dialog.error.text()
    shot(dialog, "branch_import_package_new_key.png")
    dialog.key_check.setChecked(True)
    assert dialog.import_button.isEnabled() and not dialog.error.isVisible()
    dialog.key_check.setChecked(False)  # not taken: the remembered key stays
    assert SuperiorKey.select().count() == 1
    close_database()

    receipts, _, code, err = downlink.export_and_aggregate(capsys, tmp_path, [branch], town)
    downlink.use(branch)
    record_tab, stats_tab = RecordTab(state), StatsTab(state)
    qtbot.addWidget(record_tab)
    qtbot.addWidget(stats_tab)
    assert "尚未导入乡镇党委的回执" in stats_tab.receipt_label.text()
    dialog = ImportReceiptDialog(state, path=receipts / f"{QINGSHAN}-2027-回执.zip")
    qtbot.addWidget(dialog)
    dialog.show()
    today = dt.date.today().isoformat()
    assert dialog.result.text().startswith(f"已接收：{TOWNSHIP}于 {today} 接收了本支部2027年度")
    shot(dialog, "branch_import_receipt.png")
    expected = f"回执：{TOWNSHIP}已于 {today} 接收2027年度报送包。"
    assert record_tab.receipt_label.text() == expected == stats_tab.receipt_label.text()
    assert receipt_status(2027).accepted
    stats_tab.show()
    shot(stats_tab, "branch_stats_tab_receipt.png")

    # A receipt for another file is refused in red, and nothing changes.
    dialog = ImportReceiptDialog(state, path=package)
    qtbot.addWidget(dialog)
    assert "这个文件不是回执" in dialog.error.text() and not dialog.result.isVisible()
    close_database()


def test_township_issues_a_package_and_writes_receipts_after_summing(qtbot, qapp, tmp_path, capsys):
    cjk_font(qapp)
    town = downlink.township_with_notice(tmp_path)
    branch = downlink.branch_with_plan(tmp_path, QINGSHAN)
    up = tmp_path / "up"
    up.mkdir()
    assert downlink.run(capsys, branch, "export", "--year", "2027", "--out", str(up))[0] == 0

    downlink.use(town)
    dialog = IssuePackageDialog(today=dt.date(2026, 12, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.year_spin.value() == 2027
    assert "已录入：国务院办公厅关于2027年部分节假日安排的通知" in dialog.schedule_label.text()
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert "还没有设置乡镇党委名称" in dialog.error.text()  # named on first use
    dialog.township_edit.setText(TOWNSHIP)  # QTest types Latin-1 only: Chinese is pasted
    qtbot.keyClicks(dialog.deadline_edit, "3-20")
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert "应写成“月-日”，如 03-25" in dialog.error.text()
    dialog.deadline_edit.setText("03-20")
    dialog.requirements_edit.setPlainText("围绕乡村振兴开展党日活动。")
    dialog.out_edit.setText(str(tmp_path))
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / f"{TOWNSHIP}-2027-下发包.zip").is_file()
    assert "密钥指纹：" in dialog.result.text() and dialog.open_button.isVisible()
    shot(dialog, "township_issue_package.png")

    aggregate = AggregateDialog(today=dt.date(2027, 12, 2))
    qtbot.addWidget(aggregate)
    aggregate.show()
    aggregate.add_paths([up])
    aggregate.out_edit.setText(str(tmp_path / "汇总.xlsx"))
    assert not aggregate.receipt_step.isVisible()
    qtbot.mouseClick(aggregate.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: aggregate.result is not None, timeout=60000)
    step = aggregate.receipt_step
    assert step.isVisible() and not step.name_edit.isVisible()  # the name is known by now
    folder = tmp_path / "回执"
    folder.mkdir()
    step.write_to(folder)
    assert (folder / f"{QINGSHAN}-2027-回执.zip").is_file()
    assert "已写回执 1 份（已接收 1 份，退回 0 份）" in step.done.text()
    shot(aggregate, "township_aggregate_receipts.png")
    footer = load_workbook(tmp_path / "汇总.xlsx").worksheets[0].oddFooter.center.text
    assert footer.startswith(f"{TOWNSHIP}　密钥指纹：")
    close_database()
