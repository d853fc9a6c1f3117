"""Starting the window: the QApplication, the CJK font, the database, and the first-run offer."""

from __future__ import annotations

import sys
from pathlib import Path

# The start path's Qt-free modules are imported before PySide6 on purpose: PySide6 installs an
# import hook that reads the source of every module imported after it (looking for
# `from __feature__ import …`), about 30 ms for these on a start. They are needed at once anyway:
# the models and the start-up check by `run_gui`, the ledger by the window, plan and calendar by
# the 计划 tab (the tab a start shows unless another was open at the last close).
import app.models  # noqa: F401
import app.services.backup  # noqa: F401
import app.services.calendar  # noqa: F401
import app.services.ledger  # noqa: F401
import app.services.plan  # noqa: F401

# isort: split
from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.errors import UserError
from app.paths import database_path, font_path, resource_path


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our font loaded, so Chinese renders on a PC without CJK fonts."""
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dangri")
    family = load_font()
    if family:
        app.setFont(QFont(family, 10))
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


def load_font() -> str | None:
    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return families[0] if families else None


def run_gui(data_dir: Path) -> int:
    from app.ui.single_instance import SingleInstance, bring_to_front

    app = make_application()
    # One instance per data dir: a second start hands over and exits before touching the database
    # (and before importing the window's modules, so it is quick).
    instance = SingleInstance(data_dir, app)
    if not instance.acquire(sys.argv[1:]):
        return 0

    from app.models import Branch, open_database
    from app.ui.main_window import MainWindow
    from app.ui.startup import check_database_on_start

    if not check_database_on_start(data_dir):  # integrity check, then the start-up backup
        return 2
    try:
        open_database(database_path(data_dir))
    except UserError as err:
        QMessageBox.critical(None, APP_NAME, err.message)
        return 2
    if Branch.select().count() == 0:
        from app.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(data_dir)
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            return 0
    window = MainWindow(data_dir)
    instance.activated.connect(lambda _args: bring_to_front(window))
    window.show()
    return app.exec()
