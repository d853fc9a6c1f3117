"""What the command line prints is readable where it lands: a Windows pipe or redirection (`type`,
`findstr`, PowerShell 5.1 read code page 936) gets GB18030, a console and other systems UTF-8,
`--utf8` / DANGRI_UTF8=1 UTF-8 everywhere; and a windowed program without stdout/stderr (None)
prints nothing instead of failing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[1]


class Pipe(io.TextIOWrapper):
    """A redirected stdout: bytes to a buffer, not a console (as `> out.txt` or `| findstr`)."""

    def __init__(self, console: bool = False):
        super().__init__(io.BytesIO(), encoding="utf-8")
        self.console = console

    def isatty(self) -> bool:
        return self.console

    def written(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


def redirect(monkeypatch) -> Pipe:
    """stdout and stderr redirected. Set inside the test: pytest puts its own capture back on
    sys.stdout between a fixture's set-up and the test."""
    out = Pipe()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", Pipe())
    return out


@pytest.fixture
def on_windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("DANGRI_UTF8", raising=False)


def test_help_piped_on_windows_is_gb18030(on_windows, monkeypatch):
    out = redirect(monkeypatch)
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    raw = out.written()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # what cp936 tools showed as mojibake before
    text = raw.decode("gbk")  # as `type` or `findstr` on Chinese Windows read it
    assert "数据目录" in text and "--utf8" in text


def test_stats_json_piped_on_windows_is_gb18030_and_utf8_on_request(
    demo, on_windows, monkeypatch
):
    out = redirect(monkeypatch)
    assert main(["--data-dir", str(demo), "stats", "--year", "2026", "--json"]) == 0
    obj = json.loads(out.written().decode("gb18030"))
    assert obj["branch"]["name"] == "中共青山村支部委员会"

    for argv, env in (
        (["--utf8", "--data-dir", str(demo), "stats", "--year", "2026", "--json"], None),
        (["--data-dir", str(demo), "stats", "--year", "2026", "--json", "--utf8"], None),
        (["--data-dir", str(demo), "stats", "--year", "2026", "--json"], "1"),
    ):
        if env:
            monkeypatch.setenv("DANGRI_UTF8", env)
        out = redirect(monkeypatch)
        assert main(argv) == 0
        assert json.loads(out.written().decode("utf-8"))["branch"]["name"] == "中共青山村支部委员会"


def test_a_windows_console_and_a_linux_pipe_get_utf8(demo, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    console = Pipe(console=True)  # Python itself turns this into UTF-16 for the console
    monkeypatch.setattr(sys, "stdout", console)
    assert main(["--data-dir", str(demo), "stats", "--year", "2026", "--json"]) == 0
    assert json.loads(console.written().decode("utf-8"))["year"] == 2026

    # A real pipe on this (Linux) machine, through `python -m app`.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DANGRI_UTF8", None)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--help"], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0 and "数据目录" in done.stdout.decode("utf-8")


def test_no_stdout_or_stderr_as_in_the_windowed_program(demo, monkeypatch):
    """dangri.exe (console=False) runs with sys.stdout = sys.stderr = None."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "platform", "win32")
    assert main(["--data-dir", str(demo), "stats", "--year", "2026"]) == 0
    assert main(["--data-dir", str(demo), "stats", "--year", "1999"]) == 2  # a UserError, said
    for argv in (["--help"], ["--version"], ["stats"]):  # argparse's own printing
        with pytest.raises(SystemExit):
            main(argv)
