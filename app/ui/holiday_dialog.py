"""文件 → 录入节假日安排…: the State Council's notice pasted (or opened as .txt/.docx), read (识别)
into a calendar of the year for the secretary to check against the notice, then stored (保存),
which re-checks the year's plan and lists each date it moved (app/services/holiday_schedule.py).
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services import calendar as cal
from app.services.holiday_notice import HolidaySchedule, NoticeReading, read_notice_file
from app.services.holiday_schedule import (
    StoreResult,
    differences_lines,
    preview_notice,
    store_schedule,
)
from app.ui.dialog_kit import WARNING_STYLE, hide_message, hint_label, show_message, start_size
from app.ui.state import AppState

TEXT = {
    "menu": "录入节假日安排…",
    "title": "录入节假日安排",
    "intro": "国务院办公厅每年11—12月发布下一年的《部分节假日安排的通知》。把通知全文粘贴到左边"
    "（从网页、微信、Word、PDF 复制的都可以，连标题一起），或打开保存的 .txt、.docx 文件，"
    "点“识别”，对照通知核对右边的日历，无误后点“保存”。",
    "year": "年份：",
    "paste": "粘贴",
    "open": "打开文件…",
    "clear": "清空",
    "recognise": "识别 →",
    "save": "保存",
    "close": "关闭",
    "placeholder": "在这里粘贴通知全文，例如：\n\n国务院办公厅关于{year}年部分节假日安排的通知\n"
    "……\n一、元旦：……\n二、春节：……\n……\n国务院办公厅\n{prev}年11月×日",
    "open_title": "打开节假日安排通知",
    "open_filter": "通知文件 (*.txt *.docx);;所有文件 (*)",
    "in_use": "{year}年现在使用：{source}",
    "read_from": "{year}年，识别结果：{source}",
    "read_ok": "已读懂：{n} 个假期，{w} 个调休上班日。请对照通知核对日历，无误后点“保存”。",
    "read_bad": "有 {n} 处没有读懂，不能保存。请对照原文改正左边的文字后再点“识别”：",
    "stale": "文字或年份改了，请重新点“识别”。",
    "empty": "请先粘贴通知全文，或打开通知文件。",
    "holidays": "放假：",
    "workdays": "调休上班：",
    "none": "无",
    "legend_holiday": "放假",
    "legend_workday": "调休上班",
    "legend_weekend": "周末",
    "saved_title": "已保存",
}

HOLIDAY_FILL, HOLIDAY_INK = QColor("#fde4e1"), QColor("#b3261e")
WORKDAY_FILL, WORKDAY_INK = QColor("#dcebfb"), QColor("#0b57a4")
WEEKEND_INK, DAY_INK, HEAD_INK = QColor("#8a8a8a"), QColor("#202020"), QColor("#6b6b6b")
WEEKDAY_HEAD = "一二三四五六日"


def default_year(state_year: int, today: dt.date) -> int:
    """The year whose notice is being entered: next year from November (when it comes out)."""
    if today.month >= 11:
        return max(state_year, today.year + 1)
    return state_year


class YearCalendarView(QWidget):
    """Twelve small month grids of one year: the days off of each break and the 调休上班 days
    marked, weekends grey, the breaks named beside the month; hovering a day names its holiday.
    Sizes follow the widget, so a 1366×768 laptop still shows every day."""

    COLUMNS, ROWS = 4, 3
    LINES = 8  # a month: its title, the weekday heads, six weeks

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.year = dt.date.today().year
        self.days_off: dict[dt.date, str] = {}
        self.workdays: set[dt.date] = set()
        self.setMinimumSize(480, 300)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(640, 440)

    def show_schedule(self, schedule: HolidaySchedule) -> None:
        self.year = schedule.year
        self.days_off = {d: n for d, n in schedule.days_off().items() if d.year == schedule.year}
        self.workdays = {d for d in schedule.workdays if d.year == schedule.year}
        self.update()

    # --- geometry ---------------------------------------------------------------------------------
    def _month_rect(self, month: int) -> QRectF:
        w, h = self.width() / self.COLUMNS, self.height() / self.ROWS
        col, row = (month - 1) % self.COLUMNS, (month - 1) // self.COLUMNS
        return QRectF(col * w + 5, row * h + 3, w - 10, h - 6)

    def _cell(self, box: QRectF, slot: int) -> QRectF:
        """Grid slot `slot` of a month box (0 = the Monday of its first week; -7..-1 = the
        weekday heads)."""
        unit = box.height() / self.LINES
        w = box.width() / 7
        return QRectF(box.left() + (slot % 7) * w, box.top() + (2 + slot // 7) * unit, w, unit)

    def _font(self, box: QRectF, *, scale: float, bold: bool = False) -> QFont:
        font = QFont(self.font())
        unit = box.height() / self.LINES
        font.setPixelSize(max(8, int(min(unit * scale, box.width() / 7 * 0.5, 15))))
        font.setBold(bold)
        return font

    def day_at(self, pos: QPointF) -> dt.date | None:
        for month in range(1, 13):
            box = self._month_rect(month)
            if not box.contains(pos):
                continue
            first, days = std_calendar.monthrange(self.year, month)
            for day in range(1, days + 1):
                if self._cell(box, first + day - 1).contains(pos):
                    return dt.date(self.year, month, day)
        return None

    # --- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        for month in range(1, 13):
            box = self._month_rect(month)
            self._paint_title(painter, box, month)
            self._paint_days(painter, box, month)
        painter.end()

    def _paint_title(self, painter: QPainter, box: QRectF, month: int) -> None:
        """"10月" and, in the holiday colour, the breaks that start in it ("国庆节")."""
        line = QRectF(box.left(), box.top(), box.width(), box.height() / self.LINES)
        title, names_font = self._font(box, scale=0.85, bold=True), self._font(box, scale=0.7)
        names = "、".join(
            dict.fromkeys(
                n for d, n in sorted(self.days_off.items()) if d.month == month and (
                    d - dt.timedelta(days=1) not in self.days_off or d.day == 1
                )
            )
        )
        text = f"{month}月"
        width = QFontMetricsF(title).horizontalAdvance(text)
        extra = QFontMetricsF(names_font).horizontalAdvance(" " + names) if names else 0
        left = line.left() + max((line.width() - width - extra) / 2, 0)
        painter.setFont(title)
        painter.setPen(DAY_INK)
        painter.drawText(QRectF(left, line.top(), width, line.height()), Qt.AlignmentFlag.AlignVCenter, text)
        if names:
            painter.setFont(names_font)
            painter.setPen(HOLIDAY_INK)
            rest = QRectF(left + width, line.top(), line.right() - left - width, line.height())
            painter.drawText(rest, Qt.AlignmentFlag.AlignVCenter, " " + names)

    def _paint_days(self, painter: QPainter, box: QRectF, month: int) -> None:
        plain, bold = self._font(box, scale=0.68), self._font(box, scale=0.68, bold=True)
        painter.setFont(plain)
        painter.setPen(HEAD_INK)
        for i, word in enumerate(WEEKDAY_HEAD):
            painter.drawText(self._cell(box, i - 7), Qt.AlignmentFlag.AlignCenter, word)
        first, days = std_calendar.monthrange(self.year, month)
        for day in range(1, days + 1):
            date = dt.date(self.year, month, day)
            cell = self._cell(box, first + day - 1).adjusted(1, 0.5, -1, -0.5)
            fill, ink, font = None, DAY_INK, plain
            if date in self.days_off:
                fill, ink, font = HOLIDAY_FILL, HOLIDAY_INK, bold
            elif date in self.workdays:
                fill, ink, font = WORKDAY_FILL, WORKDAY_INK, bold
            elif date.weekday() >= 5:
                ink = WEEKEND_INK
            if fill is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawRoundedRect(cell, 3, 3)
            painter.setPen(QPen(ink))
            painter.setFont(font)
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(day))

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            day = self.day_at(QPointF(event.pos()))
            text = ""
            if day in self.days_off:
                text = f"{cal.month_day(day)} {self.days_off[day]}（放假）"
            elif day in self.workdays:
                text = f"{cal.month_day(day)} 调休上班"
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


def _swatch(fill: QColor | None, ink: QColor, text: str) -> QLabel:
    label = QLabel(text)
    background = fill.name() if fill is not None else "white"
    label.setStyleSheet(
        f"QLabel {{ background: {background}; color: {ink.name()}; border: 1px solid #d0d0d0;"
        " border-radius: 3px; padding: 1px 8px; }"
    )
    return label


def schedule_summary(schedule: HolidaySchedule) -> str:
    """The breaks and 调休上班 days in words, to read against the notice (a small table: one
    break a line, never broken inside)."""

    def span(p) -> str:
        days = (p.end - p.start).days + 1
        if days == 1:
            return f"{cal.month_day(p.start)}，1天"
        return f"{cal.month_day(p.start)}至{cal.month_day(p.end)}，{days}天"

    rows = [(p.name, span(p)) for p in schedule.holidays] or [(TEXT["holidays"], TEXT["none"])]
    workdays = "、".join(cal.month_day(d) for d in schedule.workdays) or TEXT["none"]
    cells = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(when)}</td></tr>" for name, when in rows
    )
    return (
        f"<table cellspacing='0' cellpadding='1'>{cells}</table>"
        f"{TEXT['workdays']}{html.escape(workdays)}"
    )


class HolidayNoticeDialog(QDialog):
    """Paste or open → 识别 (the calendar and any problem) → 保存 (stored, plan re-checked)."""

    def __init__(self, state: AppState | None, parent: QWidget | None = None, *, year: int | None = None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(TEXT["title"])
        self.reading: NoticeReading | None = None
        self.result: StoreResult | None = None
        start = year or default_year(state.year if state else dt.date.today().year, dt.date.today())
        self._build(start)
        self._show_in_use()
        start_size(self, 1100, 720)

    # --- building -----------------------------------------------------------------------------
    def _build(self, year: int) -> None:
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText(TEXT["placeholder"].format(year=year, prev=year - 1))
        self.paste_button = QPushButton(TEXT["paste"])
        self.open_button = QPushButton(TEXT["open"])
        self.clear_button = QPushButton(TEXT["clear"])
        self.recognise_button = QPushButton(TEXT["recognise"])
        self.recognise_button.setDefault(True)
        self.calendar_title = QLabel()
        self.calendar_title.setWordWrap(True)
        self.calendar = YearCalendarView()
        self.summary_label = hint_label()
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.details = QPlainTextEdit()  # each problem, or each plan date moved
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        self.details.hide()
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(TEXT["save"], QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.save_button.setEnabled(False)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 6, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel(TEXT["year"]))
        top.addWidget(self.year_spin)
        top.addStretch(1)
        for button in (self.paste_button, self.open_button, self.clear_button):
            top.addWidget(button)
        lv.addLayout(top)
        lv.addWidget(self.text_edit, 1)
        lv.addWidget(self.summary_label)
        go = QHBoxLayout()
        go.addStretch(1)
        go.addWidget(self.recognise_button)
        lv.addLayout(go)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        rv.addWidget(self.calendar_title)
        rv.addWidget(self.calendar, 1)
        legend = QHBoxLayout()
        for fill, ink, key in (
            (HOLIDAY_FILL, HOLIDAY_INK, "legend_holiday"),
            (WORKDAY_FILL, WORKDAY_INK, "legend_workday"),
            (None, WEEKEND_INK, "legend_weekend"),
        ):
            legend.addWidget(_swatch(fill, ink, TEXT[key]))
        legend.addStretch(1)
        rv.addLayout(legend)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 6)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(TEXT["intro"]))
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

        self.paste_button.clicked.connect(self.paste)
        self.open_button.clicked.connect(self.choose_file)
        self.clear_button.clicked.connect(self.text_edit.clear)
        self.recognise_button.clicked.connect(self.recognise)
        self.save_button.clicked.connect(self.save)
        self.text_edit.textChanged.connect(self._stale)
        self.year_spin.valueChanged.connect(self._stale)

    # --- what is shown ------------------------------------------------------------------------
    def _show_in_use(self) -> None:
        schedule = cal.schedule_in_use(self.year_spin.value())
        self.calendar_title.setText(TEXT["in_use"].format(year=schedule.year, source=schedule.source))
        self.calendar.show_schedule(schedule)
        self.summary_label.setText(schedule_summary(schedule))

    def _say(self, headline: str, details: list[str] | None = None, *, ok: bool) -> None:
        """A one-line outcome in green or red, the lines behind it in a box that scrolls."""
        show_message(self.message_label, headline, ok=ok, fit=False)
        self.details.setPlainText("\n".join(details or []))
        self.details.setVisible(bool(details))

    def _stale(self) -> None:
        """The text or the year changed after 识别: what was read no longer holds."""
        self.save_button.setEnabled(False)
        if self.reading is not None:
            self.reading = None
            self._say(TEXT["stale"], ok=False)
        elif self.result is None:
            hide_message(self.message_label)
            self.details.hide()
        self._show_in_use()

    # --- actions -----------------------------------------------------------------------------
    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            self.text_edit.setPlainText(text)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, TEXT["open_title"], "", TEXT["open_filter"])
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        try:
            self.text_edit.setPlainText(read_notice_file(path))
        except UserError as err:
            self._say(err.message, ok=False)

    def recognise(self) -> None:
        text, year = self.text_edit.toPlainText(), self.year_spin.value()
        self.result = None
        if not text.strip():
            self._say(TEXT["empty"], ok=False)
            return
        reading = preview_notice(text, year)
        self.calendar_title.setText(TEXT["read_from"].format(year=year, source=reading.schedule.source))
        self.calendar.show_schedule(reading.schedule)
        self.summary_label.setText(schedule_summary(reading.schedule))
        if reading.ok:
            s = reading.schedule
            differences = differences_lines(year, cal.package_differences(year, s))
            headline = TEXT["read_ok"].format(n=len(s.holidays), w=len(s.workdays))
            self._say(headline, differences, ok=True)
            if differences:  # read, but the installed package says otherwise: look again
                self.message_label.setStyleSheet(WARNING_STYLE)
        elif not reading.schedule.holidays:  # refused as a whole (another year, no items)
            self._say("；".join(reading.problems) + "。", ok=False)
        else:
            problems = [f"· {p}" for p in reading.problems]
            self._say(TEXT["read_bad"].format(n=len(problems)), problems, ok=False)
        self.reading = reading if reading.ok else None
        self.save_button.setEnabled(reading.ok)

    def save(self) -> None:
        if self.reading is None:
            return
        try:
            self.result = store_schedule(self.reading.schedule, self.text_edit.toPlainText())
        except UserError as err:
            self._say(err.message, ok=False)
            return
        self.reading = None
        self.save_button.setEnabled(False)
        headline, *details = self.result.lines()
        self._say(headline, details, ok=True)
        self.calendar_title.setText(
            TEXT["in_use"].format(year=self.result.schedule.year, source=self.result.schedule.source)
        )
        if self.state is not None:
            self.state.changed.emit("plan")


class HolidayActions:
    """The 文件 menu's 录入节假日安排… entry."""

    def __init__(self, window):
        self.window = window

    def enter_notice(self) -> None:
        dialog = HolidayNoticeDialog(self.window.state, self.window)
        dialog.exec()


def install_holiday_actions(window, actions: dict) -> HolidayActions:
    return HolidayActions(window)
