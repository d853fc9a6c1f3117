"""校验报送包: pick or drop a bundle, check it off the UI thread (`app.township.verify`), show
whose it is and every (file, reason), with what to do about a failed one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.bundle.names import MANIFEST, SIGNATURE
from app.township.register import register_in_use
from app.township.verify import VerifyReport, verify_bundle
from app.ui.dialog_kit import progress_bar, read_only_table, result_label, show_message
from app.ui.drives import Drive, DropTarget, dropped_paths, removable_drives, start_folder
from app.ui.icons import icon
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "title": "校验报送包",
    "intro": "检查报送包是否完整、未被改动：清单中的每个文件都在、大小和校验值相符，"
    "没有多余或危险的文件，台账数据前后一致，签名有效；登记了下级党组织密钥的，"
    "还核对是否用登记的密钥签名。",
    "drop": "也可以把报送包文件直接拖到这个窗口里。",
    "choose_bundle": "选择报送包…",
    "bundle_filter": "党日活动报送包 (*.zip);;所有文件 (*)",
    "verifying": "正在校验 {name}…",
    "ok": "校验通过：{name}\n{about}\n签名：{signature}",
    "bad": "校验未通过：{name}（{n} 个问题，见下表）{about}\n怎么办：{advice}。",
    "file_ok": "完好（大小、sha256 校验值相符）",
    "manifest_ok": "清单：列出以上每个文件的大小和校验值",
    "signature_ok": "清单的签名：{signature}",
    "col_file": "包内文件",
    "col_state": "情况",
    "whole_file": "（整个文件）",
    "close": "关闭",
}


def _zips(mime) -> list[Path]:
    return [p for p in dropped_paths(mime) if p.suffix.lower() == ".zip"]


def file_rows(report: VerifyReport) -> list[tuple[str, str]]:
    """Every file of a bundle that passed, as many as `report.about()` counts: the files the
    manifest lists, then the manifest itself and (format 2) its signature."""
    manifest = report.manifest or {}
    rows = [(f["path"], TEXT["file_ok"]) for f in manifest.get("files") or []]
    rows.append((MANIFEST, TEXT["manifest_ok"]))
    if manifest.get("format_version") == 2:
        rows.append((SIGNATURE, TEXT["signature_ok"].format(signature=report.signature_text())))
    return rows


class VerifyDialog(DropTarget, QDialog):
    """Pick a bundle, check it off the UI thread, show every (file, reason)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        find_drives: Callable[[], list[Drive]] = removable_drives,
    ):
        super().__init__(parent)
        self.drives = find_drives()
        self.report: VerifyReport | None = None
        self.worker = None
        self.setWindowTitle(TEXT["title"])
        self.resize(720, 420)
        intro = QLabel(TEXT["intro"] + TEXT["drop"])
        intro.setWordWrap(True)
        self.setAcceptDrops(True)
        self.choose_button = QPushButton(icon("fa5s.search"), TEXT["choose_bundle"])
        self.choose_button.clicked.connect(self.choose_bundle)
        self.progress = progress_bar()
        self.status_label = QLabel()
        self.result_label = result_label()
        self.model = RowsTableModel([TEXT["col_file"], TEXT["col_state"]], self)
        self.view = read_only_table(self.model, single=False)
        self.view.hide()
        buttons = QDialogButtonBox()
        self.close_button = QPushButton(TEXT["close"])
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.choose_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.view, 1)
        # Holds the space while the table is hidden, so nothing floats to the middle.
        self.filler = QWidget()
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.filler, 1)
        layout.addWidget(buttons)

    def accepts_drop(self) -> bool:
        return self.choose_button.isEnabled()

    def dropped(self, mime) -> list[Path]:
        return _zips(mime)

    def take_drop(self, paths: list[Path]) -> None:
        self.check(paths[0])

    def choose_bundle(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose_bundle"], str(self.start_folder()), TEXT["bundle_filter"]
        )
        if name:
            self.check(Path(name))

    def _show_table(self, show: bool) -> None:
        self.view.setVisible(show)
        self.filler.setVisible(not show)

    def start_folder(self) -> Path:
        """Beside the bundle checked last, else the first USB stick, else the documents."""
        return self.report.path.parent if self.report is not None else start_folder(self.drives)

    def check(self, path: Path) -> None:
        self.result_label.hide()
        self._show_table(False)
        self.choose_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText(TEXT["verifying"].format(name=path.name))
        register = register_in_use()  # signers checked once there is a register (docs/signing.md)
        self.worker = run_in_background(
            lambda _progress: verify_bundle(path, register=register), self._done, self._failed
        )

    def _done(self, report: VerifyReport) -> None:
        self.report = report
        self.choose_button.setEnabled(True)
        self.progress.hide()
        self.status_label.clear()
        about = report.about()
        if report.ok:
            text = TEXT["ok"].format(
                name=report.path.name, about=about, signature=report.signature_text()
            )
            rows = file_rows(report)
        else:
            text = TEXT["bad"].format(
                name=report.path.name,
                n=len(report.problems),
                about="\n" + about if about else "",
                advice=report.advice(),
            )
            whole = report.path.name
            rows = [(TEXT["whole_file"] if f == whole else f, r) for f, r in report.problems]
        show_message(self.result_label, text, ok=report.ok)
        self.model.set_rows(rows)
        self._show_table(True)
        self.view.resizeRowsToContents()

    def _failed(self, message: str) -> None:
        self.choose_button.setEnabled(True)
        self.progress.hide()
        self.status_label.clear()
        show_message(self.result_label, message, ok=False)
