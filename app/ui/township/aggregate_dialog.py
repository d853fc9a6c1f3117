"""汇总下级报送包: many bundles in (files, folders, a whole USB stick, or dragged in), each
verified and summed off the UI thread (`app.township.aggregate`), one workbook out, with the
bundles left out listed with their reasons and what to do, and a way to open the workbook."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.filenames import documents_folder
from app.township.aggregate import AggregateResult, aggregate_bundles, expand_bundle_paths
from app.township.identity import township_mark
from app.township.register import register_in_use
from app.ui.desktop import open_in_viewer
from app.ui.dialog_kit import (
    error_label,
    progress_bar,
    read_only_table,
    result_label,
    set_progress,
    show_message,
    size_text,
)
from app.ui.drives import Drive, DropTarget, removable_drives, start_folder
from app.ui.icons import icon
from app.ui.table_model import RowsTableModel
from app.ui.township.receipt_step import ReceiptStep
from app.ui.workers import run_in_background

TEXT = {
    "title": "汇总下级报送包",
    "intro": "选择各党支部报送的 .zip 文件（可以一次选多个，或选整个文件夹、整个U盘），"
    "程序逐个校验，把通过的汇总成一张 Excel 表；未通过的列出原因和处理办法，不影响其他支部。",
    "drop_hint": "把U盘上的报送包、或装着报送包的文件夹拖到这里\n\n"
    "或者点下面的“添加文件夹…”（文件夹及其下一层子文件夹里的 .zip 都会加进来）",
    "add_files": "添加报送包…",
    "add_folder": "添加文件夹…",
    "add_usb": "添加U盘 {label}",
    "added_none": "“{name}”里没有找到 .zip 报送包。",
    "bundle_filter": "党日活动报送包 (*.zip);;所有文件 (*)",
    "year_label": "汇总年度：",
    "year_auto": "自动（按多数报送包的年度）",
    "year_item": "{year} 年",
    "col_bundle": "报送包",
    "col_branch": "党组织",
    "col_state": "情况",
    "col_reason": "原因",
    "col_advice": "处理办法",
    "col_size": "大小",
    "col_folder": "所在文件夹",
    "list_count": "共 {n} 个报送包",
    "remove": "移除所选",
    "clear": "清空",
    "out": "汇总表保存为：",
    "save_as": "另存为…",
    "xlsx_filter": "Excel 工作簿 (*.xlsx)",
    "default_out": "下级报送包汇总-{date}.xlsx",
    "start": "开始汇总",
    "no_bundles": "请先添加要汇总的报送包。",
    "no_out": "请选择汇总表保存的位置（.xlsx 文件）。",
    "aggregating": "正在汇总…",
    "done": "已汇总 {rows} 个党支部{year}的报送包，写入：\n{path}",
    "failed": "\n{n} 个报送包未通过校验，原因和处理办法见下表。",
    "set_aside": "\n{n} 个报送包未采用（重复或其他年度，无需处理），见下表。",
    "open_xlsx": "打开汇总表",
    "open_out_folder": "打开所在文件夹",
    "close": "关闭",
}
OK_COLOR, ERROR_COLOR, HINT_COLOR = "#1b5e20", "#b00020", "#666666"  # as dialog_kit's styles
_REASON_SHARES = (0.22, 0.15, 0.11, 0.26)  # of the table's width; 处理办法 takes the rest


def outcome_text(result: AggregateResult) -> str:
    """What the dialog says when the workbook is written (rich text): the workbook written in
    the colour of done, bundles that failed in red, bundles set aside (nothing to do) in grey."""
    year = f"{result.year}年度" if result.year else ""
    done = TEXT["done"].format(rows=len(result.rows), year=year, path=result.out_path)
    parts = [(done, OK_COLOR)]
    failed = len(result.failed)
    if failed:
        parts.append((TEXT["failed"].format(n=failed), ERROR_COLOR))
    if len(result.rejected) > failed:
        parts.append((TEXT["set_aside"].format(n=len(result.rejected) - failed), HINT_COLOR))
    return "".join(
        f'<span style="color: {color};">{escape(text).replace(chr(10), "<br>")}</span>'
        for text, color in parts
    )


def rejected_rows(result: AggregateResult) -> list[tuple[str, str, str, str, str]]:
    """A row per problem of each bundle left out: bundle, branch, state, reason, advice."""
    rows = []
    for r in result.rejected:
        advice = r.advice  # once per bundle: it reads all of the bundle's problems
        for f, reason in r.problems:
            shown = reason if f == r.path.name else f"{f}：{reason}"
            rows.append((r.shown_name, r.branch or "—", r.state, shown, advice))
    return rows


class AggregateDialog(DropTarget, QDialog):
    """The township: many bundles in (files, folders, a whole USB stick, or dragged in), each
    verified, one workbook out, with a way to open it or its folder."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        find_drives: Callable[[], list[Drive]] = removable_drives,
    ):
        super().__init__(parent)
        self.today = today
        self.paths: list[Path] = []
        self.result: AggregateResult | None = None
        self.worker = None
        self.drives = find_drives()
        self.setWindowTitle(TEXT["title"])
        self.resize(900, 640)
        self.setAcceptDrops(True)

        intro = QLabel(TEXT["intro"])
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self._bundle_list(), 2)
        layout.addLayout(self._list_buttons())
        layout.addWidget(self.bundles_error)
        layout.addLayout(self._year_row())
        layout.addLayout(self._out_row())
        layout.addWidget(self.out_error)
        self.progress = progress_bar()
        self.status_label = QLabel()
        self.result_label = result_label()
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self._rejected_table(), 2)
        self.receipt_step = ReceiptStep()  # the township's 回执, once summed
        layout.addWidget(self.receipt_step)
        layout.addWidget(self._buttons())
        self.set_paths([])

    # --- building -------------------------------------------------------------------------------
    def _bundle_list(self) -> QStackedWidget:
        self.bundles_model = RowsTableModel(
            [TEXT["col_bundle"], TEXT["col_size"], TEXT["col_folder"]], self
        )
        self.bundles_view = read_only_table(self.bundles_model, single=False)
        self.bundles_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.drop_hint = QLabel(TEXT["drop_hint"])
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setStyleSheet(
            "QLabel { border: 2px dashed #999; border-radius: 6px; color: #555; padding: 16px; }"
        )
        self.bundles_stack = QStackedWidget()
        self.bundles_stack.addWidget(self.drop_hint)
        self.bundles_stack.addWidget(self.bundles_view)
        return self.bundles_stack

    def _list_buttons(self) -> QHBoxLayout:
        self.count_label = QLabel()
        self.add_folder_button = QPushButton(icon("fa5s.folder-plus"), TEXT["add_folder"])
        self.add_files_button = QPushButton(icon("fa5s.plus"), TEXT["add_files"])
        self.remove_button = QPushButton(TEXT["remove"])
        self.clear_button = QPushButton(TEXT["clear"])
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(lambda: self.set_paths([]))
        # One button per USB stick plugged in now: a stick full of bundles is one click.
        self.usb_buttons: list[QPushButton] = []
        for drive in self.drives:
            b = QPushButton(icon("fa5b.usb"), TEXT["add_usb"].format(label=drive.label))
            b.setToolTip(str(drive.root))
            b.clicked.connect(lambda _=False, root=drive.root: self.add_paths([root]))
            self.usb_buttons.append(b)
        row = QHBoxLayout()
        for b in (
            *self.usb_buttons,
            self.add_folder_button,
            self.add_files_button,
            self.remove_button,
            self.clear_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.count_label)
        self.bundles_error = error_label()
        return row

    def _year_row(self) -> QHBoxLayout:
        self.year_box = QComboBox()
        self.year_box.addItem(TEXT["year_auto"], None)
        this_year = (self.today or dt.date.today()).year
        for y in range(this_year, this_year - 6, -1):
            self.year_box.addItem(TEXT["year_item"].format(year=y), y)
        row = QHBoxLayout()
        row.addWidget(QLabel(TEXT["year_label"]))
        row.addWidget(self.year_box)
        row.addStretch(1)
        return row

    def _out_row(self) -> QHBoxLayout:
        self.out_edit = QLineEdit(str(self._default_out()))
        self.save_as_button = QPushButton(TEXT["save_as"])
        self.save_as_button.clicked.connect(self.choose_out)
        row = QHBoxLayout()
        row.addWidget(QLabel(TEXT["out"]))
        row.addWidget(self.out_edit, 1)
        row.addWidget(self.save_as_button)
        self.out_error = error_label()
        return row

    def _rejected_table(self):
        self.rejected_model = RowsTableModel(
            [
                TEXT["col_bundle"],
                TEXT["col_branch"],
                TEXT["col_state"],
                TEXT["col_reason"],
                TEXT["col_advice"],
            ],
            self,
        )
        self.rejected_view = read_only_table(self.rejected_model, single=False)
        self.rejected_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.rejected_view.hide()
        return self.rejected_view

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.start_button = QPushButton(icon("fa5s.table"), TEXT["start"])
        self.start_button.setDefault(True)
        self.open_button = QPushButton(icon("fa5s.file-excel"), TEXT["open_xlsx"])
        self.open_folder_button = QPushButton(icon("fa5s.folder-open"), TEXT["open_out_folder"])
        self.close_button = QPushButton(TEXT["close"])
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.hide()  # after addButton, which shows it
        self.open_folder_button.hide()
        self.start_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self.open_workbook)
        self.open_folder_button.clicked.connect(self.open_out_folder)
        self.close_button.clicked.connect(self.reject)
        return buttons

    @staticmethod
    def _default_out() -> Path:
        name = TEXT["default_out"].format(date=dt.date.today().strftime("%Y%m%d"))
        return documents_folder() / name

    # --- the list of bundles ----------------------------------------------------------------
    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        rows = []
        for p in self.paths:
            try:
                size = size_text(p.stat().st_size)
            except OSError:
                size = "—"
            rows.append((p.name, size, str(p.parent)))
        self.bundles_model.set_rows(rows, self.paths)
        self.bundles_stack.setCurrentIndex(1 if self.paths else 0)
        self.count_label.setText(TEXT["list_count"].format(n=len(self.paths)) if self.paths else "")
        self.remove_button.setEnabled(bool(self.paths))
        self.clear_button.setEnabled(bool(self.paths))
        if self.paths:
            self.bundles_error.hide()

    def add_paths(self, items: list[Path]) -> None:
        """Files as they are, folders (a whole USB stick) as the .zip files in them and in their
        direct subfolders; each bundle once. Says so when a folder held none."""
        before = len(self.paths)
        self.set_paths(expand_bundle_paths([*self.paths, *items]))
        if len(self.paths) == before and items:
            show_message(self.bundles_error, TEXT["added_none"].format(name=items[0]), ok=False)

    def accepts_drop(self) -> bool:
        return self.start_button.isEnabled()

    def take_drop(self, paths: list[Path]) -> None:
        self.add_paths(paths)

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, TEXT["add_files"], str(self.start_folder()), TEXT["bundle_filter"]
        )
        if names:
            self.add_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, TEXT["add_folder"], str(self.start_folder()))
        if name:
            self.add_paths([Path(name)])

    def start_folder(self) -> Path:
        """Where the file pickers open: beside the last bundle added, else the first USB stick,
        else the documents folder — never the program's own folder."""
        return self.paths[-1].parent if self.paths else start_folder(self.drives)

    def remove_selected(self) -> None:
        rows = {i.row() for i in self.bundles_view.selectionModel().selectedRows()}
        self.set_paths([p for i, p in enumerate(self.paths) if i not in rows])

    def choose_out(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, TEXT["save_as"], self.out_edit.text(), TEXT["xlsx_filter"]
        )
        if name:
            if not name.lower().endswith(".xlsx"):
                name += ".xlsx"
            self.out_edit.setText(name)

    # --- the run --------------------------------------------------------------------------------
    def start(self) -> None:
        for w in (self.bundles_error, self.out_error, self.result_label, self.rejected_view):
            w.hide()
        self.open_button.hide()
        self.open_folder_button.hide()
        if not self.paths:
            show_message(self.bundles_error, TEXT["no_bundles"], ok=False)
            return
        out = self._out_path()
        if out is None:
            show_message(self.out_error, TEXT["no_out"], ok=False)
            return
        paths, today, year = list(self.paths), self.today, self.year_box.currentData()
        register = register_in_use()  # signers checked once there is a register (docs/signing.md)
        mark = township_mark()  # the township's key fingerprint on its workbook
        self.receipt_step.hide()
        self._busy(True)
        self.worker = run_in_background(
            lambda progress: aggregate_bundles(
                paths, out, progress, today, register=register, year=year, township_mark=mark
            ),
            self._done,
            self._failed,
            lambda d, t, s: set_progress(self.progress, self.status_label, d, t, s),
        )

    def _out_path(self) -> Path | None:
        """The workbook's path as typed, with .xlsx added (and shown) when it was left off."""
        text = self.out_edit.text().strip()
        if not text:
            return None
        out = Path(os.path.expanduser(text))
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
            self.out_edit.setText(str(out))
        return out

    def _busy(self, busy: bool) -> None:
        for w in (
            self.start_button,
            self.close_button,
            self.add_files_button,
            self.add_folder_button,
            *self.usb_buttons,
            self.year_box,
            self.out_edit,
            self.save_as_button,
        ):
            w.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and bool(self.paths))
        self.clear_button.setEnabled(not busy and bool(self.paths))
        if busy:
            self.progress.setRange(0, max(len(self.paths), 1))
            self.progress.setValue(0)
            self.progress.show()
            self.status_label.setText(TEXT["aggregating"])

    def _done(self, result: AggregateResult) -> None:
        self._busy(False)
        self.result = result
        self.progress.setValue(self.progress.maximum())
        self.status_label.clear()
        if result.rejected:
            self.rejected_model.set_rows(rejected_rows(result))
            self.rejected_view.show()
        # Sizes the dialog first, then the columns fit it.
        show_message(self.result_label, outcome_text(result), ok=True)  # coloured by part
        if result.rejected:
            self.fit_rejected_columns()
        self.open_button.show()
        self.open_folder_button.show()
        self.receipt_step.set_result(result)
        self.open_button.setFocus()

    def fit_rejected_columns(self) -> None:
        """Share the table's width so 原因 and 处理办法 get the most, then grow the rows to
        show every wrapped line (rows sized before the dialog settled showed "…")."""
        view = self.rejected_view
        view.updateGeometries()
        width = max(view.viewport().width(), 400)
        header = view.horizontalHeader()
        for col, share in enumerate(_REASON_SHARES):
            header.resizeSection(col, int(width * share))
        view.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.rejected_view.isVisible() and self.rejected_model.rowCount():
            self.fit_rejected_columns()

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.progress.hide()
        self.status_label.clear()
        # the service's messages are about the bundles or the output file
        target = self.bundles_error if "报送包" in message else self.out_error
        show_message(target, message, ok=False)

    def open_workbook(self) -> None:
        if self.result is not None:
            open_in_viewer(self.result.out_path)

    def open_out_folder(self) -> None:
        if self.result is not None:
            open_in_viewer(self.result.out_path.parent)

    def reject(self) -> None:
        if self.close_button.isEnabled():
            super().reject()
