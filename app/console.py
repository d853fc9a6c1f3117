"""The encoding of what the command line prints, set once at its start (app/cli.py `main`).

A console reads Unicode: Python writes UTF-16 to a Windows console itself, and a Linux or macOS
terminal reads UTF-8. Output redirected to a file or piped into another program is read by that
program: on Chinese Windows that is `type`, `findstr`, Notepad's ANSI or PowerShell 5.1, all of
which read the code page 936 (GBK). So on Windows such output is written as GB18030, which GBK
tools read where the two overlap and which still encodes every character; elsewhere, and when
asked (`--utf8`, or DANGRI_UTF8=1 for scripts that read UTF-8), it is UTF-8.

A windowed program (dangri.exe) has no console at all: sys.stdout and sys.stderr are None there,
and are left so (print() to None writes nothing).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

ENV_UTF8 = "DANGRI_UTF8"
UTF8_OPTION = "--utf8"


def wants_utf8(argv: list[str]) -> bool:
    """`--utf8` anywhere on the command line, or DANGRI_UTF8 set to anything but 0."""
    return UTF8_OPTION in argv or os.environ.get(ENV_UTF8, "").strip() not in ("", "0")


def _is_console(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def output_encoding(stream: TextIO, *, force_utf8: bool = False) -> str:
    """What the reader of `stream` can read (see the module docstring)."""
    if force_utf8 or sys.platform != "win32" or _is_console(stream):
        return "utf-8"
    return "gb18030"


def configure_streams(*, force_utf8: bool = False) -> None:
    """Set stdout and stderr to `output_encoding`; a missing or unusual stream is left alone.
    Unencodable characters (a lone surrogate pasted from somewhere) become '?', never an error."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.reconfigure(
                encoding=output_encoding(stream, force_utf8=force_utf8), errors="replace"
            )
        except (AttributeError, ValueError, OSError):
            pass
