"""生成下发包 (the township): the year's holiday schedule as entered here (or 录入节假日安排… first),
the deadline for the plan, 年度主题/要求 and a file of suggested themes, signed with the township's
key into one zip on a USB stick or in a folder (`app.township.issue_package`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.bundle.downlink import REQUIREMENTS_MAX
from app.errors import UserError
from app.services import calendar as cal
from app.services.text_rules import check_text
from app.township.identity import open_township, township_name
from app.township.issue_package import IssuedPackage, issue_package, read_theme_file
from app.ui.desktop import open_in_viewer
from app.ui.dialog_kit import (
    actions_and_close,
    button,
    column,
    error_label,
    hide_message,
    hint_label,
    result_label,
    row,
    show_message,
    start_size,
)
from app.ui.drives import start_folder

TEXT = {
    "title": "生成下发包",
    "intro": "下发包把当年的节假日安排、年度计划报送截止日期、年度主题/要求和各月建议主题，"
    "连同本乡镇党委的签名，一次发给各党支部；支部用“文件 → 导入上级下发包…”导入，"
    "计划中落在假期的日期会自动顺延。",
    "township": "乡镇党委名称：",
    "township_placeholder": "如：中共青山镇委员会",
    "year": "年度：",
    "schedule": "节假日安排：",
    "schedule_in": "已录入：{source}",
    "schedule_none": "本机还没有录入{year}年的通知（不附节假日安排）",
    "enter_notice": "录入节假日安排…",
    "deadline": "计划报送截止：",
    "deadline_placeholder": "月-日，如 03-20（不填则不附）",
    "requirements": "年度主题/要求：",
    "requirements_placeholder": "（可不填）例如：2027年各支部围绕……开展党日活动",
    "themes": "建议主题文件：",
    "themes_placeholder": "（可不填）与支部“可编辑/themes.json”写法相同的文件",
    "choose_themes": "选择…",
    "themes_filter": "主题文件 (*.json *.txt);;所有文件 (*)",
    "out": "保存到：",
    "choose_out": "选择文件夹…",
    "issue": "生成下发包",
    "open_folder": "打开所在文件夹",
}


def default_year(today: dt.date) -> int:
    """From October the package is for next year (the notice comes out in November)."""
    return today.year + 1 if today.month >= 10 else today.year


class IssuePackageDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.issued: IssuedPackage | None = None
        self.setWindowTitle(TEXT["title"])
        self.township_edit = QLineEdit(township_name() or "")
        self.township_edit.setPlaceholderText(TEXT["township_placeholder"])
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(default_year(today or dt.date.today()))
        self.year_spin.valueChanged.connect(self.show_schedule)
        self.schedule_label = hint_label()
        self.deadline_edit = QLineEdit()
        self.deadline_edit.setPlaceholderText(TEXT["deadline_placeholder"])
        self.requirements_edit = QPlainTextEdit()
        self.requirements_edit.setPlaceholderText(TEXT["requirements_placeholder"])
        self.requirements_edit.setMaximumHeight(self.fontMetrics().height() * 6)
        self.themes_edit = QLineEdit()
        self.themes_edit.setPlaceholderText(TEXT["themes_placeholder"])
        self.out_edit = QLineEdit(str(start_folder()))
        self.error = error_label(selectable=True)
        self.result = result_label()
        self.issue_button = button(TEXT["issue"], self.issue, "fa5s.stamp")
        self.open_button = button(TEXT["open_folder"], self.open_folder, "fa5s.folder-open")
        self.open_button.hide()
        form = QFormLayout()
        form.addRow(TEXT["township"], self.township_edit)
        form.addRow(TEXT["year"], row(self.year_spin, None))
        form.addRow(
            TEXT["schedule"],
            row((self.schedule_label, 1), button(TEXT["enter_notice"], self.enter_notice)),
        )
        form.addRow(TEXT["deadline"], self.deadline_edit)
        form.addRow(TEXT["requirements"], self.requirements_edit)
        form.addRow(
            TEXT["themes"],
            row((self.themes_edit, 1), button(TEXT["choose_themes"], self.choose_themes)),
        )
        form.addRow(
            TEXT["out"], row((self.out_edit, 1), button(TEXT["choose_out"], self.choose_out))
        )
        column(
            self,
            hint_label(TEXT["intro"]),
            form,
            self.error,
            self.result,
            None,
            actions_and_close(self, [self.open_button, self.issue_button]),
        )
        self.show_schedule()
        start_size(self, 760, 560)

    def show_schedule(self, *_: object) -> None:
        year = self.year_spin.value()
        stored = cal.stored_schedule(year)
        self.schedule_label.setText(
            TEXT["schedule_in"].format(source=stored.source)
            if stored
            else TEXT["schedule_none"].format(year=year)
        )

    def enter_notice(self) -> None:
        from app.ui.holiday_dialog import HolidayNoticeDialog

        HolidayNoticeDialog(None, self, year=self.year_spin.value()).exec()
        self.show_schedule()

    def choose_themes(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose_themes"], str(start_folder()), TEXT["themes_filter"]
        )
        if name:
            self.themes_edit.setText(name)

    def choose_out(self) -> None:
        name = QFileDialog.getExistingDirectory(self, TEXT["choose_out"], self.out_edit.text())
        if name:
            self.out_edit.setText(name)

    def issue(self) -> None:
        hide_message(self.error)
        hide_message(self.result)
        try:
            self.issued, lines = self._issue()
        except UserError as err:
            show_message(self.error, err.message, ok=False)
            return
        show_message(self.result, "\n".join(lines), ok=True)
        self.open_button.show()

    def _issue(self) -> tuple[IssuedPackage, list[str]]:
        township = open_township(self.township_edit.text().strip() or None)
        text = self.requirements_edit.toPlainText()
        requirements = ""
        if text.strip():
            requirements = check_text(text, "年度主题/要求", REQUIREMENTS_MAX, multiline=True)
        themes_file = self.themes_edit.text().strip()
        themes = read_theme_file(Path(themes_file)) if themes_file else None
        issued = issue_package(
            township,
            self.year_spin.value(),
            Path(self.out_edit.text().strip()),
            deadline=self.deadline_edit.text().strip() or None,
            requirements=requirements,
            themes=themes,
        )
        return issued, issued.lines(township)

    def open_folder(self) -> None:
        if self.issued is not None:
            open_in_viewer(self.issued.path.parent)
