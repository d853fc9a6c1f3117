"""The window as it runs on Windows, checked on Linux by patching what differs: no stderr in the
windowed dangri.exe, Windows' error numbers for full and write-protected disks, the foreground
hand-over of a second start, and the system UI font."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui.application import install_error_hook


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    texts: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: texts.append(text))
    return texts


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
