"""Dialogs of the 花名册: a member, leaving the roll, an invited non-member.

A dialog never closes on invalid input: each problem is shown in red under its field.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services.id_numbers import mask
from app.services.roster import (
    AttendeeInput,
    MemberInput,
    attendance_on_or_after,
    create_member,
    duplicate_warning,
    format_date,
    get_attendee,
    get_member,
    leave_roll,
    member_problems,
    parse_date,
    save_attendee,
    update_member,
)
from app.services.roster_dates import DAY, read_date
from app.services.text_rules import NAME_MAX
from app.ui.dialog_kit import (
    WARNING_STYLE,
    FieldErrors,
    column,
    edit_signals,
    hide_message,
    save_cancel,
    text_label,
)

TEXT = {
    "new_member": "新增党员",
    "edit_member": "编辑党员信息",
    "name": "姓名",
    "gender": "性别",
    "gender_none": "（未填）",
    "birth_date": "出生日期",
    "joined_party_date": "入党时间",
    "category": "人员类别",
    "phone": "联系电话",
    "is_mobile": "流动党员（外出务工、经商等）",
    "mobile_location": "流入地",
    "inflow_org": "流入地党组织",
    "is_frail": "年老体弱、行动不便",
    "is_leader": "党员领导干部（双重组织生活）",
    "roll_start": "转入本支部日期",
    "full_member_date": "转正日期",
    "full_member_hint": "预备党员转正后填写（写到日）",
    "id_number": "公民身份号码",
    "id_hint": "18位，只保存在本机，可不填",
    "name_hint": "最多{n}个字",
    "note": "备注",
    "flags": "特殊情况",
    "date_hint": "如 1965-03-12、1965/3/12 或 1965.03",
    "roll_start_hint": "一直在本支部可不填",
    "location_hint": "如 江苏省苏州市",
    "bad_date": "“{text}”不是有效的日期，请写成 1965-03-12、1965/3/12 或 1965.03"
    "（月份和日子要真实存在，如没有2月30日）。",
    "leave_title": "离开花名册 — {name}",
    "left_date": "离开日期",
    "left_reason": "离开原因",
    "left_note": "说明",
    "left_note_hint": "如 转往某某社区党委",
    "leave_explain": "离开后，该党员的历史考勤全部保留；离开日期当天及以后的活动不再计入应参加。",
    "drop_later": "确认删除这些考勤记录",
    "need_date": "请填写离开日期。",
    "need_day": "请写到日，如 2019-07-01。",
    "attendee_new": "新增列席人员",
    "attendee_edit": "编辑列席人员",
    "kind": "身份",
    "active": "仍邀请参加（列入考勤表）",
    "attendee_explain": "列席人员（入党积极分子、发展对象、团员青年、群众代表）只登记参加情况，"
    "不计入应参加、实际参加党员人数。",
}

PRECISION_OF = {"birth_date": "birth_precision", "joined_party_date": "joined_precision"}


def _gender_box() -> QComboBox:
    """性别: （未填）, 男, 女 — the item data is the stored word (None when not given)."""
    box = QComboBox()
    box.addItem(TEXT["gender_none"], None)
    for g in vocab.GENDERS:
        box.addItem(g, g)
    return box


def _date_edit(hint: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(hint)
    edit.setMaxLength(20)
    return edit


# Fields whose checks read one another (roster._date_problems, _id_problems).
RELATED_FIELDS = (
    "birth_date",
    "joined_party_date",
    "full_member_date",
    "roll_start",
    "id_number",
    "gender",
)


class MemberDialog(QDialog):
    """Create or edit one member. `saved_id` is set once saved."""

    def __init__(
        self,
        member_id: int | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self.member_id = member_id
        self.today = today
        self.saved_id: int | None = None
        self._confirmed_duplicate = ""
        self.setWindowTitle(TEXT["edit_member"] if member_id else TEXT["new_member"])
        self.setMinimumWidth(460)

        self.name = QLineEdit()
        self.name.setMaxLength(NAME_MAX)
        self.name.setPlaceholderText(TEXT["name_hint"].format(n=NAME_MAX))
        self._stored_id = ""  # the full number; the field shows it masked until retyped
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(22)
        self.id_number.setPlaceholderText(TEXT["id_hint"])
        self.full_member_date = _date_edit(TEXT["full_member_hint"])
        self.gender = _gender_box()
        self.birth_date = _date_edit(TEXT["date_hint"])
        self.joined_party_date = _date_edit(TEXT["date_hint"])
        self.category = QComboBox()
        self.category.addItems(vocab.MEMBER_CATEGORIES)
        self.phone = QLineEdit()
        self.is_mobile = QCheckBox(TEXT["is_mobile"])
        self.mobile_location = QLineEdit()
        self.mobile_location.setPlaceholderText(TEXT["location_hint"])
        self.inflow_org = QLineEdit()
        self.is_frail = QCheckBox(TEXT["is_frail"])
        self.is_leader = QCheckBox(TEXT["is_leader"])
        self.roll_start = _date_edit(TEXT["roll_start_hint"])
        self.note = QLineEdit()

        form = QFormLayout()
        self.errors = FieldErrors(form, fallback="name", grow=True)
        add = self.errors.add_row
        add("name", TEXT["name"], self.name)
        add("gender", TEXT["gender"], self.gender)
        add("birth_date", TEXT["birth_date"], self.birth_date)
        add("joined_party_date", TEXT["joined_party_date"], self.joined_party_date)
        add("category", TEXT["category"], self.category)
        add("full_member_date", TEXT["full_member_date"], self.full_member_date)
        add("id_number", TEXT["id_number"], self.id_number)
        add("phone", TEXT["phone"], self.phone)
        flags = QWidget()
        flag_box = QVBoxLayout(flags)
        flag_box.setContentsMargins(0, 0, 0, 0)
        for box in (self.is_mobile, self.is_frail, self.is_leader):
            flag_box.addWidget(box)
        add("flags", TEXT["flags"], flags)
        add("mobile_location", TEXT["mobile_location"], self.mobile_location)
        add("inflow_org", TEXT["inflow_org"], self.inflow_org)
        add("roll_start", TEXT["roll_start"], self.roll_start)
        add("note", TEXT["note"], self.note)

        self.warning = QLabel()
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setWordWrap(True)
        self.warning.hide()
        buttons, self.save_button = save_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)

        self.is_mobile.toggled.connect(self._mobile_toggled)
        for key in RELATED_FIELDS:
            for signal in edit_signals(getattr(self, key)):
                signal.connect(self._related_edited)
        for signal in edit_signals(self.name) + edit_signals(self.birth_date):
            signal.connect(lambda *_: hide_message(self.warning))  # 同名 was about the old name
        if member_id is not None:
            self._load(get_member(member_id))
        self._mobile_toggled(self.is_mobile.isChecked())

    def _related_edited(self, *_: object) -> None:
        """The dates, the ID number and the gender are checked against each other: a message
        under one of them may be fixed by editing another, so an edit clears them all."""
        for key in RELATED_FIELDS:
            hide_message(self.errors.labels[key])

    def _mobile_toggled(self, on: bool) -> None:
        self.mobile_location.setEnabled(on)
        self.inflow_org.setEnabled(on)

    def _load(self, m) -> None:  # a Member
        self.name.setText(m.name)
        self.gender.setCurrentIndex(max(0, self.gender.findData(m.gender)))
        self.birth_date.setText(format_date(m.birth_date, m.birth_precision))
        self.joined_party_date.setText(format_date(m.joined_party_date, m.joined_precision))
        self.full_member_date.setText(format_date(m.full_member_date))
        self._stored_id = m.id_number
        self.id_number.setText(mask(m.id_number) if m.id_number else "")
        self.category.setCurrentText(m.category)
        self.phone.setText(m.phone)
        self.is_mobile.setChecked(bool(m.is_mobile))
        self.mobile_location.setText(m.mobile_location)
        self.inflow_org.setText(m.inflow_org)
        self.is_frail.setChecked(bool(m.is_frail))
        self.is_leader.setChecked(bool(m.is_leader))
        self.roll_start.setText(format_date(m.roll_start))
        self.note.setText(m.note)

    def _input(self) -> tuple[MemberInput, bool]:
        """The form as a MemberInput (unreadable dates as None, their errors shown) and whether
        every date could be read."""
        dates: dict[str, object] = {}
        ok = True
        for key in ("birth_date", "joined_party_date", "roll_start", "full_member_date"):
            try:
                written = read_date(getattr(self, key).text())
            except (ValueError, OverflowError):
                text = getattr(self, key).text().strip()
                self.errors.show(key, TEXT["bad_date"].format(text=text), append=True)
                written = None
                ok = False
            if key in PRECISION_OF:  # 1965年11月 stays a month
                dates[PRECISION_OF[key]] = written.precision if written else DAY
            elif written and written.precision != DAY:  # who is expected when: needs the day
                self.errors.show(key, TEXT["need_day"], append=True)
                written, ok = None, False
            dates[key] = written.date if written else None
        typed_id = self.id_number.text().strip()
        stored = self._stored_id and typed_id == mask(self._stored_id)
        return MemberInput(
            id_number=self._stored_id if stored else typed_id,
            name=self.name.text(),
            gender=self.gender.currentData(),
            category=self.category.currentText(),
            phone=self.phone.text(),
            is_mobile=self.is_mobile.isChecked(),
            mobile_location=self.mobile_location.text(),
            inflow_org=self.inflow_org.text(),
            is_frail=self.is_frail.isChecked(),
            is_leader=self.is_leader.isChecked(),
            note=self.note.text(),
            **dates,
        ), ok

    def accept(self) -> None:
        self.errors.clear()
        data, dates_ok = self._input()
        problems = member_problems(data, self.today)
        for p in problems:
            self.errors.show(p.field, p.message, append=True)
        if problems or not dates_ok:
            return
        warning = duplicate_warning(data.name, data.birth_date, self.member_id)
        key = f"{data.cleaned().name}|{data.birth_date}"
        if warning and self._confirmed_duplicate != key:
            # shown once; saving again means "yes, another person of the same name"
            self._confirmed_duplicate = key
            self.warning.setText(warning)
            self.warning.show()
            return
        try:
            if self.member_id is None:
                member = create_member(data, self.today)
            else:
                member = update_member(self.member_id, data, self.today)
        except UserError as err:
            self.errors.show(err.field, err.message, append=True)
            return
        self.saved_id = member.id
        super().accept()


class LeaveDialog(QDialog):
    """离开花名册: date, reason (转出/去世/其他), note; asks before removing later attendance."""

    def __init__(self, member_id: int, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.member = get_member(member_id)
        self.today = today or dt.date.today()
        self.setWindowTitle(TEXT["leave_title"].format(name=self.member.name))
        self.setMinimumWidth(440)
        self.left_date = _date_edit(TEXT["date_hint"])
        self.left_date.setText(self.today.isoformat())
        self.reason = QComboBox()
        self.reason.addItems(vocab.LEAVE_REASONS)
        self.note = QLineEdit()
        self.note.setPlaceholderText(TEXT["left_note_hint"])
        self.drop_later = QCheckBox(TEXT["drop_later"])
        self.drop_later.hide()

        form = QFormLayout()
        self.errors = FieldErrors(form, fallback="left_date", grow=True)
        self.errors.add_row("left_date", TEXT["left_date"], self.left_date)
        self.errors.add_row("left_reason", TEXT["left_reason"], self.reason)
        self.errors.add_row("left_note", TEXT["left_note"], self.note)
        buttons, _save = save_cancel(self)
        column(self, text_label(TEXT["leave_explain"]), form, self.drop_later, buttons)

    def accept(self) -> None:
        self.errors.clear()
        try:
            day = parse_date(self.left_date.text())
        except (ValueError, OverflowError):
            text = self.left_date.text().strip()
            self.errors.show("left_date", TEXT["bad_date"].format(text=text), append=True)
            return
        if day is None:
            self.errors.show("left_date", TEXT["need_date"], append=True)
            return
        try:
            leave_roll(
                self.member.id,
                day,
                self.reason.currentText(),
                self.note.text(),
                drop_later_attendance=not self.drop_later.isHidden()
                and self.drop_later.isChecked(),
                today=self.today,
            )
        except UserError as err:
            if err.field == "later_attendance":
                self.drop_later.setText(
                    TEXT["drop_later"]
                    + f"（{len(attendance_on_or_after(self.member.id, day))} 条）"
                )
                self.drop_later.show()
                self.errors.show("left_date", err.message, append=True)
                return
            self.errors.show(err.field, err.message, append=True)
            return
        super().accept()


class AttendeeDialog(QDialog):
    """An invited non-member [二.3]: listed on the sheet, never counted as a party member."""

    def __init__(self, attendee_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.attendee_id = attendee_id
        self.saved_id: int | None = None
        self.setWindowTitle(TEXT["attendee_edit"] if attendee_id else TEXT["attendee_new"])
        self.setMinimumWidth(420)
        self.name = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(vocab.ATTENDEE_KINDS)
        self.gender = _gender_box()
        self.phone = QLineEdit()
        self.note = QLineEdit()
        self.active = QCheckBox(TEXT["active"])
        self.active.setChecked(True)
        form = QFormLayout()
        self.errors = FieldErrors(form, fallback="name", grow=True)
        self.errors.add_row("name", TEXT["name"], self.name)
        self.errors.add_row("kind", TEXT["kind"], self.kind)
        self.errors.add_row("gender", TEXT["gender"], self.gender)
        self.errors.add_row("phone", TEXT["phone"], self.phone)
        self.errors.add_row("note", TEXT["note"], self.note)
        self.errors.add_row("active", "", self.active)
        buttons, _save = save_cancel(self)
        column(self, text_label(TEXT["attendee_explain"]), form, buttons)
        if attendee_id is not None:
            a = get_attendee(attendee_id)
            self.name.setText(a.name)
            self.kind.setCurrentText(a.kind)
            self.gender.setCurrentIndex(max(0, self.gender.findData(a.gender)))
            self.phone.setText(a.phone)
            self.note.setText(a.note)
            self.active.setChecked(bool(a.active))

    def accept(self) -> None:
        self.errors.clear()
        data = AttendeeInput(
            name=self.name.text(),
            kind=self.kind.currentText(),
            gender=self.gender.currentData(),
            phone=self.phone.text(),
            note=self.note.text(),
            active=self.active.isChecked(),
        )
        try:
            attendee = save_attendee(data, self.attendee_id)
        except UserError as err:
            self.errors.show(err.field, err.message, append=True)
            return
        self.saved_id = attendee.id
        super().accept()
