"""记录谈话提醒 (rule 8, seed [四.2]): the date, who talked, what was said and the deadline for
correction. The dialog stays open, the message under its field, until the input is valid."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.errors import UserError
from app.services.evaluation import TalkRecord, record_talk
from app.services.statistics import MemberStats
from app.ui.dates import date_edit, pydate
from app.ui.dialog_kit import FieldErrors, column, error_label, save_cancel

TEXT = {
    "title": "记录谈话提醒",
    "member": "党员：<b>{name}</b>（{year}年累计未参加 {count} 次）",
    "talk_date": "谈话日期",
    "talker": "谈话人",
    "talker_hint": "如：王建国（支部书记）",
    "note": "谈话内容及整改意见",
    "deadline": "整改期限",
}

CORRECTION_DAYS = 30  # the deadline first offered: a month after the talk


class TalkDialog(QDialog):
    """Record a 谈话提醒 for `member`; `saved` is the record once stored."""

    def __init__(
        self,
        member: MemberStats,
        year: int,
        talker: str = "",
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.member = member
        self.year = year
        self.saved: TalkRecord | None = None
        today = today or dt.date.today()
        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(460)

        self.talk_date = date_edit(today)
        self.talker_edit = QLineEdit(talker)
        self.talker_edit.setPlaceholderText(TEXT["talker_hint"])
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(90)
        self.deadline = date_edit(today + dt.timedelta(days=CORRECTION_DAYS))

        form = QFormLayout()
        form.addRow(
            QLabel(TEXT["member"].format(name=member.name, year=year, count=member.not_taking_part))
        )
        self.field_errors = FieldErrors(form, fallback="")
        self.field_errors.add_row("talk_date", TEXT["talk_date"], self.talk_date)
        self.field_errors.add_row("talker", TEXT["talker"], self.talker_edit)
        form.addRow(TEXT["note"], self.note_edit)
        self.field_errors.add_row("deadline", TEXT["deadline"], self.deadline)
        general = error_label()
        self.field_errors.add_label("", general)
        form.addRow(general)
        self.errors = self.field_errors.labels
        self.buttons, self.save_button = save_cancel(self)
        column(self, form, self.buttons)

    def accept(self) -> None:
        """保存: store the talk, or show what to fix beside its field."""
        self.field_errors.clear()
        try:
            self.saved = record_talk(
                self.member.member_id,
                self.year,
                pydate(self.talk_date.date()),
                self.talker_edit.text(),
                self.note_edit.toPlainText(),
                pydate(self.deadline.date()),
            )
        except UserError as err:
            self.field_errors.show(err.field, err.message)
            return
        super().accept()
