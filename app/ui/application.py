"""Starting the window: the QApplication, the CJK font, the database, and the first-run offer."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QThreadPool, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.errors import UserError
from app.paths import database_path, font_path, icon_cache_dir, resource_path


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with its font (`apply_ui_font`), icon and Qt's own words in Chinese."""
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dangri")
    apply_ui_font(app)
    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    install_chinese_translation(app)
    return app


def install_chinese_translation(app: QApplication) -> None:
    """Qt's own words (OK/Cancel, Yes/No, the file dialog) in Chinese, whatever the OS language."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if getattr(app, "_dangri_translator", None) is not None:
        return
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", path):
        app.installTranslator(translator)
        app._dangri_translator = translator  # keep it alive with the app


ERROR_TEXT = {
    "storage": "刚才的操作没有保存成功：数据所在的磁盘已满、只读，或暂时无法写入。\n\n"
    "屏幕上输入的内容还在。请先腾出磁盘空间（或插好U盘、检查网络盘），再点一次保存。",
    "bug": "程序出了一个意外的错误，刚才的操作可能没有完成；已经保存的数据不受影响。\n\n"
    "错误已记在 {log}，请把这个文件交给技术支持。\n\n（{kind}：{value}）",
    "editable": "可编辑的主题建议和内容模板",
}
_STORAGE_WORDS = (
    "disk",
    "full",
    "readonly",
    "read-only",
    "i/o",
    "unable to open",
    "no transaction",
)


def is_storage_error(error: BaseException) -> bool:
    """SQLite could not write (disk full, read-only, I/O): the user can fix it, not a bug."""
    from app import files  # (not imported on the way to the first paint)

    if isinstance(error, OSError) and (files.is_disk_full(error) or files.is_read_only(error)):
        return True  # ENOSPC, EROFS, and Windows' winerror 112 (full) and 19 (write-protected)
    if type(error).__name__ != "OperationalError":  # sqlite3's and peewee's alike
        return False
    text = str(error).lower()
    return any(word in text for word in _STORAGE_WORDS)


def error_text(error: BaseException, log: Path) -> str:
    """What the secretary reads about an error nobody caught."""
    from app import files

    if isinstance(error, UserError):  # a service's own sentence that a view did not catch
        return error.message
    if isinstance(error, OSError) and error.filename:
        if files.is_disk_full(error) or files.is_read_only(error) or files.is_held(error):
            return files.user_error(error, Path(error.filename)).message
    if is_storage_error(error):
        return ERROR_TEXT["storage"]
    return ERROR_TEXT["bug"].format(log=log, kind=type(error).__name__, value=error)


def install_error_hook(data_dir: Path) -> None:
    """An error nobody caught (in a button's slot, say) is shown in Chinese and written to
    <data dir>/logs/errors.log; a windowed program on Windows has no console to print it to."""
    import datetime as dt
    import traceback

    log = data_dir / "logs" / "errors.log"

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as f:
                f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} {__version__}\n")
                f.write("".join(traceback.format_exception(kind, value, tb)))
        except OSError:
            pass  # the disk that is full may be this one
        if sys.stderr is not None:
            traceback.print_exception(kind, value, tb)
        QMessageBox.critical(QApplication.activeWindow(), APP_NAME, error_text(value, log))

    sys.excepthook = hook


_bundled_family: list[str | None] = []  # loaded once per process


def load_font() -> str | None:
    """Load the bundled CJK font (the one every PDF embeds) into Qt; its family name."""
    if not _bundled_family:
        font_id = QFontDatabase.addApplicationFont(str(font_path()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _bundled_family.append(families[0] if families else None)
    return _bundled_family[0]


def system_cjk_families(bundled: str | None) -> list[str]:
    """Families of the system's own that can show Simplified Chinese: not the bundled font, nor
    the weights Qt lists for it under their own names ("Noto Sans SC Thin")."""
    writing = QFontDatabase.WritingSystem.SimplifiedChinese
    return [f for f in QFontDatabase.families(writing) if not (bundled and f.startswith(bundled))]


def apply_ui_font(app: QApplication) -> str:
    """The widgets' font; returns its family. On Windows the system's UI font stays (Microsoft
    YaHei UI on Chinese Windows, at the user's size: what every other program there shows), with
    the bundled font behind it for a character it lacks (a rare one in a name), the same glyph
    the PDF prints. Elsewhere, and on a Windows without any Chinese font, the bundled font at
    10 pt, so Chinese never renders as boxes."""
    bundled = load_font()
    font = app.font()
    if bundled is None:
        return font.family()
    if sys.platform == "win32" and system_cjk_families(bundled):
        font.setFamilies(list(dict.fromkeys([font.family(), bundled])))  # first with the glyph
    else:
        font = QFont(bundled, 10)
    app.setFont(font)
    return font.family()


def run_gui(data_dir: Path) -> int:
    from app.ui.single_instance import SingleInstance, bring_to_front

    app = make_application()
    # One instance per data dir: a second start hands over and exits before touching the database
    # (and before importing the window's modules, so it is quick).
    instance = SingleInstance(data_dir, app)
    if not instance.acquire(sys.argv[1:], listen=False):  # it listens once the window is up
        return 0

    from app.ui.icons import use_cache as use_icon_cache

    install_error_hook(data_dir)
    use_icon_cache(icon_cache_dir(data_dir))  # qtawesome only for icons not drawn before
    start = WindowStart(data_dir, listen=instance.listen)
    instance.activated.connect(lambda _args: start.window and bring_to_front(start.window))
    code = start.open()
    if code is None:
        code = app.exec()
        # The check after the window (or an export…) may still be at work on a worker thread:
        # it finishes before the QApplication and the window it reports to are gone.
        QThreadPool.globalInstance().waitForDone()
    return code


# What opening the ledger needs, imported on a thread while the window paints itself (with the
# module of the tab on view): the models, the check, the key, the editable files.
LEDGER_MODULES = (
    "app.models",
    "app.services.ledger",
    "app.services.editable",
    "app.signing",
    "app.ui.startup",
    "app.ui.wheel_guard",
)
STEP_MS = 10  # between two steps of the opening (a zero timer would go before other timers)


def _prepare_ledger(modules: tuple[str, ...]) -> None:
    """On a worker thread, while the window paints itself: the modules opening the ledger
    needs, and this year's holiday calendar from the installed packages (no database; the 计划
    tab's first fill asks for it for every date it shows, 25 ms to work out). What fails here
    fails again where it is used, on the UI thread, and is said there."""
    import datetime as dt

    from app.ui.main_window import import_quietly

    import_quietly(modules)
    from app.services.calendar import package_calendar

    package_calendar(dt.date.today().year)


class WindowStart:
    """The window shown, then the ledger opened behind it; opened again when the check made once
    the window is up (`startup.check_after_window`) found damage and the secretary restored a
    backup.

    A start shows the window first (its menus, its tabs, the branch's name read straight from
    the file) and opens the ledger right after the first paint: the models and services are
    imported on a thread meanwhile, then the file is checked (its schema; its pages later, on a
    worker), opened, and the tab on view filled. A data dir without a ledger (the first start)
    or whose file cannot be read as one opens the ledger first: the set-up dialog, or the
    damaged-file dialog, comes before any window."""

    def __init__(self, data_dir: Path, listen: Callable[[], None] = lambda: None):
        """`listen`: take later starts' messages (`SingleInstance.listen`): at once when a dialog
        comes before the window, else after the window's first paint."""
        self.data_dir = data_dir
        self.listen = listen
        self.window = None
        self.check = None  # the worker of the check after the window
        self.preparing = None  # the worker preparing the opening (kept: its signals)

    def open(self) -> int | None:
        """None: the window is up (or coming); else the exit code (2: the ledger cannot be
        opened, 0: the first-run set-up was left)."""
        from app.services.integrity import branch_name
        from app.ui.main_window import FirstPaint, MainWindow

        name = branch_name(database_path(self.data_dir))
        if name is None:
            from app.ui import startup

            self.listen()  # a dialog may come first: a second start brings it forward
            if not startup.check_before_window(self.data_dir):  # its pages: later
                return 2
            return self.open_ledger()
        window = self.window = MainWindow(self.data_dir, name, opening=True)
        window.show()
        FirstPaint(window, self._open_behind_window)
        return None

    def _open_behind_window(self) -> None:
        from app.ui.workers import run_in_background

        self.listen()
        modules = (*LEDGER_MODULES, self.window.current_tab_module())
        self.preparing = run_in_background(
            lambda _progress: _prepare_ledger(modules),
            lambda _result: self._when_prepared(),
            lambda _error: self._when_prepared(),  # said again where it fails on this thread
        )

    def _when_prepared(self) -> None:
        from app.ui import startup

        code = 2
        if startup.check_before_window(self.data_dir):
            code = self.open_ledger(self.window)
        if code is not None:
            self._close_window()
            QApplication.instance().exit(code)

    def _close_window(self) -> None:
        QApplication.instance().setQuitOnLastWindowClosed(False)  # the exit code decides
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None

    def open_ledger(self, window=None) -> int | None:
        """Open the ledger (and set up a branch on the first start); then the window shows it:
        `window`, shown already, or a new one. None: the window is up; else the exit code."""
        from app.models import open_database
        from app.services.editable import prepare
        from app.services.ledger import has_branch
        from app.signing import ensure_key
        from app.ui.main_window import MainWindow
        from app.ui.wheel_guard import install_wheel_guard

        # Before any form: the wheel scrolls forms instead of turning their fields.
        install_wheel_guard(QApplication.instance())
        try:
            open_database(database_path(self.data_dir))
            # set-up, or the first start after the update (docs/signing.md)
            ensure_key(self.data_dir)
        except UserError as err:
            QMessageBox.critical(window, APP_NAME, err.message)
            return 2
        editable_problems = prepare(self.data_dir)  # themes.json and templates the branch edits
        if not has_branch():
            from app.ui.first_run import FirstRunDialog

            if window is not None:
                window.hide()
            dialog = FirstRunDialog(self.data_dir)
            if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
                return 0
        if window is None:
            window = self.window = MainWindow(self.data_dir)
            window.show()
            self._opened(window, editable_problems)
        else:  # the tab on view filled a moment later: keys, paints and timers go in between
            QTimer.singleShot(STEP_MS, window, lambda: self._opened(window, editable_problems))
        return None

    def _opened(self, window, editable_problems: list[str]) -> None:
        window.show()  # again, after a first-run set-up over it
        if window.opening:  # the check once the tab on view is filled: it competes for the CPU
            window.opened.connect(lambda: self._check_pages(window))
            window.ledger_opened()
        else:
            self._check_pages(window)
        if editable_problems:  # a broken themes.json: said, not silently replaced by the defaults
            QTimer.singleShot(
                0,
                lambda: QMessageBox.warning(
                    window, ERROR_TEXT["editable"], "\n\n".join(editable_problems)
                ),
            )

    def _check_pages(self, window) -> None:
        """The file's pages checked, and the start-up backup made, while the window is in use."""
        from app.ui import startup

        self.check = startup.check_after_window(window, self.data_dir, self.damaged)

    def damaged(self, problems: list[str]) -> None:
        """Damage found once the window was up: the window goes (nothing more is read from the
        file or written to it), and the same dialog as before a window decides."""
        from app.models import close_database
        from app.ui import startup

        app = QApplication.instance()
        self._close_window()  # no quitting while it is gone and the dialog decides
        close_database()
        code = 2
        if startup.damaged_dialog_accepted(self.data_dir, problems):
            code = self.open()
        app.setQuitOnLastWindowClosed(True)
        if code is not None:
            app.exit(code)
