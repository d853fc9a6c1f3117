"""The main window: four tabs over one AppState, a menu, a status bar, remembered geometry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app import APP_NAME, __version__
from app.services.ledger import require_branch
from app.ui.backup_dialogs import install_backup_actions
from app.ui.bundle_dialogs import install_bundle_actions
from app.ui.icons import icon
from app.ui.plan_tab import PlanTab
from app.ui.record_tab import RecordTab
from app.ui.roster_tab import RosterTab
from app.ui.state import AppState
from app.ui.stats_tab import StatsTab

TEXT = {
    "file": "文件(&F)",
    "open_data_dir": "打开数据目录",
    "branch_settings": "党支部设置…",
    "quit": "退出",
    "help": "帮助(&H)",
    "about": "关于",
    "tab_plan": "计划",
    "tab_record": "记录",
    "tab_roster": "花名册/考勤",
    "tab_stats": "统计",
    "import_roster": "导入花名册…",
    "export_roster": "导出花名册…",
    "about_text": "<b>{app} {version}</b><br>党员活动日计划、记录、考勤与报送的离线台账。<br>"
    "依据《关于建立党员活动日制度的实施意见》。<br>数据目录：{data_dir}",
}


def settings_for(data_dir: Path) -> QSettings:
    """Window state lives in the data dir, so it moves with the data to a new PC."""
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


class LazyPage(QWidget):
    """A tab page whose content is built the first time it is needed, so the window shows
    without waiting for every tab to query the database and lay itself out."""

    def __init__(self, build: Callable[[], QWidget]):
        super().__init__()
        self._build = build
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            self._layout.addWidget(self.content)
            self.content.show()  # at once, not on the next turn of the event loop
        return self.content


TAB_ICONS = ("fa5s.calendar-alt", "fa5s.edit", "fa5s.users", "fa5s.chart-bar")
# After the first paint, the tab icons are drawn and the other tabs built, one per event-loop
# turn, after this delay.
PREBUILD_DELAY_MS = 400


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path):
        super().__init__()
        self.state = AppState(data_dir, self)
        self.settings = settings_for(data_dir)
        branch = require_branch()
        self.setWindowTitle(f"{APP_NAME} — {branch.name}")
        self.resize(1200, 780)

        self.tabs = QTabWidget()
        self.pages = [
            LazyPage(lambda: PlanTab(self.state)),
            LazyPage(self._build_record_tab),
            LazyPage(lambda: RosterTab(self.state)),
            LazyPage(lambda: StatsTab(self.state)),
        ]
        for page, title in zip(
            self.pages,
            (TEXT["tab_plan"], TEXT["tab_record"], TEXT["tab_roster"], TEXT["tab_stats"]),
            strict=True,
        ):
            self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(lambda index: self.pages[index].ensure())
        self.setCentralWidget(self.tabs)

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
        self.bundle_actions = install_bundle_actions(self)
        self.backup_actions = install_backup_actions(self)
        self.state.changed.connect(self._update_status)
        self._update_status()
        self._restore_geometry()
        self.pages[self.tabs.currentIndex()].ensure()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        QTimer.singleShot(PREBUILD_DELAY_MS, self, self._after_first_paint)  # dropped if closed

    def _after_first_paint(self) -> None:
        if not self.isVisible():
            return
        for index, name in enumerate(TAB_ICONS):
            self.tabs.setTabIcon(index, icon(name))
        self._prebuild_next_page()

    def _prebuild_next_page(self) -> None:
        """Build the remaining tabs while the user reads the first, one per turn of the loop."""
        if not self.isVisible():  # closed meanwhile: nothing to prepare
            return
        for page in self.pages:
            if page.content is None:
                page.ensure()
                QTimer.singleShot(0, self, self._prebuild_next_page)
                return

    # --- the four tabs (built on first use) -----------------------------------------------------
    def _build_record_tab(self) -> RecordTab:
        tab = RecordTab(self.state)
        tab.attendance_requested.connect(self.show_attendance)
        return tab

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
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.help_menu = self.menuBar().addMenu(TEXT["help"])
        about = QAction(TEXT["about"], self)
        about.triggered.connect(self.show_about)
        self.help_menu.addAction(about)

    def add_file_action(self, action: QAction) -> None:
        """Later features (export, backup, restore…) put their actions above 退出."""
        self.file_menu.insertAction(self.quit_action, action)

    def edit_branch_settings(self) -> None:
        from app.ui.branch_form import BranchSettingsDialog

        if BranchSettingsDialog(self).exec() == BranchSettingsDialog.DialogCode.Accepted:
            self.setWindowTitle(f"{APP_NAME} — {require_branch().name}")
            self.state.changed.emit("branch")

    def show_attendance(self, activity_id: int) -> None:
        """From the 记录 tab: open the 花名册/考勤 tab on this activity's attendance."""
        self.tabs.setCurrentIndex(2)
        self.roster_tab.show_attendance(activity_id)

    def open_data_dir(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.state.data_dir)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            TEXT["about"],
            TEXT["about_text"].format(
                app=APP_NAME, version=__version__, data_dir=self.state.data_dir
            ),
        )

    # --- status and geometry -----------------------------------------------------------------
    def _update_status(self, *_: object) -> None:
        branch = require_branch()
        self.status_label.setText(f"{branch.name}　|　数据目录：{self.state.data_dir}")

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        index = self.settings.value("main/tab")
        if index is not None:
            self.tabs.setCurrentIndex(int(index))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/tab", self.tabs.currentIndex())
        self.settings.sync()
        super().closeEvent(event)
