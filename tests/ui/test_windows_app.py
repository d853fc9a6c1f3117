"""The window as it runs on Windows, checked on Linux by patching what differs: no stderr in the
windowed dangri.exe, Windows' error numbers for full and write-protected disks, the foreground
hand-over of a second start, and the system UI font."""

from __future__ import annotations

import errno
import sys

import pytest

from app.ui.application import install_error_hook
from tests.ui import test_error_hook

shown = test_error_hook.shown  # the fixture that collects the error boxes' texts


def test_the_error_hook_works_without_stderr_as_in_the_windowed_program(
    data_dir, shown, monkeypatch
):
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdout", None)
    install_error_hook(data_dir)
    try:
        raise ValueError("a bug")
    except ValueError as error:
        sys.excepthook(ValueError, error, error.__traceback__)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)  # Python's own hook, no stderr
    assert len(shown) == 1 and "意外的错误" in shown[0]
    assert "ValueError: a bug" in (data_dir / "logs" / "errors.log").read_text("utf-8")


class FakeUser32:
    """ctypes.windll.user32 as a test sees it: records the calls."""

    def __init__(self, calls: list):
        self.calls = calls

        def allow(process_id):
            calls.append(("AllowSetForegroundWindow", process_id))
            return 1

        self.AllowSetForegroundWindow = allow


def test_a_second_start_lets_the_first_take_the_foreground_before_it_asks(
    qtbot, tmp_path, monkeypatch
):
    import ctypes
    import types

    from app.ui import single_instance
    from app.ui.single_instance import ASFW_ANY, SingleInstance

    calls: list = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(
        ctypes, "windll", types.SimpleNamespace(user32=FakeUser32(calls)), raising=False
    )
    assert single_instance.allow_foreground_handover() is True
    assert calls == [("AllowSetForegroundWindow", ASFW_ANY)]  # ASFW_ANY: 0xFFFFFFFF
    monkeypatch.setattr(sys, "platform", "linux")
    assert single_instance.allow_foreground_handover() is False  # not called off Windows
    assert len(calls) == 1

    # The order in the hand-over: leave first, then the message the first instance acts on.
    real_allow = single_instance.allow_foreground_handover
    monkeypatch.setattr(
        single_instance, "allow_foreground_handover", lambda: calls.append("allow") or real_allow()
    )
    data_dir = tmp_path / "data"
    first = SingleInstance(data_dir)
    assert first.acquire()
    first.activated.connect(lambda args: calls.append(("activated", args)))
    try:
        second = SingleInstance(data_dir)
        assert not second.acquire(["--data-dir", str(data_dir)])
        qtbot.waitUntil(lambda: ("activated", ["--data-dir", str(data_dir)]) in calls)
        assert calls.index("allow") < calls.index(("activated", ["--data-dir", str(data_dir)]))
    finally:
        first.release()


def test_the_first_instance_raises_and_activates_its_window(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMainWindow

    from app.ui.single_instance import bring_to_front

    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    done: list[str] = []
    monkeypatch.setattr(window, "raise_", lambda: done.append("raise_"))
    monkeypatch.setattr(window, "activateWindow", lambda: done.append("activateWindow"))
    bring_to_front(window)
    assert not window.isMinimized() and window.isVisible()
    assert done == ["raise_", "activateWindow"]


@pytest.fixture
def app_font(qapp):
    """The application's font as the system gave it (put back after the test)."""
    from PySide6.QtGui import QFont

    before = qapp.font()
    qapp.setFont(QFont("Sans Serif", 9))  # what Qt takes from the system (here: Linux's)
    yield qapp
    qapp.setFont(before)


def test_on_windows_the_system_ui_font_stays_with_the_bundled_one_behind_it(app_font, monkeypatch):
    from app.ui import application

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(application, "system_cjk_families", lambda _b: ["Microsoft YaHei UI"])
    assert application.apply_ui_font(app_font) == "Sans Serif"  # not replaced
    font = app_font.font()
    assert font.family() == "Sans Serif" and font.pointSize() == 9  # the user's size too
    assert font.families() == ["Sans Serif", "Noto Sans SC"]  # ours for a glyph it lacks


def test_without_a_system_cjk_font_the_bundled_one_is_used(app_font, monkeypatch):
    from PySide6.QtGui import QFont

    from app.ui import application

    bundled = application.load_font()
    assert bundled == "Noto Sans SC"
    if application.system_cjk_families(bundled):
        pytest.skip("this machine has a system CJK font")
    assert application.apply_ui_font(app_font) == "Noto Sans SC"  # Linux, as here
    assert app_font.font().pointSize() == 10
    monkeypatch.setattr(sys, "platform", "win32")  # a Windows without any Chinese font
    app_font.setFont(QFont("Segoe UI", 9))
    assert application.apply_ui_font(app_font) == "Noto Sans SC"


def windows_error(kind: type[OSError], number: int, winerror: int, filename=None) -> OSError:
    """An OSError as CPython raises it on Windows: errno from the C runtime, plus winerror."""
    error = kind(number, "系统错误", filename) if filename else kind(number, "系统错误")
    error.winerror = winerror
    return error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        # A write-protected USB stick: EACCES with winerror 19 (ERROR_WRITE_PROTECT).
        (windows_error(PermissionError, errno.EACCES, 19, r"E:\统计表.xlsx"), "写保护"),
        # A full disk: ENOSPC with winerror 112 (ERROR_DISK_FULL).
        (windows_error(OSError, errno.ENOSPC, 112, r"E:\统计表.xlsx"), "磁盘空间不足"),
        # The file open in Excel: EACCES with winerror 32 (ERROR_SHARING_VIOLATION).
        (windows_error(PermissionError, errno.EACCES, 32, r"D:\统计表.xlsx"), "Excel"),
        # The same without a file name (SQLite's own I/O): the storage sentence.
        (windows_error(PermissionError, errno.EACCES, 19), "只读"),
        (windows_error(OSError, errno.ENOSPC, 112), "磁盘已满"),
    ],
)
def test_windows_error_numbers_are_said_in_chinese_not_as_an_unexpected_error(
    data_dir, shown, error, words
):
    install_error_hook(data_dir)
    sys.excepthook(type(error), error, None)
    assert len(shown) == 1 and words in shown[0], shown[0]
    assert "意外的错误" not in shown[0]
