"""Upward submission in the window: export to a USB stick with a progress bar and the eject
reminder, the check of a bundle, and the township's aggregate — driven with clicks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QRect, Qt

from app.bundle.write import export_bundle
from app.township.verify import verify_bundle
from app.ui.drives import Drive, is_removable_mount
from app.ui.export_dialog import ExportDialog
from app.ui.township.aggregate_dialog import AggregateDialog
from app.ui.township.verify_dialog import VerifyDialog
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.ui.shots import cjk_font, shot


def test_usb_sticks_are_told_apart_from_fixed_disks():
    assert is_removable_mount("/media/wang/KINGSTON", "linux")
    assert is_removable_mount("/run/media/wang/U盘", "linux")
    assert not is_removable_mount("/", "linux")
    assert not is_removable_mount("/media", "linux")
    assert not is_removable_mount("/home", "linux")
    assert is_removable_mount("E:/", "win32", drive_type=2)
    assert not is_removable_mount("C:/", "win32", drive_type=3)
    assert is_removable_mount("/Volumes/KINGSTON", "darwin")


def test_export_lists_the_usb_stick_first_and_ends_with_the_eject_reminder(
    qtbot, qapp, demo: Path, tmp_path: Path
):
    cjk_font(qapp)
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    dialog = ExportDialog(
        demo,
        DEMO_YEAR,
        find_drives=lambda: [Drive(stick, "KINGSTON", 7_800_000_000)],
        today=DEMO_TODAY,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.destinations.item(0).text().startswith("U盘 KINGSTON")
    assert dialog.destination() == stick and dialog.no_usb_label.isHidden()
    assert dialog.open_button.isHidden()  # nothing to open yet

    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not dialog.close_button.isEnabled()  # cannot be closed while writing
    qtbot.waitUntil(
        lambda: dialog.result is not None or dialog.error_label.isVisible(), timeout=60000
    )

    assert dialog.error_label.isHidden(), dialog.error_label.text()
    bundle = stick / "中共青山村支部委员会-2026-党日活动.zip"
    assert dialog.result.path == bundle and verify_bundle(bundle).ok
    assert dialog.progress.value() == dialog.progress.maximum()
    text = dialog.result_label.text()
    assert str(bundle) in text and "安全弹出" in text and "校验通过" in text
    assert dialog.close_button.isEnabled() and dialog.open_button.isVisible()
    shot(dialog, "export_done.png")


def test_export_to_a_pulled_stick_says_so_next_to_the_destination_and_stays_open(
    qtbot, demo: Path, tmp_path: Path
):
    pulled = tmp_path / "已拔出的U盘"
    dialog = ExportDialog(
        demo, DEMO_YEAR, find_drives=lambda: [Drive(pulled, "U盘", 0)], today=DEMO_TODAY
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=60000)
    assert "找不到导出位置" in dialog.error_label.text()
    assert dialog.isVisible() and dialog.result is None and not pulled.exists()
    assert dialog.export_button.isEnabled()


def test_without_a_usb_stick_the_dialog_says_how_to_go_on(qtbot, demo: Path):
    dialog = ExportDialog(demo, DEMO_YEAR, find_drives=lambda: [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.no_usb_label.isVisible() and "插入U盘" in dialog.no_usb_label.text()


def test_verify_dialog_shows_each_problem_with_its_file(qtbot, qapp, demo: Path, tmp_path: Path):
    cjk_font(qapp)
    good = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    bad = tmp_path / "中共黄岭村支部委员会-2026-党日活动.zip"
    bad.write_bytes(good.read_bytes())
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("attachments/../../evil.bat", b"del *.*")

    dialog = VerifyDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check(good)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert (
        "校验通过" in dialog.result_label.text()
        and "中共青山村支部委员会　2026年度" in dialog.result_label.text()
    )
    # An intact bundle lists what it holds, each file checked (the table is not left empty).
    files = {r[0]: r[1] for r in dialog.model.rows}
    assert "data.json" in files and files["plan.pdf"].startswith("完好")
    assert dialog.view.isVisible() and dialog.filler.isHidden()

    dialog.report = None
    dialog.check(bad)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert "校验未通过" in dialog.result_label.text()
    assert "怎么办：请该支部重新导出报送包" in dialog.result_label.text()
    files = [dialog.model.rows[i][0] for i in range(dialog.model.rowCount())]
    assert "attachments/../../evil.bat" in files and dialog.view.isVisible()
    shot(dialog, "verify_bad.png")


def test_township_aggregate_sums_the_good_and_lists_the_bad(
    qtbot, qapp, demo: Path, tmp_path: Path
):
    cjk_font(qapp)
    inbox = tmp_path / "各支部报送包"
    inbox.mkdir()
    good = export_bundle(DEMO_YEAR, inbox, today=DEMO_TODAY)
    (inbox / "中共黄岭村支部委员会-2026-党日活动.zip").write_bytes(good.read_bytes()[:4000])

    dialog = AggregateDialog(today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert "请先添加" in dialog.bundles_error.text() and dialog.bundles_error.isVisible()

    dialog.add_paths([inbox])
    dialog.add_paths([good])  # the same bundle again is listed once
    assert dialog.bundles_model.rowCount() == 2
    out = tmp_path / "青山镇汇总.xlsx"
    dialog.out_edit.setText(str(out))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)

    assert out.exists() and dialog.progress.value() == dialog.progress.maximum()
    assert "已汇总 1 个党支部" in dialog.result_label.text()
    rejected = dialog.rejected_model.rows
    assert rejected and rejected[0][0] == "中共黄岭村支部委员会-2026-党日活动.zip"
    assert rejected[0][1:3] == ("中共黄岭村支部委员会", "未通过校验")
    assert "不完整" in rejected[0][3] and rejected[0][4].startswith("请重新从U盘复制")
    assert dialog.open_button.isVisible() and dialog.open_folder_button.isVisible()
    # Every wrapped line of 原因 and 处理办法 shows: rows fit the columns as the dialog settled.
    view, model = dialog.rejected_view, dialog.rejected_model
    dialog.resize(620, dialog.height())  # and still after the clerk narrows the window
    qtbot.wait(50)
    metrics = view.fontMetrics()
    for row in range(model.rowCount()):
        for col in (3, 4):
            text = model.rows[row][col]
            box = QRect(0, 0, view.columnWidth(col) - 8, 10_000)
            need = metrics.boundingRect(box, Qt.TextFlag.TextWordWrap, text).height()
            assert view.rowHeight(row) >= need, (row, col, text)
    names = [r[1] for r in load_workbook(out)["汇总"].iter_rows(min_row=3, values_only=True)]
    assert "中共青山村支部委员会" in names
    shot(dialog, "aggregate_done.png")


def test_the_three_actions_are_in_the_file_menu(qtbot, demo: Path):
    from app.ui.main_window import MainWindow

    window = MainWindow(demo)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.file_menu.actions()]
    for text in ("导出报送包…", "校验报送包…", "汇总下级报送包…"):
        assert text in texts
    assert texts.index("汇总下级报送包…") < texts.index("退出")


def _drop(widget, paths: list[Path]) -> None:
    """Drop files or folders on a widget, as from Explorer."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)


def test_a_usb_stick_full_of_bundles_is_one_click_or_one_drop(
    qtbot, qapp, demo: Path, tmp_path: Path
):
    """The township clerk plugs in a stick: a button per stick adds every bundle on it; a folder
    dragged in does the same; the empty list says how, and a folder without bundles says so."""
    from app.services.plan import create_plan

    cjk_font(qapp)
    stick = tmp_path / "KINGSTON"
    (stick / "青山村").mkdir(parents=True)
    export_bundle(DEMO_YEAR, stick / "青山村", today=DEMO_TODAY)
    create_plan(DEMO_YEAR - 1)
    export_bundle(DEMO_YEAR - 1, stick, today=DEMO_TODAY)
    empty = tmp_path / "空文件夹"
    empty.mkdir()

    dialog = AggregateDialog(
        today=DEMO_TODAY, find_drives=lambda: [Drive(stick, "KINGSTON (E:)", 8 * 1024**3)]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.bundles_stack.currentWidget() is dialog.drop_hint
    assert "拖到这里" in dialog.drop_hint.text()
    shot(dialog, "aggregate_empty.png")

    (usb_button,) = dialog.usb_buttons
    assert "KINGSTON (E:)" in usb_button.text()
    qtbot.mouseClick(usb_button, Qt.MouseButton.LeftButton)
    assert len(dialog.paths) == 2 and dialog.count_label.text() == "共 2 个报送包"
    assert dialog.bundles_stack.currentWidget() is dialog.bundles_view

    dialog.set_paths([])
    _drop(dialog, [stick])
    assert len(dialog.paths) == 2
    _drop(dialog, [empty])
    assert dialog.bundles_error.isVisible() and "没有找到 .zip" in dialog.bundles_error.text()

    # Sum last year's: the year chosen, this year's bundle set aside (not a failure).
    dialog.year_box.setCurrentIndex(dialog.year_box.findData(DEMO_YEAR - 1))
    out = tmp_path / "汇总"  # no suffix typed: .xlsx is added
    dialog.out_edit.setText(str(out))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    assert dialog.result.year == DEMO_YEAR - 1 and dialog.result.ok
    assert Path(str(out) + ".xlsx").exists() and dialog.out_edit.text().endswith(".xlsx")
    text = dialog.result_label.text()
    assert "已汇总 1 个党支部2025年度的报送包" in text and "1 个报送包未采用" in text
    assert dialog.rejected_model.rows[0][2] == "未采用（其他年度）"
    shot(dialog, "aggregate_year.png")


def test_a_bundle_dropped_on_the_verify_dialog_is_checked(qtbot, demo: Path, tmp_path: Path):
    good = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    dialog = VerifyDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _drop(dialog, [tmp_path / "说明.txt"])  # not a zip: ignored
    assert dialog.report is None and dialog.choose_button.isEnabled()
    _drop(dialog, [good])
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert dialog.report.ok and "校验通过" in dialog.result_label.text()


def test_file_pickers_open_on_the_usb_stick_then_beside_the_last_bundle(qtbot, tmp_path: Path):
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    dialog = AggregateDialog(find_drives=lambda: [Drive(stick, "KINGSTON", 1)])
    qtbot.addWidget(dialog)
    assert dialog.start_folder() == stick  # not the program's folder (the process's cwd)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / "中共青山村支部委员会-2026-党日活动.zip").write_bytes(b"x")
    dialog.add_paths([inbox])
    assert dialog.start_folder() == inbox
    bare = AggregateDialog(find_drives=lambda: [])
    qtbot.addWidget(bare)
    assert bare.start_folder().is_dir()


def test_the_outcome_never_grows_the_dialog_past_the_screen(qtbot, qapp, demo, tmp_path):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    good = export_bundle(DEMO_YEAR, inbox, today=DEMO_TODAY)
    for i in range(30):  # many bad bundles: a long table of reasons
        (inbox / f"中共第{i}村支部委员会-2026-党日活动.zip").write_bytes(good.read_bytes()[:999])
    dialog = AggregateDialog(today=DEMO_TODAY, find_drives=lambda: [])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths([inbox])
    dialog.out_edit.setText(str(tmp_path / "汇总.xlsx"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    room = dialog.screen().availableGeometry()
    assert dialog.height() <= room.height() - 60 and dialog.width() <= room.width()
