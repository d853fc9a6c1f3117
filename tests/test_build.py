"""The Windows-style one-folder build (build.spec), built on this machine and run as a secretary
would receive it: the built program passes `selftest`, carries its resources, and keeps its data
outside its own folder.

The build takes about a minute on two cores; it runs once per test session into a temp dir (not
the repo). `python -m pytest -m "not build"` skips those tests when iterating locally; CI runs
them. The last two tests run `selftest` from the source checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".exe" if sys.platform == "win32" else ""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/dangri/ built from build.spec into a temp dir."""
    pytest.importorskip("PyInstaller")
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(ROOT / "build.spec"),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return work / "dist" / "dangri"


def program_env(home: Path) -> dict[str, str]:
    """A clean environment like a fresh user account: no data-dir override, no Qt platform (the
    program must choose offscreen itself for selftest), HOME in a temp folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DANGRI_DATA_DIR", "QT_QPA_PLATFORM", "XDG_DATA_HOME", "PYTHONPATH"}
    }
    env.update(HOME=str(home), APPDATA=str(home / "AppData" / "Roaming"))
    env.update(LOCALAPPDATA=str(home / "AppData" / "Local"))
    return env


def run(dist: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(dist / f"dangri-cli{SUFFIX}"), *args],
        cwd=home,
        env=program_env(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


@pytest.mark.build
def test_built_program_passes_selftest_and_prints_an_embedded_font_record(
    dist: Path, tmp_path: Path
) -> None:
    out = tmp_path / "selftest-out"
    result = run(dist, "selftest", "--keep", str(out), home=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "自检通过" in result.stdout
    assert "[失败]" not in result.stdout
    # resources come from inside the bundle, through the same helper as from source
    assert f"{dist / '_internal' / 'resources'}" in result.stdout
    pdf = out / "记录表.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansSC" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "党日活动记录表" in text and "应参加党员" in text
    assert (out / "window.png").stat().st_size > 10_000


@pytest.mark.build
def test_bundle_carries_resources_and_leaves_out_unused_qt(dist: Path) -> None:
    bundled = dist / "_internal" / "resources"
    source = ROOT / "resources"
    expected = {
        p.relative_to(source)
        for p in source.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    present = {p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file()}
    assert expected <= present, sorted(map(str, expected - present))
    font = Path("fonts") / "NotoSansSC-Regular.ttf"
    assert (bundled / font).read_bytes() == (source / font).read_bytes()
    assert (bundled / "fonts" / "OFL.txt").is_file()
    assert (dist / f"dangri{SUFFIX}").is_file() and (dist / f"dangri-cli{SUFFIX}").is_file()

    names = [p.name.lower() for p in dist.rglob("*")]
    for unused in ("webengine", "qt6quick", "qt6qml", "virtualkeyboard", "numpy"):
        assert not [n for n in names if unused in n], unused
    # what build.spec leaves out of the program's own dependencies (selftest proves the rest
    # is enough): cryptography (replaced by PyNaCl), the QtOpenGL bindings, Pillow's AVIF,
    # lxml.objectify, qtawesome's unused icon fonts, stdnum's other countries' data
    for unused in (
        "cryptography",
        "qtopengl.abi3",
        "_avif",
        "objectify",
        "materialdesign",
        "oui.dat",
    ):
        assert not [n for n in names if unused in n], unused
    size = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file() and not p.is_symlink())
    # 265 MB (1.69x the frozen bare window of bench row h) after the second year added
    # signatures, Word files, printing, pinyin and ID checks; 219 MB once build.spec left out
    # what of those dependencies the program never reaches (docs/benchmark.md, "A smaller
    # build"). The limit leaves room for small growth, not for another large dependency.
    assert size < 230 * 1024 * 1024, f"{size / 2**20:.0f} MB"


@pytest.mark.build
def test_built_program_keeps_its_data_in_the_user_folder_not_beside_itself(
    dist: Path, tmp_path: Path
) -> None:
    before = {p for p in dist.rglob("*")}
    result = run(dist, "demo", "--year", "2026", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "演示党支部" in result.stdout

    databases = list(tmp_path.rglob("dangri.sqlite3"))
    assert len(databases) == 1
    assert not databases[0].is_relative_to(dist)
    assert {p for p in dist.rglob("*")} == before  # nothing written into the program folder

    again = run(dist, "demo", home=tmp_path)  # the same default data dir, now not empty
    assert again.returncode == 2
    assert "已有数据" in again.stderr


def test_selftest_from_source_checks_window_and_record(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "selftest", "--keep", str(tmp_path)],
        cwd=ROOT,
        env=program_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[通过]")]
    from app.ui.selftest import has_display

    assert len(lines) == (8 if has_display() else 7)  # with a display: the window on it too
    assert any("主窗口" in line and "4 个标签页" in line for line in lines)
    assert (tmp_path / "记录表.pdf").read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.rglob("*.sqlite3"))  # the temp data dir is gone afterwards


@pytest.mark.skipif(
    shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt-get install xvfb)"
)
def test_selftest_with_a_display_opens_the_window_with_the_system_platform_plugin(tmp_path):
    """Offscreen proves nothing about the plugin a PC shows windows with (qwindows.dll there,
    xcb here): with a display, selftest opens the window on it as well."""
    env = program_env(tmp_path)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "app", "selftest", "--keep", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[通过] 主窗口（离屏）" in result.stdout
    assert "[通过] 主窗口（本机显示，xcb 平台插件）" in result.stdout
    assert "4 个标签页" in result.stdout.split("本机显示")[1]
    assert (tmp_path / "window-display.png").stat().st_size > 10_000


def test_selftest_fails_and_says_why_when_the_font_is_missing(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.paths
    from app.ui.selftest import run_selftest

    monkeypatch.setattr(app.paths, "font_path", lambda: tmp_path / "gone.ttf")
    lines: list[str] = []
    code = run_selftest(tmp_path / "out", echo=lines.append)

    assert code == 1
    assert any(line.startswith("[失败]") and "gone.ttf" in line for line in lines)
    assert lines[-1].startswith("自检失败")
