"""The township's dialogs say what they list: verify counts the files it shows; aggregate tells
two copies of one bundle apart by their folders and colours each line by what it says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app.bundle.write import export_bundle
from app.township.aggregate import aggregate_bundles
from app.ui.township.aggregate_dialog import AggregateDialog
from app.ui.township.verify_dialog import VerifyDialog
from tests.conftest import DEMO_TODAY, DEMO_YEAR


def test_verify_lists_as_many_files_as_it_counts(qtbot, demo: Path, tmp_path: Path):
    good = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    dialog = VerifyDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check(good)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    counted = int(re.search(r"共 (\d+) 个文件", dialog.result_label.text()).group(1))
    listed = [row[0] for row in dialog.model.rows]
    assert len(listed) == counted
    assert listed[-2:] == ["manifest.json", "manifest.sig"]
    assert dialog.model.rows[-1][1].startswith("清单的签名：已签名")


def test_two_copies_of_one_bundle_are_told_apart_by_their_folders(
    qtbot, demo: Path, tmp_path: Path
):
    stick_a, stick_b = tmp_path / "U盘A", tmp_path / "U盘B"
    stick_a.mkdir()
    stick_b.mkdir()
    bundle = export_bundle(DEMO_YEAR, stick_a, today=DEMO_TODAY)
    shutil.copy2(bundle, stick_b / bundle.name)
    (stick_b / "中共黄岭村支部委员会-2026-党日活动.zip").write_bytes(bundle.read_bytes()[:4000])

    dialog = AggregateDialog(today=DEMO_TODAY, find_drives=lambda: [])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths([stick_a, stick_b])
    dialog.out_edit.setText(str(tmp_path / "汇总.xlsx"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)

    rows = {row[2]: row for row in dialog.rejected_model.rows}
    duplicate = rows["未采用（重复）"]
    copies = {str(stick_a / bundle.name), str(stick_b / bundle.name)}
    named = {duplicate[0], re.search(r"与 (.+?) 是同一次导出", duplicate[3]).group(1)}
    assert named == copies  # each copy with its own folder
    assert duplicate[4] == "无需处理：两份是同一个报送包，已采用另一份"

    # The line saying the workbook is written is not red; the failed bundle's line is.
    text = dialog.result_label.text()
    done = re.search(r'<span style="color: (#\w+);">已汇总 1 个党支部', text).group(1)
    failed = re.search(r'<span style="color: (#\w+);">(<br>)*1 个报送包未通过校验', text).group(1)
    assert done == "#1b5e20" and failed == "#b00020"
    assert "#b00020" not in dialog.result_label.styleSheet()


def test_a_newer_bundle_names_the_one_kept_with_its_folder(demo: Path, tmp_path: Path):
    older_dir, newer_dir = tmp_path / "旧", tmp_path / "新"
    older_dir.mkdir()
    newer_dir.mkdir()
    older = export_bundle(DEMO_YEAR, older_dir, today=DEMO_TODAY)
    newer = export_bundle(DEMO_YEAR, newer_dir, today=DEMO_TODAY)
    result = aggregate_bundles([older, newer], tmp_path / "汇总.xlsx", today=DEMO_TODAY)
    (rejected,) = result.rejected
    assert rejected.path == older and not rejected.same_export
    assert rejected.problems[0][1].endswith(f"已采用较新的 {newer}")
    assert f"未采用（重复）：{older}" in result.summary()
