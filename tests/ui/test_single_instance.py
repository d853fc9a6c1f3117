"""One instance per data dir: a second start hands over to the running one and exits at once,
without opening the database; a lock left by a crashed instance is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.paths import database_path
from app.ui.single_instance import LOCK_NAME, SingleInstance, server_name

ROOT = Path(__file__).resolve().parents[2]


def start_app(data_dir: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_second_start_hands_over_and_exits_without_opening_the_database(qtbot, tmp_path):
    data_dir = tmp_path / "data"
    first = SingleInstance(data_dir)
    assert first.acquire()
    try:
        started = time.monotonic()
        with qtbot.waitSignal(first.activated, timeout=20000) as received:
            second = start_app(data_dir)
        out, err = second.communicate(timeout=20)
        elapsed = time.monotonic() - started
        assert second.returncode == 0
        text = err.decode("utf-8")
        assert "党日记实已在运行" in text and "already running" in text
        assert received.args[0] == ["--data-dir", str(data_dir)]  # its arguments arrive
        assert not database_path(data_dir).exists()  # it never opened the database
        assert elapsed < 10, f"the second start took {elapsed:.1f} s"
    finally:
        first.release()


def test_second_start_brings_up_a_start_dialog_shown_before_the_window(qtbot, tmp_path):
    """The damaged-file or first-start dialog is up, minimised behind other windows, when the
    secretary double-clicks the icon again: the dialog comes back (nothing listened before)."""
    from PySide6.QtWidgets import QDialog

    data_dir = tmp_path / "data"
    first = SingleInstance(data_dir)
    assert first.acquire()
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setModal(True)
    dialog.showMinimized()
    assert dialog.isMinimized()
    try:
        with qtbot.waitSignal(first.activated, timeout=20000):
            second = start_app(data_dir)
        second.communicate(timeout=20)
        assert not dialog.isMinimized() and dialog.isVisible()
    finally:
        first.release()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_lock_that_cannot_be_written_does_not_pass_for_a_running_instance(tmp_path):
    """On a read-only or full disk the lock file cannot be written; that used to count as
    "already running", and the start ended without a word. The child below can write no file
    longer than 10 bytes (RLIMIT_FSIZE), so the lock's pid and host name do not fit."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code = (
        "import resource, sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from app.ui.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))\n"
        "sys.exit(0 if SingleInstance(sys.argv[1]).acquire() else 1)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0  # it goes on, and the start-up check says what is wrong


def test_different_data_dirs_are_different_instances(qtbot, tmp_path):
    a, b = SingleInstance(tmp_path / "a"), SingleInstance(tmp_path / "b")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")
    try:
        assert a.acquire() and b.acquire()
    finally:
        a.release()
        b.release()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_lock_left_by_a_crashed_instance_is_taken_over(qtbot, tmp_path):
    data_dir = tmp_path / "data"
    holder = """
import sys
from PySide6.QtCore import QCoreApplication
from app.ui.single_instance import SingleInstance
app = QCoreApplication([])
inst = SingleInstance(sys.argv[1])
assert inst.acquire()
print("locked", flush=True)
app.exec()
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    crashed = subprocess.Popen(
        [sys.executable, "-c", holder, str(data_dir)], stdout=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert crashed.stdout.readline().strip() == b"locked"
    while_alive = SingleInstance(data_dir)
    assert not while_alive.acquire()  # the live holder keeps it
    crashed.send_signal(signal.SIGKILL)
    crashed.wait()
    assert (data_dir / LOCK_NAME).exists()  # the crash left its lock (and socket) behind

    taker = SingleInstance(data_dir)
    try:
        assert taker.acquire()
        assert taker.server is not None and taker.server.isListening()
        # And a later start reaches the new owner, not the dead one.
        with qtbot.waitSignal(taker.activated, timeout=20000):
            second = start_app(data_dir, "--version")
            later = start_app(data_dir)
        later.communicate(timeout=20)
        second.communicate(timeout=20)
        assert later.returncode == 0
    finally:
        taker.release()


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
def test_real_start_checks_backs_up_then_a_second_start_brings_it_forward(tmp_path):
    from app.models import Member, close_database, open_database
    from app.services.branch import BranchSettings, save_branch

    data_dir = tmp_path / "data"
    open_database(database_path(data_dir))
    save_branch(BranchSettings(name="中共青山村支部委员会"))
    Member.create(name="张秀英")
    close_database()

    first = start_app(data_dir)
    try:
        deadline = time.monotonic() + 30
        backups = data_dir / "backups"
        while time.monotonic() < deadline and not list(backups.glob("dangri-*-start.sqlite3")):
            assert first.poll() is None, first.communicate()[1].decode()
            time.sleep(0.1)
        (made,) = backups.glob("dangri-*-start.sqlite3")  # the start-up backup, once
        time.sleep(1.0)  # let the window come up and start listening
        second = start_app(data_dir)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 0 and "已在运行" in err.decode("utf-8")
        assert first.poll() is None  # the first keeps running
        assert list(backups.glob("dangri-*-start.sqlite3")) == [made]
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
