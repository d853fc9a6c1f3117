"""The 统计 tab's three tables (rule 8): 党员参加情况, 谈话提醒 and 不合格党员认定依据 — their
columns, their rows from `YearStatistics`, and a sortable read-only table of raw values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableView

from app.models import vocab
from app.services.evaluation import TalkRecord
from app.services.statistics import MemberStats, YearStatistics
from app.ui.dialog_kit import read_only_table
from app.ui.table_model import RowsTableModel

TEXT = {
    "not_talked": "未谈话",
    "past_deadline": "（已过整改期限）",
    "talks_count": "（{n}次谈话）",
    "hint_basis": "不合格党员认定依据",
    "hint_talk": "谈话提醒",
    "hint_joined": "{day} 起在册",
    "hint_left": "{day} 离开花名册",
}

MEMBER_HEADERS = [
    *"姓名 类别 应参加".split(),
    *vocab.TAKING_PART_STATUSES,  # 出席 线上参加 流入地参加 适当方式参加
    *"实际参加 请假 缺席 未登记 未参加次数 参加率 提示".split(),
]
TALK_HEADERS = "姓名 未参加次数 请假 缺席 谈话日期 谈话人 整改期限 整改状态 谈话内容".split()
BASIS_HEADERS = "姓名 未参加次数 应参加 请假 缺席 谈话提醒情况".split()

TALK_COLOR = QColor("#FFF2CC")
BASIS_COLOR = QColor("#F8CBAD")
Talks = dict[int, list[TalkRecord]]


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def row_color(m: MemberStats) -> QColor | None:
    if m.unqualified_basis:
        return BASIS_COLOR
    if m.talk_reminder:
        return TALK_COLOR
    return None


class StatsTableModel(RowsTableModel):
    """Rows of raw values (numbers sort as numbers), shown through per-column formatters,
    with an optional background colour per row."""

    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(
        self, headers: Sequence[str], formatters: dict[int, Callable[[Any], str]] | None = None
    ):
        super().__init__(headers)
        self.formatters = formatters or {}
        self.colors: list[QColor | None] = []

    def set_rows(self, rows, keys=None, colors: Sequence[QColor | None] | None = None) -> None:
        self.colors = list(colors) if colors is not None else [None] * len(rows)
        super().set_rows(rows, keys)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            fmt = self.formatters.get(index.column())
            if fmt is not None:
                return fmt(value)
            return "" if value is None else str(value)
        if role == self.SORT_ROLE:
            return -1 if value is None else value
        if role == Qt.ItemDataRole.BackgroundRole:
            color = self.colors[index.row()]
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def sortable_table(model: StatsTableModel) -> QTableView:
    """A read-only table sorted by clicking a header (numbers as numbers); the roll order
    until asked."""
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(StatsTableModel.SORT_ROLE)
    view = read_only_table(proxy, fit=False)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    return view


def source_key(view: QTableView, model: StatsTableModel, proxy_row: int) -> Any:
    """The key of the model row shown at `proxy_row` of a sorted view."""
    proxy = view.model()
    return model.key_at(proxy.mapToSource(proxy.index(proxy_row, 0)).row())


def latest_talk(talks: Talks, member_id: int) -> TalkRecord | None:
    records = talks.get(member_id)
    return records[-1] if records else None


def talk_follow_up(talks: Talks, member_id: int, today: dt.date) -> str:
    """整改状态 of the member's latest talk (未谈话 without one), flagged past its deadline."""
    talk = latest_talk(talks, member_id)
    if talk is None:
        return TEXT["not_talked"]
    return talk.state + (TEXT["past_deadline"] if talk.is_past_deadline(today) else "")


def member_hint(m: MemberStats, year: int) -> str:
    """提示: talk or 认定依据, and joining or leaving the roll within the year."""
    hints = []
    if m.unqualified_basis:
        hints.append(TEXT["hint_basis"])
    elif m.talk_reminder:
        hints.append(TEXT["hint_talk"])
    if m.roll_start and m.roll_start.year == year:
        hints.append(TEXT["hint_joined"].format(day=m.roll_start.isoformat()))
    if m.left_date and m.left_date.year == year:
        hints.append(TEXT["hint_left"].format(day=m.left_date.isoformat()))
    return "；".join(hints)


# 实际参加 … 参加率: MemberStats attributes, in the order of MEMBER_HEADERS
COUNT_COLUMNS = ("took_part", "leave", "absent", "unrecorded", "not_taking_part", "rate")


def member_rows(stats: YearStatistics) -> list[tuple]:
    return [
        (
            m.name,
            m.category,
            m.expected,
            *(m.by_status[status] for status in vocab.TAKING_PART_STATUSES),
            *(getattr(m, column) for column in COUNT_COLUMNS),
            member_hint(m, stats.year),
        )
        for m in stats.members
    ]


def talk_rows(stats: YearStatistics, talks: Talks, today: dt.date) -> list[tuple]:
    rows = []
    for m in stats.talk_reminder:
        talk = latest_talk(talks, m.member_id)
        state = talk_follow_up(talks, m.member_id, today)
        if talk is not None and len(talks[m.member_id]) > 1:
            state += TEXT["talks_count"].format(n=len(talks[m.member_id]))
        rows.append(
            (
                m.name,
                m.not_taking_part,
                m.leave,
                m.absent,
                talk.talk_date.isoformat() if talk else "",
                talk.talker if talk else "",
                talk.deadline.isoformat() if talk and talk.deadline else "",
                state,
                talk.note if talk else "",
            )
        )
    return rows


def dated_follow_up(talks: Talks, member_id: int, today: dt.date) -> str:
    """谈话提醒情况: the latest talk's date and 整改状态, or 未谈话."""
    talk = latest_talk(talks, member_id)
    follow_up = talk_follow_up(talks, member_id, today)
    return f"{talk.talk_date.isoformat()} {follow_up}" if talk else follow_up


def basis_rows(stats: YearStatistics, talks: Talks, today: dt.date) -> list[tuple]:
    follow_up = {m.member_id: dated_follow_up(talks, m.member_id, today) for m in stats.members}
    return [
        (m.name, m.not_taking_part, m.expected, m.leave, m.absent, follow_up[m.member_id])
        for m in stats.unqualified_basis
    ]
