"""One running instance per data dir (after Vorta's qt_single_application.py).

The first start takes the data dir's lock (app/instance_lock.py) and listens on a local socket
named after the data dir's path. A second start finds the lock taken, sends its arguments to the running
instance (whose window comes to the front), says so on stderr and exits at once — it never opens
the database or shows a dialog. A lock left by a crashed instance (its process is gone) is taken
over (the OS dropped it), and the crashed instance's stale socket name is removed first.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:  # QtNetwork is imported when first needed: a start listens after its paint
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import APP_ID
from app.instance_lock import LOCK_NAME, InstanceLock, LockState

__all__ = ["LOCK_NAME", "SingleInstance", "bring_to_front", "server_name"]

CONNECT_MS = 1500
ASFW_ANY = 0xFFFFFFFF  # AllowSetForegroundWindow(ASFW_ANY): any process may take the foreground
TEXT = {
    "already_running": "党日记实已在运行（数据目录 {data_dir}），已切换到已打开的窗口。",
    "already_running_en": "dangri is already running for {data_dir}; switched to its window.",
}


def server_name(data_dir: Path) -> str:
    """The local socket name for a data dir: the same for the same folder, short enough for
    every OS (Unix socket paths are limited to about 100 bytes)."""
    key = str(Path(data_dir).resolve())
    if sys.platform == "win32":
        key = key.lower()  # the same folder, whatever the letter case
    return f"{APP_ID}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


class SingleInstance(QObject):
    """`acquire()` is True for the first instance of this data dir; the second gets False after
    handing its arguments over. The first then emits `activated(args)` for every later start."""

    activated = Signal(list)

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self.server: QLocalServer | None = None
        self.lock: InstanceLock | None = None
        self._clients: list[QLocalSocket] = []

    def acquire(self, args: list[str] | None = None, *, listen: bool = True) -> bool:
        """`listen` False: the first instance listens for later starts only when `listen()` is
        called (a start does once its window has painted; a second start meanwhile finds the
        lock taken and exits, with nobody yet to bring forward)."""
        # The Qt-free lock (app/instance_lock.py), so a restore from the command line sees it.
        lock = InstanceLock(self.data_dir)
        state = lock.acquire()
        if state is LockState.ACQUIRED:
            self.lock = lock
        elif state is not LockState.UNAVAILABLE:
            self._hand_over(args or [])
            return False
        # (UNAVAILABLE: no lock file can be written, a read-only or full disk: no one else holds
        # it, so go on and let the start-up check say what is wrong with the disk — handing over
        # to nobody ended the start without a word.)
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Take the later starts' messages (once; again is nothing)."""
        if self.server is not None:
            return
        from PySide6.QtNetwork import QLocalServer

        # We hold the lock, so a server under our name belongs to a crashed instance.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.listen(self.name)
        server.newConnection.connect(self._on_connection)
        self.server = server

    def _hand_over(self, args: list[str]) -> None:
        import json

        from PySide6.QtNetwork import QLocalSocket

        allow_foreground_handover()  # before the message, so the first may come to the front
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_MS):
            socket.write(json.dumps(args).encode() + b"\n")
            socket.waitForBytesWritten(CONNECT_MS)
            socket.disconnectFromServer()
        print(TEXT["already_running"].format(data_dir=self.data_dir), file=sys.stderr)
        print(TEXT["already_running_en"].format(data_dir=self.data_dir), file=sys.stderr)

    def _on_connection(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            # Sockets stay children of the server until release(); a start sends one line, so
            # the few kept alive cost nothing, and no deleteLater races a pending readyRead.
            socket.readyRead.connect(self._read_pending)
            self._clients.append(socket)
        self._read_pending()  # a line may have arrived before readyRead was connected

    def _read_pending(self) -> None:
        import json

        for socket in self._clients:
            while socket.canReadLine():
                line = bytes(socket.readLine()).decode("utf-8", "replace")
                try:
                    args = json.loads(line)
                except ValueError:
                    args = []
                self.activated.emit(args if isinstance(args, list) else [])
                # Before the window exists (the damaged-file or first-start dialog) nothing
                # listens; and a question open over the window must come up with it. The
                # second double-click otherwise seemed to do nothing.
                modal = QApplication.activeModalWidget()
                if modal is not None:
                    bring_to_front(modal)

    def release(self) -> None:
        self._clients.clear()
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def allow_foreground_handover() -> bool:
    """Windows gives the foreground only to the process the user just started or clicked: this
    second start. Without its leave, the running instance's activateWindow() only flashes its
    taskbar button. True when Windows granted it; nothing to do elsewhere."""
    if sys.platform != "win32":
        return False
    import ctypes
    from ctypes import wintypes

    try:
        allow = ctypes.windll.user32.AllowSetForegroundWindow
        allow.argtypes = [wintypes.DWORD]
        allow.restype = wintypes.BOOL
        return bool(allow(ASFW_ANY))
    except (AttributeError, OSError):
        return False


def bring_to_front(window) -> None:
    """Show a window that another start asked for: un-minimise, raise, focus."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
