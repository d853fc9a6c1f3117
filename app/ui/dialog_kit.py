"""The small kit every dialog and form is built from: read-only tables, message labels (an error
under its field that goes away once the field is changed), 保存/取消 and close rows, progress
bars, and a dialog that grows to show a message without leaving the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon

ERROR_STYLE = "color: #b00020;"
WARNING_STYLE = "color: #9a5b00;"
OK_STYLE = "color: #1b5e20;"
HINT_STYLE = "color: #666666;"

TEXT = {"save": "保存", "cancel": "取消", "close": "关闭"}


# --- labels ---------------------------------------------------------------------------------
def error_label(*, selectable: bool = False) -> QLabel:
    """A red, word-wrapped label, hidden until it has something to say."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def result_label() -> QLabel:
    """The outcome of a dialog's work: selectable (paths can be copied), hidden until shown."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def text_label(text: str = "") -> QLabel:
    """A label that wraps its text to the width it is given (explanations, sentences)."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def hint_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def show_message(label: QLabel, text: str, *, ok: bool, fit: bool = True) -> None:
    """Show `text` in green (done) or red (a problem); the dialog grows to show all of it."""
    label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
    label.setText(text)
    label.show()
    if fit:
        fit_to_contents(label.window())


def hide_message(label: QLabel) -> None:
    label.clear()
    label.hide()


def set_steady_text(label: QLabel, text: str) -> None:
    """Change a one-line label that changes often (counts under a sheet) without relaying out
    its window: the label keeps a fixed size, grown (never shrunk) to fit its text. A label
    whose size can change makes every layout up to the window recompute on each new text, and
    the whole page repaint (on the 考勤登记 sheet, ~10 ms of every key). Give the label left
    alignment in its layout, or it is centred in its row."""
    label.setText(text)
    hint, size = label.sizeHint(), label.size()
    fixed = label.minimumSize() == label.maximumSize()
    if not fixed or hint.width() > size.width() or hint.height() != size.height():
        label.setFixedSize(max(hint.width(), size.width() if fixed else 0), hint.height())


def clear_when_edited(label: QLabel, widget: QWidget) -> None:
    """Hide `label` as soon as the user changes `widget` (or any input inside it): the message
    was about the old value, and a fixed field should not stay red."""
    for signal in edit_signals(widget):
        signal.connect(lambda *_: hide_message(label))


def edit_signals(widget: QWidget) -> list:
    """The "value changed by the user" signals of an input widget, or of the inputs inside a
    composite row (a check box beside a date, a group of check boxes)."""
    inputs = [widget, *widget.findChildren(QWidget)]
    signals = []
    for w in inputs:
        if isinstance(w, QLineEdit):
            if not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
                signals.append(w.textEdited)
        elif isinstance(w, QComboBox):
            signals.append(w.currentTextChanged)
        elif isinstance(w, (QPlainTextEdit, QTextEdit)):
            signals.append(w.textChanged)
        elif isinstance(w, QAbstractSpinBox):
            if hasattr(w, "dateTimeChanged"):
                signals.append(w.dateTimeChanged)
            elif hasattr(w, "valueChanged"):
                signals.append(w.valueChanged)
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            signals.append(w.toggled)
    return signals


class FieldErrors:
    """Red lines under the fields of a QFormLayout, keyed by the `field` of a UserError. A line
    goes away when its field is edited; `fallback` names the line for messages about no field
    (or about a field this form does not show)."""

    def __init__(
        self, form: QFormLayout | None = None, *, fallback: str | None = None, grow: bool = False
    ):
        self.form = form
        self.fallback = fallback
        self.grow = grow  # a dialog: resize it to show the whole message
        self.labels: dict[str, QLabel] = {}

    def field(self, key: str, widget: QWidget) -> QWidget:
        """`widget` with its error line under it, for placing in any layout."""
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        label = error_label()
        box.addWidget(label)
        self.labels[key] = label
        clear_when_edited(label, widget)
        return cell

    def add_row(self, key: str, label: str, widget: QWidget) -> None:
        assert self.form is not None, "FieldErrors.add_row needs the form"
        self.form.addRow(label, self.field(key, widget))

    def add_label(self, key: str, label: QLabel) -> None:
        """An error line placed by the caller (e.g. a general line beside the buttons)."""
        self.labels[key] = label

    def clear(self) -> None:
        for label in self.labels.values():
            hide_message(label)

    def label_for(self, key: str | None) -> QLabel:
        label = self.labels.get(key or "")
        if label is None:
            label = self.labels[self.fallback if self.fallback is not None else ""]
        return label

    def show(self, key: str | None, message: str, *, append: bool = False) -> QLabel:
        """Show `message` under field `key`; returns the label (to scroll it into view)."""
        label = self.label_for(key)
        text = (label.text() + "\n" + message) if append and label.text() else message
        label.setText(text)
        label.show()
        if self.grow:
            label.window().adjustSize()
        return label

    def text(self, key: str) -> str:
        return self.labels[key].text()


# --- tables ---------------------------------------------------------------------------------
FIT_SAMPLE_ROWS = 100  # rows measured when columns are fitted to their text


def read_only_table(
    model, *, single: bool = True, wrap: bool = True, row_height: int = 0, fit: bool = True
) -> QTableView:
    """A table of whole rows the user selects and never edits; columns sized to their text
    (`fit`; else the user's to size), the last one taking the rest."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(wrap)
    view.verticalHeader().hide()
    if row_height:
        view.verticalHeader().setDefaultSectionSize(row_height)
    if fit:
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Columns fitted to the rows on view and a sample of the others, not to every row: fitting
    # 300 members' rows took most of a refresh of the 统计 tab.
    view.horizontalHeader().setResizeContentsPrecision(FIT_SAMPLE_ROWS)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def selected_row(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows()
    return rows[0].row() if rows else None


# --- buttons --------------------------------------------------------------------------------
def save_cancel(
    dialog: QDialog, save_text: str = TEXT["save"], cancel_text: str = TEXT["cancel"]
) -> tuple[QDialogButtonBox, QPushButton]:
    """保存 / 取消 wired to the dialog's accept (which validates) and reject; returns the box
    and its 保存 button."""
    buttons = QDialogButtonBox()
    save = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, save


def actions_and_close(
    dialog: QDialog, actions: Iterable[QPushButton], close_text: str = TEXT["close"]
) -> QDialogButtonBox:
    """A row of the dialog's own buttons and 关闭 (which rejects)."""
    buttons = QDialogButtonBox()
    for button in actions:
        buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    buttons.addButton(close_text, QDialogButtonBox.ButtonRole.RejectRole)
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    """A 是/否 question whose default is 否: nothing is removed or changed by a stray Enter."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def button(text: str, slot: Callable[[], object] | None = None, icon_name: str = "") -> QPushButton:
    """A push button (with an icon when named) that calls `slot` when clicked."""
    push = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
    if slot is not None:
        push.clicked.connect(lambda _=False: slot())
    return push


# --- layouts --------------------------------------------------------------------------------
STRETCH = None  # in `column`/`row`: the free space goes here


Item = QWidget | QLayout | str | tuple | None


def _fill(layout: QBoxLayout, items: Iterable[Item]) -> None:
    for item in items:
        if isinstance(item, tuple):  # (widget, stretch factor)
            layout.addWidget(*item)
        elif item is STRETCH:
            layout.addStretch(1)
        elif isinstance(item, str):
            layout.addWidget(QLabel(item))
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)


def column(parent: QWidget | None, *items: Item, margins: int | None = None) -> QVBoxLayout:
    """Items one under another (a string becomes a label, (widget, n) gets stretch factor n,
    STRETCH takes the free space); on `parent` when given. `margins`: the same margin on all
    four sides (0 for none)."""
    layout = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    _fill(layout, items)
    return layout


def row(*items: Item, margins: int | None = None) -> QHBoxLayout:
    """Items side by side, as `column` puts them one under another."""
    layout = QHBoxLayout()
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    _fill(layout, items)
    return layout


def panel(*items: Item, margins: int | None = 0) -> QWidget:
    """A plain widget holding `items` one under another (no margins unless asked)."""
    widget = QWidget()
    column(widget, *items, margins=margins)
    return widget


def side_by_side(
    left: QWidget, right: QWidget, stretch: tuple[int, int], sizes: tuple[int, int] | None = None
) -> QSplitter:
    """Two panes the user can resize; `stretch` shares extra room, `sizes` are the first widths."""
    splitter = QSplitter()
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    if sizes is not None:
        splitter.setSizes(list(sizes))
    return splitter


# --- progress -------------------------------------------------------------------------------
def progress_bar(*, busy: bool = False, width: int = 0) -> QProgressBar:
    """A hidden progress bar; `busy` makes it the moving kind (no known total)."""
    bar = QProgressBar()
    bar.setTextVisible(not busy)
    if busy:
        bar.setRange(0, 0)
    if width:
        bar.setMaximumWidth(width)
    bar.hide()
    return bar


def set_progress(bar: QProgressBar, status: QLabel, done: int, total: int, text: str) -> None:
    bar.setMaximum(max(total, 1))
    bar.setValue(min(done, max(total, 1)))
    if text:
        status.setText(text)


# --- sizes ----------------------------------------------------------------------------------
def size_text(n: int) -> str:
    """A file size as a secretary reads it: 350 KB, 12.5 MB, 1.2 GB."""
    if n < 1024 * 1024:
        return f"{max(n, 0) / 1024:.0f} KB"
    if n < 1024**3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024**3:.1f} GB"


def fit_to_contents(window: QWidget) -> None:
    """Grow the window when a message appears, so nothing is squeezed or clipped, but keep it
    on screen (a 1366x768 laptop with a taskbar must still show the buttons)."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    hint = window.sizeHint()
    start_size(window, max(window.width(), hint.width()), max(window.height(), hint.height()))


def start_size(window: QWidget, width: int, height: int) -> None:
    """Resize to `width` × `height`, reduced to what the screen has room for."""
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width() - 20)
        height = min(height, room.height() - 60)
    window.resize(width, height)
