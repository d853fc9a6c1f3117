"""下级党组织: the township's register in the window (docs/signing.md) — every branch it expects
with its key's fingerprint or 未登记密钥; read in the list of names, register the keys of the
branches' bundles (checked off the UI thread), and replace a branch's key after checking the
fingerprint on its new stamped plan."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.errors import UserError
from app.filenames import documents_folder
from app.township.register import (
    NO_KEY,
    KeyConflict,
    SignedBundle,
    bind_key,
    import_names,
    list_register,
    read_signed,
)
from app.ui.dialog_kit import (
    actions_and_close,
    hint_label,
    progress_bar,
    read_only_table,
    result_label,
    selected_row,
    show_message,
    start_size,
)
from app.ui.icons import icon
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "title": "下级党组织",
    "intro": "乡镇党委在这里登记下级党组织名单和各支部报送包的签名密钥。登记密钥时，请把显示的"
    "密钥指纹与该支部盖章的年度计划上“党组织（盖章）”旁印的指纹逐字核对。登记后，"
    "校验和汇总时不是用登记的密钥签名的报送包会被拒收（签名不符）。",
    "names": "读入名单…",
    "names_pick": "选择下级党组织名单（列名“党组织”或“支部名称”）",
    "names_filter": "名单 (*.xlsx *.csv);;所有文件 (*)",
    "bundles": "登记报送包…",
    "bundles_pick": "选择要登记密钥的报送包",
    "bundle_filter": "党日活动报送包 (*.zip);;所有文件 (*)",
    "replace": "替换密钥…",
    "replace_pick": "选择“{name}”新的报送包（用新密钥签名）",
    "no_row": "请先在表中选中要替换密钥的党组织。",
    "checking": "正在校验报送包…",
    "headers": ("序号", "党组织", "密钥指纹", "登记日期", "备注"),
    "same_name": "同名，按密钥区分",
    "ask_title": "替换密钥",
    "ask_conflict": "{message}\n\n已核对该支部新盖章的年度计划上的指纹是 {fingerprint}，要替换吗？",
    "ask_replace": "把“{row}”登记的密钥\n  {old}\n换为报送包“{bundle}”（{name}）的密钥\n  {new}\n吗？\n\n"
    "请先核对：该支部新盖章的年度计划上“党组织（盖章）”旁印的指纹应是 {new}。",
    "not_replaced": "{name}：未替换，仍登记原来的密钥。",
}


class RegisterDialog(QDialog):
    """The register as a table, with 读入名单… / 登记报送包… / 替换密钥…"""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["title"])
        start_size(self, 860, 520)
        self.worker = None
        self.model = RowsTableModel(TEXT["headers"], self)
        self.view = read_only_table(self.model)
        self.names_button = QPushButton(icon("fa5s.list"), TEXT["names"])
        self.bundles_button = QPushButton(icon("fa5s.key"), TEXT["bundles"])
        self.replace_button = QPushButton(icon("fa5s.exchange-alt"), TEXT["replace"])
        self.names_button.clicked.connect(self.pick_names)
        self.bundles_button.clicked.connect(self.pick_bundles)
        self.replace_button.clicked.connect(self.pick_replacement)
        self.progress = progress_bar(busy=True)
        self.result_label = result_label()
        buttons = actions_and_close(
            self, [self.names_button, self.bundles_button, self.replace_button]
        )
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(TEXT["intro"]))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        rows = list_register()
        self.model.set_rows(
            [
                (
                    n,
                    r.name,
                    r.fingerprint or NO_KEY,
                    f"{r.bound_at:%Y-%m-%d}" if r.bound_at else "",
                    TEXT["same_name"] if r.same_name else "",
                )
                for n, r in enumerate(rows, start=1)
            ],
            keys=[r.branch_id for r in rows],
        )

    # --- the list of names ----------------------------------------------------------------------
    def pick_names(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["names_pick"], str(documents_folder()), TEXT["names_filter"]
        )
        if name:
            self.import_names_from(Path(name))

    def import_names_from(self, path: Path) -> None:
        try:
            summary = import_names(path).summary()
        except UserError as err:
            show_message(self.result_label, err.message, ok=False)
            return
        self.refresh()
        show_message(self.result_label, summary, ok=True)

    # --- registering bundles' keys --------------------------------------------------------------
    def pick_bundles(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, TEXT["bundles_pick"], str(documents_folder()), TEXT["bundle_filter"]
        )
        if names:
            self.register_bundles([Path(n) for n in names])

    def register_bundles(self, paths: list[Path]) -> None:
        """Verify each bundle off the UI thread, then bind its branch to its key; a branch bound
        to another key is replaced only when the clerk confirms having checked the new plan."""
        self._run(lambda _progress: [_signed_or_reason(p) for p in paths], self._bind_all)

    def _bind_all(self, results: list[SignedBundle | str]) -> None:
        lines = []
        failed = False
        for signed in results:
            if isinstance(signed, str):
                lines.append(signed)
                failed = True
                continue
            try:
                lines.append(bind_key(signed.name, signed.public_key).summary())
            except KeyConflict as err:
                question = TEXT["ask_conflict"].format(
                    message=err.message, fingerprint=signed.fingerprint
                )
                lines.append(self._replace_if_confirmed(signed, question, None))
            except UserError as err:
                lines.append(f"{signed.path.name}：{err.message}")
                failed = True
        self._finish(lines, ok=not failed)

    # --- replacing one branch's key ------------------------------------------------------------
    def pick_replacement(self) -> None:
        row = selected_row(self.view)
        if row is None:
            show_message(self.result_label, TEXT["no_row"], ok=False)
            return
        branch_id, name = self.model.key_at(row), self.model.rows[row][1]
        path, _ = QFileDialog.getOpenFileName(
            self, TEXT["replace_pick"].format(name=name), str(documents_folder()),
            TEXT["bundle_filter"],
        )  # fmt: skip
        if path:
            self.replace_from(Path(path), branch_id)

    def replace_from(self, path: Path, branch_id: int) -> None:
        row = next(r for r in list_register() if r.branch_id == branch_id)

        def ask(results: list[SignedBundle | str]) -> None:
            signed = results[0]
            if isinstance(signed, str):
                self._finish([signed], ok=False)
                return
            question = TEXT["ask_replace"].format(
                row=row.name,
                old=row.fingerprint or NO_KEY,
                bundle=signed.path.name,
                name=signed.name,
                new=signed.fingerprint,
            )
            self._finish([self._replace_if_confirmed(signed, question, branch_id)])

        self._run(lambda _progress: [_signed_or_reason(path)], ask)

    def _replace_if_confirmed(
        self, signed: SignedBundle, question: str, branch_id: int | None
    ) -> str:
        answer = QMessageBox.question(
            self,
            TEXT["ask_title"],
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return TEXT["not_replaced"].format(name=signed.name)
        try:
            return bind_key(
                signed.name, signed.public_key, replace=True, branch_id=branch_id
            ).summary()
        except UserError as err:
            return f"{signed.path.name}：{err.message}"

    # --- plumbing -------------------------------------------------------------------------------
    def _run(self, fn, done) -> None:
        self._busy(True)
        self.result_label.hide()
        self.worker = run_in_background(fn, done, lambda message: self._finish([message], ok=False))

    def _busy(self, busy: bool) -> None:
        for button in (self.names_button, self.bundles_button, self.replace_button):
            button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def _finish(self, lines: list[str], *, ok: bool = True) -> None:
        self._busy(False)
        self.worker = None
        self.refresh()
        show_message(self.result_label, "\n".join(lines), ok=ok)


def _signed_or_reason(path: Path) -> SignedBundle | str:
    """The bundle's signer, or why it cannot be registered (said in the dialog)."""
    try:
        return read_signed(path)
    except UserError as err:
        return err.message



class RegisterActions:
    """The 文件 entry 下级党组织… of a main window (`app.ui.main_window.DeferredActions`)."""

    def __init__(self, window: QWidget, actions: dict):
        self.window = window
        self.register_action = actions["open_register"]

    def open_register(self) -> None:
        RegisterDialog(self.window).exec()


def install_register_actions(window: QWidget, actions: dict) -> RegisterActions:
    return RegisterActions(window, actions)
