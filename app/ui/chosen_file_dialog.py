"""A dialog about one file from the township, chosen with 选择… or dropped on it: its intro, the
read-only path line and its button, what the dialog adds (`body`), and its buttons beside 关闭.
导入上级下发包 and 导入回执 say in `read` what they do with the file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit, QPushButton, QWidget

from app.ui import dialog_kit as kit
from app.ui.drives import DropTarget, start_folder
from app.ui.state import AppState


class ChosenFileDialog(DropTarget, QDialog):
    # The dialog's words: its "title", "intro", the "choose" button, the picker's "filter" and
    # the path line's "placeholder".
    text: dict[str, str] = {}
    size_at_start = (680, 300)

    def __init__(
        self, state: AppState | None, parent: QWidget | None = None, *, path: Path | None = None
    ):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(self.text["title"])
        self.setAcceptDrops(True)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(self.text["placeholder"])
        self.error = kit.error_label(selectable=True)
        self.result = kit.result_label()
        kit.column(
            self,
            kit.hint_label(self.text["intro"]),
            kit.row(
                (self.path_edit, 1),
                kit.button(self.text["choose"], self.choose, "fa5s.folder-open"),
            ),
            *self.body(),
            kit.actions_and_close(self, self.actions()),
        )
        kit.start_size(self, *self.size_at_start)
        if path is not None:
            self.open_file(path)

    def body(self) -> list[kit.Item]:
        """What stands between the path line and the buttons (with `error` and `result`)."""
        return [self.error, self.result, None]

    def actions(self) -> list[QPushButton]:
        return []

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.text["choose"], str(start_folder()), self.text["filter"]
        )
        if name:
            self.open_file(Path(name))

    def take_drop(self, paths: list[Path]) -> None:
        self.open_file(paths[0])

    def open_file(self, path: Path) -> None:
        """Show the file's path, clear the last file's messages, then `read` it."""
        self.path_edit.setText(str(path))
        kit.hide_message(self.error)
        kit.hide_message(self.result)
        self.read(path)

    def read(self, path: Path) -> None:
        raise NotImplementedError
