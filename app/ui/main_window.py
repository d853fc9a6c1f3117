"""The main window: four tabs over one AppState, a menu, a status bar, remembered geometry.

Only what the first paint needs is imported up front: each tab's module is imported when the tab
is built, and the dialogs behind the 文件 menu's bundle and backup entries when first used (or
while the window idles after its first paint).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QMargins,
    QObject,
    QPoint,
    QRect,
    QSettings,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.ui.icons import icon
from app.ui.state import ALL, DEFER_BEFORE_SHOWN, AppState

if TYPE_CHECKING:
    from app.ui.backup_dialogs import BackupActions
    from app.ui.bundle_menu import BundleActions
    from app.ui.plan_tab import PlanTab
    from app.ui.record_tab import RecordTab
    from app.ui.roster_tab import RosterTab
    from app.ui.stats_tab import StatsTab
    from app.ui.workers import Worker

TEXT = {
    "file": "文件(&F)",
    "open_data_dir": "打开数据目录",
    "branch_settings": "党支部设置…",
    "quit": "退出",
    "help": "帮助(&H)",
    "about": "关于",
    "manual": "使用说明",  # app.ui.help_dialog; F1 opens the part about the tab on view
    "roster_template": "下载花名册模板…",
    "template_filter": "Excel 工作簿 (*.xlsx)",
    "template_name": "党员花名册模板.xlsx",
    "template_saved": "已保存花名册模板：\n{path}\n\n按表头填写党员信息（标有“示例”的两行不会导入，"
    "可照着填写后删去），再在“花名册/考勤”页点击“导入花名册…”。",
    "opening": "正在打开台账…",
    "tab_plan": "计划",
    "tab_record": "记录",
    "tab_roster": "花名册/考勤",
    "tab_stats": "统计",
    "import_roster": "导入花名册…",
    "export_roster": "导出花名册…",
    "enter_holidays": "录入节假日安排…",  # app.ui.holiday_dialog, loaded on first use
    # the entries of the bundle and backup groups (their modules load on first use)
    "export_bundle": "导出报送包…",
    "verify_bundle": "校验报送包…",
    "aggregate_bundles": "汇总下级报送包…",
    "import_package": "导入上级下发包…",  # app.ui.downlink_menu, loaded on first use
    "import_receipt": "导入回执…",
    "branch_register": "下级党组织…",  # the township's register: app.ui.township.register_dialog
    "backup_to": "备份到…",
    "restore": "从备份恢复…",
    "trash": "回收站",
    "check": "检查数据库",
    "redate_title": "按新的活动日重排计划",
    "redate_question": "党员活动日已改为每月{day}日。{plans}还在原来的日期。\n\n"
    "现在把它们移到新的活动日吗？（节假日照常顺延；已开展的和已过去的活动不变）",
    "redate_plan": "{year}年计划中有 {n} 次今后的活动",
    "redated": "已按新的活动日重排 {n} 次活动。",
    "about_text": "<b>{app} {version}</b><br>党员活动日计划、记录、考勤与报送的离线台账。<br>"
    "依据《关于建立党员活动日制度的实施意见》。<br>数据目录：{data_dir}",
}


def settings_for(data_dir: Path) -> QSettings:
    """Window state lives in the data dir, so it moves with the data to a new PC."""
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


# The window's first size where the screen has room for it. A smaller screen (1366×768 or
# 1024×768 less the taskbar, or a laptop at 125–150 % scaling) gets a maximised window instead.
PREFERRED_SIZE = QSize(1200, 780)
# Room left for the title bar and borders the system draws around the window; they cannot be
# measured before the window is shown (Windows 10/11 at 100 %: a 31 px title bar, 8 px borders).
FRAME_ALLOWANCE = QMargins(8, 31, 8, 8)


def fit_on_screen(rect: QRect, available: QRect, frame: QMargins = FRAME_ALLOWANCE) -> QRect:
    """`rect` (a window's inside) moved, and shrunk if need be, so that with its frame it lies
    wholly within `available` (a screen's area less the taskbar)."""
    room = available.marginsRemoved(frame)
    width, height = min(rect.width(), room.width()), min(rect.height(), room.height())
    x = min(max(rect.x(), room.left()), room.left() + room.width() - width)
    y = min(max(rect.y(), room.top()), room.top() + room.height() - height)
    return QRect(x, y, width, height)


class LazyPage(QWidget):
    """A tab page whose content is built the first time it is needed, so the window shows
    without waiting for every tab to query the database and lay itself out.

    The content sits in a scroll area: on a screen narrower or lower than a tab's smallest
    layout it scrolls instead of being cut off or pushing the window past the screen's edge."""

    def __init__(self, build: Callable[[], QWidget]):
        super().__init__()
        self._build = build
        self.content: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)  # the content fills the page when it has room
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        # What a page says in the moment between the window appearing and its content (the
        # ledger is opened right after the first paint: app/ui/application.py).
        waiting = QLabel(TEXT["opening"])
        # (centred by the style sheet: Qt's enums, 25 ms to create, come after the first paint)
        waiting.setStyleSheet("color: #666; qproperty-alignment: AlignCenter;")
        self._scroll.setWidget(waiting)
        layout.addWidget(self._scroll)

    def ensure(self, *, show: bool = True) -> QWidget:
        """The content, built if need be; `show` False: built but not yet put on the page (it
        reads and shows its data when put there: a start splits the two over two turns)."""
        if self.content is None:
            self.content = self._build()
        if show and self._scroll.widget() is not self.content:
            self._scroll.setWidget(self.content)
            self.content.show()  # at once, not on the next turn of the event loop
        return self.content


class DeferredActions:
    """A group of 文件 entries whose handler module is imported when one is first used.

    The entries (text and icon) stand in the menu from the start and stay there. The first
    trigger of one, or `load()`, imports the module and calls its `install_…(window, actions)`,
    which returns the object doing the work; each entry calls the method it is named after.
    """

    SEPARATOR = None

    def __init__(
        self,
        window: MainWindow,
        module: str,
        install: str,
        entries: tuple[tuple[str, str, str] | None, ...],
    ):
        """`entries`: (method name, text, icon) per action, or SEPARATOR."""
        self.window = window
        self.module, self.install = module, install
        self.handler: Any = None
        self.actions: dict[str, QAction] = {}
        for entry in entries:
            action = QAction(window)
            if entry is None:
                action.setSeparator(True)
            else:
                method, text, icon_name = entry
                action.setText(text)
                action.setIcon(icon(icon_name))
                action.triggered.connect(lambda _=False, m=method: getattr(self.load(), m)())
                self.actions[method] = action
            window.add_file_action(action)

    def load(self) -> Any:
        if self.handler is None:
            install = getattr(importlib.import_module(self.module), self.install)
            self.handler = install(self.window, self.actions)
        return self.handler


QUIT_SHORTCUT = "Ctrl+Q"
TAB_ICONS = ("fa5s.calendar-alt", "fa5s.edit", "fa5s.users", "fa5s.chart-bar")
# After the first paint, the tab icons are drawn and the other tabs built, one per event-loop
# turn, after this delay, once their modules are imported (on a thread: PREBUILD_MODULES).
PREBUILD_DELAY_MS = 400
PREBUILD_STEP_MS = 10  # between two steps: the user's keys and clicks, and paints, go first
TAB_MODULES = ("app.ui.plan_tab", "app.ui.record_tab", "app.ui.roster_tab", "app.ui.stats_tab")
PREBUILD_MODULES = (*TAB_MODULES, "app.ui.bundle_menu", "app.ui.backup_dialogs")


def import_quietly(modules: tuple[str, ...]) -> None:
    """Import `modules` ahead of use; a module that fails is imported again, and fails where it
    is used, on the UI thread."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 (said again when used)
            continue


class FirstPaint(QObject):
    """Calls `then` once, on the turn of the event loop after `widget` first painted itself."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.then)  # once this paint is done
        return False


class MainWindow(QMainWindow):
    # The ledger is open and the tab on view shows it (at once, or after `ledger_opened`).
    opened = Signal()

    def __init__(self, data_dir: Path, branch_name: str | None = None, *, opening: bool = False):
        """`opening`: the window is shown before the ledger is opened (a start: the models,
        the check and the tab on view come right after its first paint, and `ledger_opened`
        says they are there); `branch_name` is then the title, read without the models."""
        super().__init__()
        self.state = AppState(data_dir, self)
        self.opening = opening
        self._imports: Worker | None = None  # imports the other tabs' modules after the paint
        # The first paint reads data only for the screens it shows (app.ui.state.watch).
        self.setProperty(DEFER_BEFORE_SHOWN, True)
        self.settings = settings_for(data_dir)
        if branch_name is None:
            from app.services.ledger import require_branch

            branch_name = require_branch().name
        self.branch_name = branch_name
        self.setWindowTitle(f"{APP_NAME} — {branch_name}")

        self.setCentralWidget(self._build_tabs())

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._build_menu()
        # The roster's import/export also live in 文件; they reach the tab when used.
        for text, name in (
            (TEXT["import_roster"], "import_action"),
            (TEXT["export_roster"], "export_action"),
        ):
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, n=name: getattr(self.roster_tab, n).trigger())
            self.add_file_action(action)
        self._holiday_group = DeferredActions(
            self,
            "app.ui.holiday_dialog",
            "install_holiday_actions",
            (("enter_notice", TEXT["enter_holidays"], "fa5s.calendar-check"),),
        )
        self._bundle_group = DeferredActions(
            self,
            "app.ui.bundle_menu",
            "install_bundle_actions",
            (
                ("export", TEXT["export_bundle"], "fa5s.file-export"),
                ("verify", TEXT["verify_bundle"], "fa5s.check-double"),
                ("aggregate", TEXT["aggregate_bundles"], "fa5s.layer-group"),
            ),
        )
        self._downlink_group = DeferredActions(
            self,
            "app.ui.downlink_menu",
            "install_downlink_actions",
            (
                ("import_package", TEXT["import_package"], "fa5s.file-import"),
                ("import_receipt", TEXT["import_receipt"], "fa5s.file-signature"),
            ),
        )
        self._register_group = DeferredActions(
            self,
            "app.ui.township.register_dialog",
            "install_register_actions",
            (("open_register", TEXT["branch_register"], "fa5s.sitemap"),),
        )
        self._backup_group = DeferredActions(
            self,
            "app.ui.backup_dialogs",
            "install_backup_actions",
            (
                DeferredActions.SEPARATOR,
                ("backup_to", TEXT["backup_to"], "fa5b.usb"),
                ("restore", TEXT["restore"], "fa5s.history"),
                ("show_trash", TEXT["trash"], "fa5s.trash-restore"),
                ("check", TEXT["check"], "fa5s.stethoscope"),
                DeferredActions.SEPARATOR,
            ),
        )
        self.state.changed.connect(self._update_status)
        self._update_status()
        self._restore_geometry()
        self.menuBar().setEnabled(not opening)  # its entries read the ledger
        if not opening:
            self._add_keys()
            self.pages[self.tabs.currentIndex()].ensure()

    def ledger_opened(self) -> None:
        """The ledger is open (a start that showed the window first): the tab on view shows it,
        the menu works, and the other tabs are built in the moments that follow."""
        self.opening = False
        self.menuBar().setEnabled(True)
        self._add_keys()
        self._update_status()  # the name as the ledger has it
        # The tab on view built a moment later, and filled a moment after that: two short waits
        # of the UI thread rather than one long one; keys, paints and timers go in between.
        QTimer.singleShot(PREBUILD_STEP_MS, self, self._build_tab_on_view)

    def _build_tab_on_view(self) -> None:
        self.pages[self.tabs.currentIndex()].ensure(show=False)
        QTimer.singleShot(PREBUILD_STEP_MS, self, self._fill_tab_on_view)

    def _fill_tab_on_view(self) -> None:
        self.pages[self.tabs.currentIndex()].ensure()
        if self.isVisible():
            QTimer.singleShot(PREBUILD_DELAY_MS, self, self._after_first_paint)
        self.opened.emit()

    def current_tab_module(self) -> str:
        """The module of the tab on view (the one a start fills first)."""
        return TAB_MODULES[self.tabs.currentIndex()]

    def _build_tabs(self) -> QTabWidget:
        """The four tabs, each built when first needed; Ctrl+1 … Ctrl+4 go to them (shown in
        each tab's tooltip)."""
        self.tabs = QTabWidget()
        self.pages = [
            LazyPage(self._build_plan_tab),
            LazyPage(self._build_record_tab),
            LazyPage(self._build_roster_tab),
            LazyPage(self._build_stats_tab),
        ]
        for page, title in zip(
            self.pages,
            (TEXT["tab_plan"], TEXT["tab_record"], TEXT["tab_roster"], TEXT["tab_stats"]),
            strict=True,
        ):
            self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(lambda index: self.opening or self.pages[index].ensure())
        return self.tabs

    def _add_keys(self) -> None:
        """Ctrl+1 … Ctrl+4 to the tabs (in each tab's tooltip), Ctrl+Q, F1: once the ledger is
        open (the keys' Qt enums cost the first paint 50 ms, and nothing works before it)."""
        for index in range(len(self.pages)):
            key = QKeySequence(f"Ctrl+{index + 1}")
            jump = QAction(self)
            jump.setShortcut(key)
            jump.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            self.addAction(jump)
            self.tabs.setTabToolTip(index, key.toString(QKeySequence.SequenceFormat.NativeText))
        # Ctrl+Q everywhere: StandardKey.Quit is unbound on Windows (Ctrl+Q is ⌘Q on a Mac).
        self.quit_action.setShortcut(QKeySequence(QUIT_SHORTCUT))
        self.manual_action.setShortcut(QKeySequence("F1"))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if not self.opening:  # else once the ledger is open (`ledger_opened`)
            QTimer.singleShot(PREBUILD_DELAY_MS, self, self._after_first_paint)  # dropped if closed

    def _after_first_paint(self) -> None:
        if not self.isVisible():
            return
        for index, name in enumerate(TAB_ICONS):
            self.tabs.setTabIcon(index, icon(name))
        # The other tabs' and the dialogs' modules are imported on a worker thread: an import
        # of one (its services, openpyxl, stdnum…) took 0.1–0.2 s of the UI thread, a stall
        # the user felt; the tabs are then built on the UI thread, one per turn, once it is done.
        from app.ui.workers import run_in_background

        self._imports = run_in_background(
            lambda _progress: import_quietly(PREBUILD_MODULES),
            self._after_imports,
            self._after_imports,  # what failed to import fails again where it is used, and says so
        )

    def _after_imports(self, _outcome: object = None) -> None:
        self._prebuild_next_page()

    def _prebuild_next_page(self) -> None:
        """Build the remaining tabs while the user reads the first, one per turn of the loop,
        then load the 文件 menu's dialogs, so that none of them waits for an import later."""
        if not self.isVisible():  # closed meanwhile: nothing to prepare
            return
        for page in self.pages:
            if page.content is None:
                page.ensure()
                QTimer.singleShot(PREBUILD_STEP_MS, self, self._prebuild_next_page)
                return
        for group in (self._bundle_group, self._backup_group):
            if group.handler is None:
                if self.file_menu.isVisible():  # not under the user's pointer; try again soon
                    QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next_page)
                else:
                    group.load()
                    QTimer.singleShot(PREBUILD_STEP_MS, self, self._prebuild_next_page)
                return

    # --- the four tabs (built on first use) -----------------------------------------------------
    # Each is built with the window as its parent: one built after the first paint, behind the
    # tab on view, reads nothing until it is shown (app.ui.state.watch).
    def _build_plan_tab(self) -> PlanTab:
        from app.ui.plan_tab import PlanTab

        return PlanTab(self.state, self)

    def _build_record_tab(self) -> RecordTab:
        from app.ui.record_tab import RecordTab

        tab = RecordTab(self.state, self)
        tab.attendance_requested.connect(self.show_attendance)
        return tab

    def _build_roster_tab(self) -> RosterTab:
        from app.ui.roster_tab import RosterTab

        return RosterTab(self.state, self)

    def _build_stats_tab(self) -> StatsTab:
        from app.ui.stats_tab import StatsTab

        return StatsTab(self.state, self)

    @property
    def plan_tab(self) -> PlanTab:
        return self.pages[0].ensure()

    @property
    def record_tab(self) -> RecordTab:
        return self.pages[1].ensure()

    @property
    def roster_tab(self) -> RosterTab:
        return self.pages[2].ensure()

    @property
    def stats_tab(self) -> StatsTab:
        return self.pages[3].ensure()

    # --- menu --------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        self.file_menu = self.menuBar().addMenu(TEXT["file"])
        self.open_dir_action = QAction(icon("fa5s.folder-open"), TEXT["open_data_dir"], self)
        self.open_dir_action.triggered.connect(self.open_data_dir)
        self.file_menu.addAction(self.open_dir_action)
        self.settings_action = QAction(icon("fa5s.cog"), TEXT["branch_settings"], self)
        self.settings_action.triggered.connect(self.edit_branch_settings)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(TEXT["quit"], self)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)
        self._file_insert_before = self.quit_action

        self.help_menu = self.menuBar().addMenu(TEXT["help"])
        self.help_dialog = None
        self.manual_action = QAction(icon("fa5s.question-circle"), TEXT["manual"], self)
        self.manual_action.triggered.connect(self.show_help)
        self.help_menu.addAction(self.manual_action)
        self.template_action = QAction(TEXT["roster_template"], self)
        self.template_action.triggered.connect(self.save_roster_template)
        self.help_menu.addAction(self.template_action)
        about = QAction(TEXT["about"], self)
        about.triggered.connect(self.show_about)
        self.help_menu.addAction(about)

    @property
    def bundle_actions(self) -> BundleActions:
        """导出/校验/汇总报送包 (`app.ui.bundle_menu`), loaded on first use."""
        return self._bundle_group.load()

    @property
    def backup_actions(self) -> BackupActions:
        """备份到/从备份恢复/回收站/检查数据库 (`app.ui.backup_dialogs`), loaded on first use."""
        return self._backup_group.load()

    def add_file_action(self, action: QAction) -> None:
        """Later features (export, backup, restore…) put their actions above 退出."""
        self.file_menu.insertAction(self._file_insert_before, action)

    def edit_branch_settings(self) -> None:
        from app.services import plan as plans
        from app.ui.branch_form import BranchSettingsDialog

        day_before = plans.branch_day()
        if BranchSettingsDialog(self).exec() == BranchSettingsDialog.DialogCode.Accepted:
            self.state.changed.emit("branch")  # the title and the status line too
            if plans.branch_day() != day_before:
                self.offer_redate()

    def offer_redate(self, today: dt.date | None = None) -> None:
        """The activity day changed: plans made on the old day are offered a move (rule 1)."""
        from app.services import plan as plans

        today = today or dt.date.today()
        pending = {
            year: changes
            for year in plans.plan_years()
            if year >= today.year
            and (changes := plans.redate_unheld(year, since=today, dry_run=True))
        }
        if not pending:
            return
        day, _custom = plans.branch_day()
        question = TEXT["redate_question"].format(
            day=day,
            plans="，".join(
                TEXT["redate_plan"].format(year=y, n=len(c)) for y, c in pending.items()
            ),
        )
        if QMessageBox.question(self, TEXT["redate_title"], question) != (
            QMessageBox.StandardButton.Yes
        ):
            return
        moved = sum(len(plans.redate_unheld(year, since=today)) for year in pending)
        self.state.changed.emit("activities")
        self.statusBar().showMessage(TEXT["redated"].format(n=moved), 15000)

    def settle_unsaved_record(self) -> bool:
        """Before a restore replaces the data: the 记录 editor's unsaved edits are saved or
        dropped, as the secretary chooses. False: stay, nothing is to be replaced."""
        record_tab = self.pages[1].content  # not built yet: nothing typed there
        return record_tab is None or record_tab.settle_before_restore()

    def show_attendance(self, activity_id: int) -> None:
        """From the 记录 tab: open the 花名册/考勤 tab on this activity's attendance."""
        self.tabs.setCurrentIndex(2)
        self.roster_tab.show_attendance(activity_id)

    def open_data_dir(self) -> None:
        from app.ui.desktop import open_in_viewer

        open_in_viewer(self.state.data_dir)

    def save_roster_template(self) -> Path | None:
        """帮助 → 下载花名册模板: ask where, write the template (app.services.roster_export)."""
        from app.errors import UserError
        from app.services.roster_export import write_template
        from app.ui import desktop

        path = desktop.choose_save_path(
            self,
            TEXT["roster_template"].rstrip("…"),
            TEXT["template_name"],
            TEXT["template_filter"],
            ".xlsx",
        )
        if path is None:
            return None
        try:
            write_template(path)
        except UserError as err:
            QMessageBox.warning(self, TEXT["roster_template"].rstrip("…"), err.message)
            return None
        QMessageBox.information(
            self, TEXT["roster_template"].rstrip("…"), TEXT["template_saved"].format(path=path)
        )
        return path

    def help_anchor(self) -> str:
        """The manual's part about what is on view: the tab, or the 考勤登记 page of the roster."""
        from app.ui.help_dialog import TAB_ANCHORS

        index = self.tabs.currentIndex()
        roster = self.pages[2].content
        if index == 2 and roster is not None and roster.pages.currentWidget() is roster.attendance:
            return "attendance"
        return TAB_ANCHORS[index]

    def show_help(self) -> None:
        """帮助 → 使用说明 and F1: the manual, open at the part about the tab on view."""
        from app.ui.help_dialog import HelpDialog

        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show_part(self.help_anchor())

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            TEXT["about"],
            TEXT["about_text"].format(
                app=APP_NAME, version=__version__, data_dir=self.state.data_dir
            ),
        )

    # --- status and geometry -----------------------------------------------------------------
    def _update_status(self, what: str = ALL) -> None:
        if what not in (ALL, "branch"):
            return  # only the branch's name is shown
        if not self.opening:  # renamed in 党支部设置, or a restore brought another
            from app.services.ledger import require_branch

            self.branch_name = require_branch().name
            self.setWindowTitle(f"{APP_NAME} — {self.branch_name}")
        self.status_label.setText(f"{self.branch_name}　|　数据目录：{self.state.data_dir}")

    def _restore_geometry(self) -> None:
        """Last session's place and size, kept fully on a screen (the monitor may have changed
        since); on the first start, a size that fits this screen."""
        geometry = self.settings.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self._place_on_first_start()
        elif not (self.isMaximized() or self.isFullScreen()):  # those fit their screen already
            rect = self.geometry()
            fitted = fit_on_screen(rect, self._screen_at(rect).availableGeometry())
            if fitted != rect:
                self.setGeometry(fitted)
        index = self.settings.value("main/tab")
        if index is not None:
            self.tabs.setCurrentIndex(int(index))

    def _place_on_first_start(self) -> None:
        available = QGuiApplication.primaryScreen().availableGeometry()
        room = available.marginsRemoved(FRAME_ALLOWANCE)
        rect = QRect(QPoint(0, 0), PREFERRED_SIZE.boundedTo(room.size()))
        rect.moveCenter(room.center())
        self.setGeometry(rect)  # also the size to come back to from maximised
        if rect.size() != PREFERRED_SIZE:
            from PySide6.QtCore import Qt

            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    @staticmethod
    def _screen_at(rect: QRect) -> QScreen:
        """The screen showing most of `rect`'s middle; the main one if none does (a monitor
        that has been unplugged since)."""
        return QGuiApplication.screenAt(rect.center()) or QGuiApplication.primaryScreen()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # A tab holding unsaved work (the 记录 editor) may ask to save it or to stay open.
        for page in self.pages:
            confirm = getattr(page.content, "confirm_close", None)
            if confirm is not None and not confirm():
                event.ignore()
                return
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/tab", self.tabs.currentIndex())
        self.settings.sync()
        super().closeEvent(event)
