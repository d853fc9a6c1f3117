"""Bench row (h): the size of the frozen program (PyInstaller, build.spec) against a bare PySide6
window frozen by the same spec — the same excludes, the same two executables, the same Qt
filter — with only the script, the hidden imports and the resources taken out.

The swaps below name lines of build.spec; build.spec's excludes and filters apply to both builds,
but only what the program adds is affected by them: the bare window has none of cryptography,
Pillow, lxml, qtawesome, stdnum or the QtOpenGL bindings (docs/benchmark.md, "A smaller
build")."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from _rows import Row, fmt_mb

ROOT = Path(__file__).resolve().parent.parent
TARGET = "≤ 1.42× frozen bare window (as issue 19 found it)"
BARE_SCRIPT = """\
import sys
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.show()
sys.exit(0 if "--quit" in sys.argv else app.exec())
"""


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def bare_spec(root: Path) -> Path:
    """build.spec with the bare window as its script, no resources and no hidden imports."""
    script = root / "bare_window.py"
    script.write_text(BARE_SCRIPT, encoding="utf-8")
    text = (ROOT / "build.spec").read_text(encoding="utf-8")
    swaps = {
        "ROOT = Path(SPECPATH)": f"ROOT = Path({str(ROOT)!r})",
        '[str(ROOT / "app" / "__main__.py")]': f"[{str(script)!r}]",
        "datas=resource_datas(),": "datas=[],",
        'hiddenimports=collect_submodules("app"),': "hiddenimports=[],",
    }
    for old, new in swaps.items():
        if old not in text:
            raise RuntimeError(f"build.spec changed: {old!r} not found")
        text = text.replace(old, new)
    spec = root / "bare.spec"
    spec.write_text(text, encoding="utf-8")
    return spec


def freeze(spec: Path, work: Path) -> Path:
    dist = work / "dist"
    args = [sys.executable, "-m", "PyInstaller", str(spec), "--noconfirm", "--log-level=WARN"]
    args += ["--distpath", str(dist), "--workpath", str(work / "build")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-800:])
    return dist / "dangri"


def row_frozen_size(root: Path, enabled: bool) -> Row:
    row = Row("h", "frozen size", target=TARGET)
    if not enabled:
        row.measured = "skipped (--no-freeze)"
        return row
    if importlib.util.find_spec("PyInstaller") is None:
        row.measured = "skipped: PyInstaller is not installed (pip install -e .[build])"
        return row
    t0 = time.perf_counter()
    app = folder_size(freeze(ROOT / "build.spec", root / "freeze-app"))
    bare = folder_size(freeze(bare_spec(root), root / "freeze-bare"))
    row.value, row.floor_value = app, bare
    row.ratio_value = app / bare
    row.measured, row.floor = fmt_mb(app), f"{fmt_mb(bare)} frozen bare window"
    row.ratio = f"{row.ratio_value:.2f}×"
    row.met = row.ratio_value <= 1.42
    row.note = (
        f"dist/dangri/ of build.spec vs the same spec freezing a bare QMainWindow (same "
        f"excludes, two executables); both built in {time.perf_counter() - t0:.0f} s"
    )
    return row
