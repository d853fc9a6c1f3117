"""Name pickers that find a person by pinyin (zjh, zhangjianhua) as well as by characters, and
list names in pinyin order: the rule is app/services/names.py, this is its Qt side."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter

from app.services.names import matches, sort_key


class NameFilterProxy(QSortFilterProxyModel):
    """Rows whose name (column `name_column`, display text) the query finds, sorted by pinyin
    when sorted on that column."""

    def __init__(self, parent=None, name_column: int = 0):
        super().__init__(parent)
        self.name_column = name_column
        self.query = ""

    def set_query(self, query: str) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10+: invalidateFilter() is deprecated
            self.beginFilterChange()
            self.query = query
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.query = query
            self.invalidateFilter()

    def _name(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> str:
        index = self.sourceModel().index(row, self.name_column, parent)
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        return matches(self._name(row, parent), self.query)

    def lessThan(self, left, right) -> bool:  # noqa: N802
        if left.column() != self.name_column:
            return super().lessThan(left, right)
        return sort_key(str(left.data() or "")) < sort_key(str(right.data() or ""))


def install_name_search(combo: QComboBox) -> NameFilterProxy:
    """Make an editable combo of names find them by pinyin: typing `zjh` pops up 张建华. The
    combo's own items (and their data) stay as they are; choosing from the popup selects it."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    proxy = NameFilterProxy(combo)
    proxy.setSourceModel(combo.model())
    completer = QCompleter(proxy, combo)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.setCompleter(completer)

    def typed(text: str) -> None:
        proxy.set_query(text)
        if text and proxy.rowCount():
            completer.complete()

    def chosen(index: QModelIndex) -> None:
        # the popup lists the proxy's rows unfiltered, so its row is the proxy's row
        combo.setCurrentIndex(proxy.mapToSource(proxy.index(index.row(), 0)).row())

    combo.lineEdit().textEdited.connect(typed)
    completer.activated[QModelIndex].connect(chosen)
    return proxy
