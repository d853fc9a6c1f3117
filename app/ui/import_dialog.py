"""导入花名册: choose a file, see every row and every problem, then import all rows or none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QPlainTextEdit, QWidget

from app.filenames import desktop_folder
from app.services.roster import format_date
from app.services.roster_import import (
    FIELD_LABELS,
    MATCH,
    ImportPreview,
    ImportResult,
    import_file,
    preview_file,
)
from app.ui.dialog_kit import (
    STRETCH,
    button,
    column,
    progress_bar,
    read_only_table,
    row,
    text_label,
)
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "title": "导入花名册",
    "explain": "支持 Excel/WPS 的 .xlsx、.xls 表格和 .csv 文件（UTF-8 或 GBK），读取当前显示的"
    "工作表（隐藏的工作表不读）。表头需有“姓名”列，可识别：姓名、性别、出生日期、入党时间、"
    "转正日期、人员类别、公民身份号码、联系电话、是否流动党员、流入地、流入地党组织、年老体弱、"
    "领导干部等。日期可写成 2019-07-01、2019/7/1 或 2019.07（只写到月的按月保存）。"
    "身份证号相同、或同名且出生日期相同的党员视为已在花名册，不会重复添加。",
    "choose": "选择文件…",
    # .xls is read with xlrd; a WPS .et that is not in the .xls format is told to save as .xlsx.
    "filter": "花名册表格 (*.xlsx *.xls *.et *.csv);;所有文件 (*)",
    "no_file": "尚未选择文件",
    "reading": "正在读取…",
    "headers": ["行号", "姓名", "性别", "出生日期", "入党时间", "人员类别", "特殊情况", "导入结果"],
    "source": "读取：{source}",
    "hidden": "（隐藏的工作表未读取：{names}）",
    "columns": "识别到的列：{found}",
    "ignored": "；忽略的列：{ignored}",
    "summary_ok": "共 {rows} 行：将新增 {add} 人，已在花名册 {match} 人（不重复添加）。",
    "summary_bad": "发现 {n} 处问题，请在表格中改正后重新选择文件。有问题时不会导入任何数据。",
    "summary_fill": "其中 {fill} 人将补充身份证号或转正日期。",
    "problems": "问题清单",
    "import": "导入",
    "close": "关闭",
    "importing": "正在导入…",
    "done": "导入完成：{summary}",
}


MATCHED_COLOR = "#777777"  # a row already on the roll: shown, not added


def _flags(r) -> str:
    m = r.member
    parts = []
    if m.is_mobile:
        parts.append("流动" + (f"（{m.mobile_location}）" if m.mobile_location else ""))
    if m.is_frail:
        parts.append("年老体弱")
    if m.is_leader:
        parts.append("领导干部")
    if r.left_date:
        parts.append(f"{r.left_reason} {format_date(r.left_date)}")
    return "、".join(parts)


class ImportDialog(QDialog):
    """`result` holds the ImportResult once imported."""

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self._worker = None
        self.setWindowTitle(TEXT["title"])
        self.resize(900, 600)

        self.choose_button = button(TEXT["choose"], self.choose_file)
        self.file_label = QLabel(TEXT["no_file"])
        self.progress = progress_bar()
        self.columns_label = text_label()
        self.summary = text_label()
        self.model = RowsTableModel(TEXT["headers"], self)
        self.table = read_only_table(self.model, single=False)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setStyleSheet("color: #c0392b;")
        self.problems.setMaximumHeight(150)
        self.problems.hide()
        self.import_button = button(TEXT["import"], self.start_import)
        self.import_button.setEnabled(False)
        column(
            self,
            text_label(TEXT["explain"]),
            row(self.choose_button, (self.file_label, 1)),
            self.progress,
            self.columns_label,
            self.summary,
            (self.table, 1),
            self.problems,
            row(STRETCH, self.import_button, button(TEXT["close"], self.accept)),
        )

    def start_folder(self) -> str:
        """Where the picker opens: the folder of the last file chosen, else the desktop (where a
        roster received by WeChat or e-mail usually lands), never the program's own folder."""
        if self.path is not None and self.path.parent.is_dir():
            return str(self.path.parent)
        return str(desktop_folder())

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose"], self.start_folder(), TEXT["filter"]
        )
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        """Read and check `path` in the background, then show the preview."""
        self.path = Path(path)
        self.preview = None
        self.file_label.setText(str(self.path))
        self.import_button.setEnabled(False)
        self.summary.setText(TEXT["reading"])
        self.problems.hide()
        self._busy(True)
        self._worker = run_in_background(
            lambda progress: preview_file(self.path, progress),
            self._show_preview,
            self._failed,
            self._progress,
        )

    def _busy(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.progress.setRange(0, 0)
        self.choose_button.setEnabled(not on)

    def _progress(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.summary.setText("")
        self.problems.setPlainText(message)
        self.problems.show()
        self.model.set_rows([])

    def _show_preview(self, preview: ImportPreview) -> None:
        self._busy(False)
        self.preview = preview
        found = "、".join(f"{h}→{FIELD_LABELS[f]}" for f, h in preview.columns.items())
        text = TEXT["source"].format(source=preview.source())
        if preview.hidden_sheets:
            text += TEXT["hidden"].format(names="、".join(preview.hidden_sheets[:5]))
        text += "\n" + TEXT["columns"].format(found=found)
        if preview.ignored_headers:
            text += TEXT["ignored"].format(ignored="、".join(preview.ignored_headers))
        self.columns_label.setText(text)
        self.model.set_rows(
            [
                (
                    r.row,
                    r.member.name,
                    r.member.gender or "",
                    format_date(r.member.birth_date, r.member.birth_precision),
                    format_date(r.member.joined_party_date, r.member.joined_precision),
                    r.member.category,
                    _flags(r),
                    r.action + ("，" + "；".join(r.notes) if r.notes else ""),
                )
                for r in preview.rows
            ],
            [r.row for r in preview.rows],
            foreground=[MATCHED_COLOR if r.action == MATCH else None for r in preview.rows],
        )
        if preview.problem_count:
            self.summary.setText(TEXT["summary_bad"].format(n=preview.problem_count))
            self.summary.setStyleSheet("color: #c0392b;")
            self.problems.setPlainText(preview.problem_text())
            self.problems.show()
        else:
            self.summary.setStyleSheet("")
            self.summary.setText(
                TEXT["summary_ok"].format(
                    rows=len(preview.rows), add=preview.to_add, match=preview.to_match
                )
                + (TEXT["summary_fill"].format(fill=preview.to_fill) if preview.to_fill else "")
            )
        ready = preview.ok and (preview.to_add > 0 or preview.to_fill > 0)
        self.import_button.setEnabled(ready)
        if ready:  # the next step is plain: Enter imports
            self.import_button.setDefault(True)
            self.import_button.setFocus()

    def start_import(self) -> None:
        if self.path is None:
            return
        self.import_button.setEnabled(False)
        self.summary.setText(TEXT["importing"])
        self._busy(True)
        path = self.path
        self._worker = run_in_background(
            lambda progress: import_file(path, progress),
            self._imported,
            self._failed,
            self._progress,
        )

    def _imported(self, result: ImportResult) -> None:
        self._busy(False)
        self.result = result
        self.summary.setText(TEXT["done"].format(summary=result.summary()))
        self.state.changed.emit("members")
